/**
 * Retrieval quality of memory: plain BM25 (k1 1.2, b 0.75) against our vector and hybrid retrieval,
 * as MemoryManager.retrieveRelevant does it by default, on the public Cranfield collection and on a
 * synthetic set of project memories asked about in other words. recall@10 and nDCG@10, one JSON line
 * per data set and method. The embedder is the offline hashing fallback: no language model can be
 * downloaded on these machines (`--embedder` is where a real one would go).
 */
import { Bm25Index } from '../src/core/memory/bm25';
import { words } from '../src/core/memory/words';
import { HashingEmbedder } from '../src/core/memory/embedders/hashing';
import { MemoryManager } from '../src/core/memory/manager';
import { StateMemoryStore } from '../src/core/memory/stores/state';
import type { RetrievalMode } from '../src/core/memory/types';
import { cranfield, type Judged } from './cranfield';
import { mean, ndcgAt, recallAt } from './retrievalMetrics';
import { syntheticMemories } from './syntheticMemories';

const K = 10;

async function evaluate(name: string, data: Judged): Promise<void> {
  const bm25 = new Bm25Index(words);
  for (const d of data.documents) bm25.add(d.id, d.text);
  const manager = await MemoryManager.open({ store: new StateMemoryStore(), embedder: new HashingEmbedder(), clock: { now: () => 0 } });
  await manager.add(data.documents.map((d) => ({ id: d.id, content: d.text, timestamp: 0 })));

  const methods: Record<string, (query: string) => Promise<string[]>> = {
    bm25: async (q) => bm25.search(q, K).map((r) => r.id),
    ...Object.fromEntries(
      (['fulltext', 'vector', 'hybrid'] as RetrievalMode[]).map((mode) => [mode === 'fulltext' ? 'fulltext (stemmed)' : `${mode} (hashing)`, async (q: string) => (await manager.retrieveRelevant(q, { limit: K, mode })).map((m) => m.id)]),
    ),
  };
  for (const [method, search] of Object.entries(methods)) {
    const recall: number[] = [];
    const ndcg: number[] = [];
    for (const query of data.queries) {
      const ranked = await search(query.text);
      const judged = data.relevant.get(query.id)!;
      recall.push(recallAt(K, ranked, judged));
      ndcg.push(ndcgAt(K, ranked, judged));
    }
    const round = (n: number) => Math.round(n * 10000) / 10000;
    console.log(JSON.stringify({ bench: 'memoryQuality', dataset: name, method, queries: data.queries.length, documents: data.documents.length, recallAt10: round(mean(recall)), ndcgAt10: round(mean(ndcg)) }));
  }
}

async function main() {
  await evaluate('cranfield', cranfield());
  await evaluate('synthetic-project-memories', syntheticMemories(2000, 300));
}

void main();
