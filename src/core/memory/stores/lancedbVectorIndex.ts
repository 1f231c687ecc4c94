/**
 * Which ANN index the vector column gets once the table is big enough, and how queries tune it.
 * Chosen by measured recall against exact search (bench/memoryRetrieval.bench.ts); see the figures there.
 */
import type { VectorQuery } from '@lancedb/lancedb';
import type { LanceDbModules } from './lancedbLoad';

/** Below this many rows vector search stays exact (flat). */
export const VECTOR_INDEX_MIN_ROWS = 20_000;

export const VECTOR_INDEX = {
  build: (lancedb: LanceDbModules['lancedb'], rows: number) => lancedb.Index.ivfFlat({ distanceType: 'cosine', numPartitions: Math.max(1, Math.round(Math.sqrt(rows))) }),
  tune: (query: VectorQuery) => query.nprobes(20),
};
