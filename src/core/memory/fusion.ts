/**
 * Hybrid retrieval: one ranking by vector similarity, one by BM25, merged. Every store ranks both its
 * own way and fuses here, so hybrid results mean the same whatever the store.
 */
import type { Fusion, Memory, MemoryQuery, RetrievalMode, ScoredMemory } from './types';

export const DEFAULT_LIMIT = 10;
export const DEFAULT_RRF_K = 60;
/** How many candidates each ranking contributes to a hybrid query, per result asked for. */
export const HYBRID_CANDIDATES_PER_RESULT = 4;

/** A memory ranked by one method, best first; `score` is that method's own (cosine, BM25). */
export interface Ranked {
  memory: Memory;
  score: number;
}

export function retrievalMode(query: MemoryQuery): RetrievalMode {
  if (query.mode) return query.mode;
  if (query.text !== undefined && query.embedding !== undefined) return 'hybrid';
  return query.embedding !== undefined ? 'vector' : 'fulltext';
}

/** Merges two rankings (best first) into the best `limit`, keeping each part's score. */
export function fuse(vector: Ranked[], fulltext: Ranked[], limit: number, fusion: Fusion = { kind: 'rrf' }): ScoredMemory[] {
  const merged = new Map<string, ScoredMemory>();
  const add = (ranking: Ranked[], part: 'vector' | 'fulltext', weight: number, contribution: (rank: number, score: number) => number) => {
    ranking.forEach(({ memory, score }, rank) => {
      const entry = merged.get(memory.id) ?? { ...memory, relevanceScore: 0, scores: {} };
      entry.scores[part] = score;
      entry.relevanceScore += weight * contribution(rank, score);
      merged.set(memory.id, entry);
    });
  };
  if (fusion.kind === 'rrf') {
    const k = fusion.k ?? DEFAULT_RRF_K;
    const rrf = (rank: number) => 1 / (k + rank + 1);
    add(vector, 'vector', 1, rrf);
    add(fulltext, 'fulltext', 1, rrf);
  } else {
    const w = Math.min(1, Math.max(0, fusion.vectorWeight));
    add(vector, 'vector', w, normaliser(vector));
    add(fulltext, 'fulltext', 1 - w, normaliser(fulltext));
  }
  return [...merged.values()].sort((a, b) => b.relevanceScore - a.relevanceScore || a.id.localeCompare(b.id)).slice(0, limit);
}

/** Min-max onto 0..1 within one ranking (a single result scores 1). */
function normaliser(ranking: Ranked[]): (rank: number, score: number) => number {
  const scores = ranking.map((r) => r.score);
  const min = Math.min(...scores);
  const span = Math.max(...scores) - min;
  return (_rank, score) => (span > 0 ? (score - min) / span : 1);
}

/** A single ranking as results. */
export function scored(ranking: Ranked[], part: 'vector' | 'fulltext'): ScoredMemory[] {
  return ranking.map(({ memory, score }) => ({ ...memory, relevanceScore: score, scores: { [part]: score } }));
}
