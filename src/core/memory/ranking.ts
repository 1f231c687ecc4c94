/**
 * The final order of recalled memories: relevance to the query first, then how recent and how
 * important they are. Recency decays by half every `halfLifeDays`; a pinned memory (importance 1)
 * never fades below its relevance.
 */
import type { ScoredMemory } from './types';

export interface RankingOptions {
  /** Days after which recency counts half (default 30). */
  halfLifeDays?: number;
  /** Share of the score from recency (default 0.1). */
  recencyWeight?: number;
  /** Share of the score from importance (default 0.25: a pinned memory outranks a newer one that is as relevant). */
  importanceWeight?: number;
}

const DAY_MS = 86_400_000;

/** 1 now, 0.5 after one half-life, towards 0 after that. */
export function recency(timestamp: number, now: number, halfLifeDays: number): number {
  const ageDays = Math.max(0, now - timestamp) / DAY_MS;
  return Math.pow(0.5, ageDays / halfLifeDays);
}

/**
 * Re-scores results (relevance normalised by the best one) and sorts them; `relevanceScore` becomes
 * the final score, the store's own stays in `scores`.
 */
export function rankMemories(results: ScoredMemory[], now: number, options: RankingOptions = {}): ScoredMemory[] {
  const halfLife = options.halfLifeDays ?? 30;
  const wRecency = options.recencyWeight ?? 0.1;
  const wImportance = options.importanceWeight ?? 0.25;
  const wRelevance = Math.max(0, 1 - wRecency - wImportance);
  const best = Math.max(...results.map((r) => r.relevanceScore), Number.MIN_VALUE);
  return results
    .map((r) => ({
      ...r,
      relevanceScore: wRelevance * Math.max(0, r.relevanceScore / best) + wRecency * recency(r.timestamp, now, halfLife) + wImportance * r.importance,
    }))
    .sort((a, b) => b.relevanceScore - a.relevanceScore || a.id.localeCompare(b.id));
}
