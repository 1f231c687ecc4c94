/**
 * BM25 over an in-memory inverted index (k1 1.2, b 0.75): the full-text ranking of the in-memory
 * store and, over plain words, the baseline the retrieval-quality benchmark compares against.
 */
import { terms } from './words';

export const BM25_K1 = 1.2;
export const BM25_B = 0.75;

export class Bm25Index {
  /** How text becomes terms: stemmed and without stopwords by default; `words` for plain BM25. */
  constructor(private readonly tokenize: (text: string) => string[] = terms) {}

  /** term → (document id → term frequency) */
  readonly #postings = new Map<string, Map<string, number>>();
  readonly #lengths = new Map<string, number>();
  /** document id → its distinct terms, so removing one touches only its postings */
  readonly #terms = new Map<string, string[]>();
  #totalLength = 0;

  get size(): number {
    return this.#lengths.size;
  }

  add(id: string, text: string): void {
    this.remove(id);
    const terms = this.tokenize(text);
    this.#lengths.set(id, terms.length);
    this.#terms.set(id, [...new Set(terms)]);
    this.#totalLength += terms.length;
    for (const term of terms) {
      const postings = this.#postings.get(term) ?? new Map<string, number>();
      postings.set(id, (postings.get(id) ?? 0) + 1);
      this.#postings.set(term, postings);
    }
  }

  remove(id: string): void {
    const length = this.#lengths.get(id);
    if (length === undefined) return;
    this.#lengths.delete(id);
    this.#totalLength -= length;
    for (const term of this.#terms.get(id)!) {
      const postings = this.#postings.get(term)!;
      postings.delete(id);
      if (postings.size === 0) this.#postings.delete(term);
    }
    this.#terms.delete(id);
  }

  /** Documents with at least one query term, best first, among those `accept` lets through. */
  search(query: string, limit: number, accept: (id: string) => boolean = () => true): { id: string; score: number }[] {
    const n = this.#lengths.size;
    if (n === 0) return [];
    const averageLength = this.#totalLength / n || 1;
    const scores = new Map<string, number>();
    for (const term of new Set(this.tokenize(query))) {
      const postings = this.#postings.get(term);
      if (!postings) continue;
      const idf = Math.log(1 + (n - postings.size + 0.5) / (postings.size + 0.5));
      for (const [id, tf] of postings) {
        if (!accept(id)) continue;
        const norm = BM25_K1 * (1 - BM25_B + (BM25_B * this.#lengths.get(id)!) / averageLength);
        scores.set(id, (scores.get(id) ?? 0) + (idf * tf * (BM25_K1 + 1)) / (tf + norm));
      }
    }
    return [...scores]
      .map(([id, score]) => ({ id, score }))
      .sort((a, b) => b.score - a.score || a.id.localeCompare(b.id))
      .slice(0, limit);
  }
}
