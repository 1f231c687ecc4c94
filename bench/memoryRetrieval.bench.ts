/**
 * LanceDbMemoryStore retrieval: latency, recall and insert throughput, one JSON line per figure.
 *
 * Data: 384-d unit vectors in 64 clusters (centre + noise), texts of 12–20 words drawn Zipf-like from
 * a 5,000-word vocabulary plus two words of the cluster's own (so BM25 has rare and common terms);
 * memoryType cycles through the four types. 100 queries near random cluster centres, each with
 * three words; "+filter" means memoryType = 'episodic' (a quarter of the rows).
 *
 * Beside each LanceDB figure, in the same run over the same data: exact search in plain JS — brute
 * force cosine over one Float32Array, BM25 over the in-process Bm25Index, and hybrid = fuse() of those
 * two exact rankings (limit × HYBRID_CANDIDATES_PER_RESULT candidates each, as the stores do).
 * recall@10 (vector) = |store top 10 ∩ exact cosine top 10| / 10. recall@10 (hybrid) = the same
 * against the exact hybrid: so it counts both the ANN's misses and any difference between LanceDB's
 * BM25 and Bm25Index's.
 * Inserts: rows/s batched (store() of 5,000 at a time, into the empty table), the indexing after it
 * (maintain(): full-text index, vector index above its threshold), then rows/s single (200 store()
 * calls of one memory each, into the full table, background maintenance running as it would).
 *
 *   node --import tsx bench/memoryRetrieval.bench.ts [rows…]      (default: 10000 100000)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Bm25Index } from '../src/core/memory/bm25';
import { fuse, HYBRID_CANDIDATES_PER_RESULT, type Ranked } from '../src/core/memory/fusion';
import { LanceDbMemoryStore } from '../src/core/memory/stores/lancedb';
import { memoryTypes, type Memory, type MemoryQuery } from '../src/core/memory/types';
import { percentile } from './stats';

const DIM = 384;
const CLUSTERS = 64;
const VOCABULARY = 5_000;
const QUERIES = 100;
const WARMUP = 10;
const K = 10;
const BATCH = 5_000;
const SINGLE_INSERTS = 200;

/** Deterministic data from a seed (mulberry32). */
function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = random(42);
const gaussian = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
const unit = (v: number[]) => {
  const norm = Math.hypot(...v);
  return v.map((x) => x / norm);
};
const centres = Array.from({ length: CLUSTERS }, () => unit(Array.from({ length: DIM }, gaussian)));
const near = (centre: number[], noise: number) => unit(centre.map((x) => x + noise * gaussian()));
const word = () => `w${Math.floor(VOCABULARY * rand() ** 2).toString(36)}`;
const text = (cluster: number) => [...Array.from({ length: 12 + Math.floor(rand() * 9) }, word), `topic${cluster}`, `theme${cluster}`].join(' ');

function makeMemories(n: number): Memory[] {
  return Array.from({ length: n }, (_, i) => {
    const cluster = Math.floor(rand() * CLUSTERS);
    return { id: `m${i}`, content: text(cluster), embedding: near(centres[cluster]!, 0.06), memoryType: memoryTypes[i % 4]!, timestamp: 1_700_000_000_000 + i, metadata: { i }, importance: 0.5, scope: 'global', provenance: { source: 'import' } };
  });
}

/** Exact search in plain JS over the same memories. */
function exactSearch(memories: Memory[]) {
  const flat = new Float32Array(memories.length * DIM);
  memories.forEach((m, i) => flat.set(m.embedding, i * DIM));
  const text = new Bm25Index();
  memories.forEach((m) => text.add(m.id, m.content));
  const byId = new Map(memories.map((m, i) => [m.id, i]));
  const vector = (q: number[], limit: number, type?: string): Ranked[] => {
    const best: Ranked[] = [];
    for (let i = 0; i < memories.length; i++) {
      if (type && memories[i]!.memoryType !== type) continue;
      let s = 0;
      for (let d = 0, o = i * DIM; d < DIM; d++) s += q[d]! * flat[o + d]!;
      if (best.length < limit || s > best.at(-1)!.score) {
        best.push({ memory: memories[i]!, score: s });
        best.sort((a, b) => b.score - a.score);
        if (best.length > limit) best.pop();
      }
    }
    return best;
  };
  const fulltext = (q: string, limit: number, type?: string): Ranked[] =>
    text.search(q, limit, (id) => !type || memories[byId.get(id)!]!.memoryType === type).map(({ id, score }) => ({ memory: memories[byId.get(id)!]!, score }));
  const hybrid = (q: { embedding: number[]; text: string }, type?: string) => fuse(vector(q.embedding, K * HYBRID_CANDIDATES_PER_RESULT, type), fulltext(q.text, K * HYBRID_CANDIDATES_PER_RESULT, type), K);
  return { vector, fulltext, hybrid };
}

