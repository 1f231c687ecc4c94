/**
 * The dependency-free fallback embedder: words and character trigrams hashed into a fixed number of
 * signed buckets, weighted by log term frequency, unit length. No model, no download; far weaker than
 * a language model, so it is reported as a fallback wherever results are shown.
 */
import { terms } from '../words';
import { normalize } from '../vectors';
import type { Embedder } from '../types';

export const HASHING_DIMENSION = 384;
/** Character trigrams count for less than whole words: they catch shared stems and typos. */
const TRIGRAM_WEIGHT = 0.5;

export class HashingEmbedder implements Embedder {
  readonly fallback = true;
  readonly model: string;

  constructor(readonly size: number = HASHING_DIMENSION) {
    if (!Number.isInteger(size) || size < 8) throw new RangeError(`hashing embedder: dimension must be an integer of at least 8 (got ${size})`);
    this.model = `hashing-v1-${size}`;
  }

  async dimension(): Promise<number> {
    return this.size;
  }

  async embed(texts: readonly string[], options?: { signal?: AbortSignal }): Promise<number[][]> {
    options?.signal?.throwIfAborted();
    return texts.map((text) => this.embedOne(text));
  }

  embedOne(text: string): number[] {
    const counts = new Map<string, number>();
    const count = (feature: string, weight: number) => counts.set(feature, (counts.get(feature) ?? 0) + weight);
    for (const word of terms(text)) {
      count(`w:${word}`, 1);
      const padded = `<${word}>`;
      for (let i = 0; i + 3 <= padded.length; i++) count(`t:${padded.slice(i, i + 3)}`, TRIGRAM_WEIGHT);
    }
    const vector = new Array<number>(this.size).fill(0);
    for (const [feature, weight] of counts) {
      const hash = fnv1a(feature);
      // The top bit picks the sign, so unrelated features cancel out on average instead of piling up.
      vector[hash % this.size]! += (hash & 0x80000000 ? -1 : 1) * (1 + Math.log(weight));
    }
    return normalize(vector);
  }

  async close(): Promise<void> {}
}

/** 32-bit FNV-1a over UTF-16 code units: fast, stable across runs and platforms. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
