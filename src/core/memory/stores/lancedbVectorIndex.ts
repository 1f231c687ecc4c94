/**
 * Which ANN index the vector column gets, from when, and how queries use it. Measured here
 * (bench/memoryRetrieval.bench.ts; 384-d clustered vectors, recall@10 against exact search):
 * IVF_FLAT with √rows partitions and 20 probes kept recall at 1.0 at 10k and 100k rows, built in
 * 1.4 s / 7.7 s, and answered faster than flat search from ~5k rows on (flat: 5.7 ms at 5k, 21 ms at
 * 10k, 145 ms at 100k; IVF_FLAT 2 ms, 8 ms, 5.7 ms p50, all on a loaded 2-core machine).
 * IVF_HNSW_SQ needed ef 128 + refineFactor 5 for recall 0.99 at similar speed, but took 230 s to
 * build at 100k; IVF_PQ's defaults had poor recall. Rows added after a build are searched exactly
 * beside the index until optimize() folds them in.
 */
import type { IndexConfig, VectorQuery } from '@lancedb/lancedb';
import type { LanceDbModules } from './lancedbLoad';

/** Below this many rows vector search stays exact (flat), which is fast enough there. */
export const VECTOR_INDEX_MIN_ROWS = 5_000;
/** The partitions are trained once; after the table grows this many times over, they are trained again. */
const REBUILD_GROWTH = 4;
const PROBES = 20;
/** The index's name records the rows it was trained on. */
const PREFIX = 'vector_ivf_flat_';

const trainedOn = (index: IndexConfig) => (index.name.startsWith(PREFIX) ? Number(index.name.slice(PREFIX.length)) : Infinity);

/** The vector index a table of `rows` rows should get now (and the one it replaces), or undefined when it has the right one. */
export function vectorIndexDue(indices: IndexConfig[], rows: number, minRows: number): { name: string; replaces?: string } | undefined {
  const current = indices.find((i) => i.columns.includes('vector'));
  if (rows < minRows || (current && rows < REBUILD_GROWTH * trainedOn(current))) return undefined;
  return { name: `${PREFIX}${rows}`, replaces: current?.name };
}

export const buildVectorIndex = (lancedb: LanceDbModules['lancedb'], rows: number) =>
  lancedb.Index.ivfFlat({ distanceType: 'cosine', numPartitions: Math.max(1, Math.round(Math.sqrt(rows))) });

export const tuneVectorQuery = (query: VectorQuery) => query.nprobes(PROBES);