const round = (n: number) => Math.round(n * 1000) / 1000;
function line(fields: Record<string, unknown>) {
  console.log(JSON.stringify({ bench: 'memory-retrieval', ...fields, load: round(loadavg()[0]!) }));
}

async function timed<T>(run: () => Promise<T> | T): Promise<{ ms: number; result: T }> {
  const start = performance.now();
  const result = await run();
  return { ms: performance.now() - start, result };
}

async function latencies<T>(queries: T[], run: (q: T) => Promise<unknown> | unknown): Promise<{ p50: number; p95: number }> {
  for (const q of queries.slice(0, WARMUP)) await run(q);
  const ms: number[] = [];
  for (const q of queries) ms.push((await timed(() => run(q))).ms);
  ms.sort((a, b) => a - b);
  return { p50: round(percentile(ms, 50)), p95: round(percentile(ms, 95)) };
}

const overlap = (a: { id: string }[], b: { memory?: { id: string }; id?: string }[]) => {
  const want = new Set(b.map((r) => r.memory?.id ?? r.id));
  return a.filter((r) => want.has(r.id)).length / Math.max(1, Math.min(K, want.size));
};
const mean = (xs: number[]) => round(xs.reduce((s, x) => s + x, 0) / xs.length);

async function run(rows: number): Promise<void> {
  const memories = makeMemories(rows);
  const exact = exactSearch(memories);
  const queries = Array.from({ length: QUERIES }, () => ({ embedding: near(centres[Math.floor(rand() * CLUSTERS)]!, 0.08), text: [word(), word(), `topic${Math.floor(rand() * CLUSTERS)}`].join(' ') }));
  const dir = mkdtempSync(join(tmpdir(), 'memory-bench-'));
  try {
    const store = await LanceDbMemoryStore.open(dir);
    await store.setSpace({ model: 'bench', dimension: DIM });
    const batched = await timed(async () => {
      for (let i = 0; i < rows; i += BATCH) await store.store(memories.slice(i, i + BATCH));
    });
    const indexing = await timed(() => store.maintain());
    const singles = makeMemories(SINGLE_INSERTS).map((m, i) => ({ ...m, id: `single${i}`, content: `single ${m.content}` }));
    const single = await timed(async () => {
      for (const m of singles) await store.store([m]);
    });
    await store.delete(singles.map((m) => m.id));
    await store.maintain();
    line({ rows, figure: 'insert', batchedRowsPerS: Math.round(rows / (batched.ms / 1000)), indexingMs: Math.round(indexing.ms), singleRowsPerS: Math.round(SINGLE_INSERTS / (single.ms / 1000)), vectorIndexed: store.vectorIndexed });

    const episodic = { memoryType: 'episodic' as const };
    const modes: { name: string; query: (q: (typeof queries)[number]) => MemoryQuery; exact: (q: (typeof queries)[number]) => unknown }[] = [
      { name: 'vector', query: (q) => ({ embedding: q.embedding, mode: 'vector' }), exact: (q) => exact.vector(q.embedding, K) },
      { name: 'vector+filter', query: (q) => ({ embedding: q.embedding, mode: 'vector', filter: episodic }), exact: (q) => exact.vector(q.embedding, K, 'episodic') },
      { name: 'fulltext', query: (q) => ({ text: q.text, mode: 'fulltext' }), exact: (q) => exact.fulltext(q.text, K) },
      { name: 'hybrid', query: (q) => ({ embedding: q.embedding, text: q.text }), exact: (q) => exact.hybrid(q) },
      { name: 'hybrid+filter', query: (q) => ({ embedding: q.embedding, text: q.text, filter: episodic }), exact: (q) => exact.hybrid(q, 'episodic') },
    ];
    for (const mode of modes) {
      const exactResults = new Map<(typeof queries)[number], unknown>();
      const js = await latencies(queries, (q) => exactResults.set(q, mode.exact(q)));
      const lance = await latencies(queries, (q) => store.retrieve({ ...mode.query(q), limit: K }));
      const recall: number[] = [];
      if (mode.name !== 'fulltext') {
        for (const q of queries) recall.push(overlap(await store.retrieve({ ...mode.query(q), limit: K }), exactResults.get(q) as { id: string }[]));
      }
      line({ rows, figure: 'query', mode: mode.name, lancedbP50Ms: lance.p50, lancedbP95Ms: lance.p95, exactJsP50Ms: js.p50, exactJsP95Ms: js.p95, ...(recall.length ? { recallAt10: mean(recall) } : {}), vectorIndexed: store.vectorIndexed });
    }
    await store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main() {
  const sizes = process.argv.slice(2).map(Number);
  for (const rows of sizes.length ? sizes : [10_000, 100_000]) await run(rows);
}

void main();
