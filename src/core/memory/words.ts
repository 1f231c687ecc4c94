/// <reference path="./wink-porter2-stemmer.d.ts" />
/**
 * Words of a text as search sees them. `words`: lower-cased runs of letters and digits (what plain
 * BM25 indexes). `terms`: the same without English stopwords and reduced to their Porter2 stems, so
 * "deployed" finds "deploys" (what the stores' full-text ranking and the hashing embedder use).
 */
import { eng } from 'stopword';
import stem = require('wink-porter2-stemmer');

const WORD = /[\p{L}\p{N}]+/gu;
const STOPWORDS = new Set(eng);

export function words(text: string): string[] {
  return text.toLowerCase().match(WORD) ?? [];
}

export function terms(text: string): string[] {
  return words(text)
    .filter((word) => !STOPWORDS.has(word))
    .map((word) => stem(word));
}
