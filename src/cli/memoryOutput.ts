/** How memories are shown: one JSON object a line (the import format; search adds score and query), or an aligned table. */
import { memoryRecordOf, type Memory, type MemoryManager, type ScoredMemory } from '../core';
import { localTime, oneLine, table } from './table';

export const memoryJson = (memory: Memory): string => JSON.stringify(memoryRecordOf(memory));

/** `query`: the 0-based line of the query in a --queries file. */
export const resultJson = (result: ScoredMemory, query?: number): string =>
  JSON.stringify({ ...(query === undefined ? {} : { query }), ...memoryRecordOf(result), score: Number(result.relevanceScore.toFixed(4)) });

export const memoryTable = (memories: Memory[]): string =>
  table(['ID', 'TYPE', 'SCOPE', 'TIME', 'CONTENT'], memories.map((m) => [m.id, m.memoryType, m.scope, localTime(m.timestamp), oneLine(m.content, 80)]));

export const resultTable = (results: ScoredMemory[]): string =>
  table(['SCORE', 'ID', 'TYPE', 'TIME', 'CONTENT'], results.map((m) => [m.relevanceScore.toFixed(3), m.id, m.memoryType, localTime(m.timestamp), oneLine(m.content, 80)]));

/** Said wherever the hashing fallback embeds: its results are far weaker than a language model's. */
export const embedderShown = (manager: MemoryManager): string =>
  manager.embedder.fallback ? `${manager.embedder.model} (the hashing fallback: it matches words, not meaning)` : manager.embedder.model;
