/**
 * The MemoryStore contract: what every store owes (src/core/memory/types.ts), registered through a
 * ContractSuite. Register a store with
 *   memoryStoreContract(suite, 'LanceDbMemoryStore', async (t) => ({ store, reopen }))
 * in test/core/memoryStore.<kind>.contract.test.ts. Vectors here are small and hand-made (8
 * dimensions), so every expected ranking can be worked out by reading the case.
 */
import assert from 'node:assert/strict';
import { EmbeddingSpaceError } from '../../src/core/memory/errors';
import type { EmbeddingSpace, Memory, MemoryStore, MemoryType } from '../../src/core/memory/types';
import type { CaseContext, ContractSuite } from './contractSuite';

export interface MemoryStoreSubject {
  /** A new, empty store (its own table or folder). */
  store: MemoryStore;
  /** The same storage opened again, as after a restart (stores that keep nothing across opens leave it out). */
  reopen?: () => Promise<MemoryStore>;
}

export type MemoryStoreFactory = (t: CaseContext) => Promise<MemoryStoreSubject>;

export const CONTRACT_SPACE: EmbeddingSpace = { model: 'contract-test', dimension: 8 };

/** A unit vector mostly along `axis`, with a little of `towards` (so near and far neighbours are clear). */
export function axisVector(axis: number, towards?: number, amount = 0.3): number[] {
  const v = new Array<number>(8).fill(0);
  v[axis] = 1;
  if (towards !== undefined) v[towards] = amount;
  const norm = Math.hypot(...v);
  return v.map((x) => x / norm);
}

let counter = 0;
export function memory(fields: Partial<Memory> & { content: string }): Memory {
  return {
    id: `m${++counter}`,
    embedding: axisVector(0),
    memoryType: 'semantic',
    timestamp: 1_700_000_000_000 + counter,
    metadata: {},
    importance: 0.5,
    scope: 'global',
    provenance: { source: 'user' },
    ...fields,
  };
}

const ids = (results: { id: string }[]) => results.map((r) => r.id);

async function opened(t: CaseContext, factory: MemoryStoreFactory, bind = true): Promise<MemoryStoreSubject> {
  const subject = await factory(t);
  t.after(() => subject.store.close());
  if (bind) await subject.store.setSpace(CONTRACT_SPACE);
  return subject;
}

function assertSameMemory(actual: Memory | undefined, expected: Memory): void {
  assert.ok(actual, `memory ${expected.id} is missing`);
  const { embedding, ...rest } = actual;
  const { embedding: expectedEmbedding, ...expectedRest } = expected;
  assert.deepEqual(rest, expectedRest);
  assert.equal(embedding.length, expectedEmbedding.length);
  embedding.forEach((x, i) => assert.ok(Math.abs(x - expectedEmbedding[i]!) < 1e-6, `embedding[${i}] ${x} != ${expectedEmbedding[i]}`));
}

export function memoryStoreContract(suite: ContractSuite, name: string, factory: MemoryStoreFactory): void {
  const { describe, it } = suite;
  describe(`MemoryStore contract: ${name}`, () => {
    describe('embedding space', () => {
      it('a new store has no space and no memories', async (t) => {
        const { store } = await opened(t, factory, false);
        assert.equal(await store.space(), undefined);
        assert.equal(await store.count(), 0);
        assert.deepEqual(await store.list(), []);
      });

      it('keeps the space it was given', async (t) => {
        const { store } = await opened(t, factory);
        assert.deepEqual(await store.space(), CONTRACT_SPACE);
      });

      it('refuses vectors of another length, naming the memory and both sizes', async (t) => {
        const { store } = await opened(t, factory);
        await assert.rejects(store.store([memory({ id: 'short', content: 'x', embedding: [1, 0, 0] })]), (e: Error) => {
          assert.ok(e instanceof EmbeddingSpaceError, String(e));
          assert.match(e.message, /short/);
          assert.match(e.message, /3\b/);
          assert.match(e.message, /8 dimensions/);
          return true;
        });
        assert.equal(await store.count(), 0);
      });

      it('refuses another space once it holds memories, and keeps them', async (t) => {
        const { store } = await opened(t, factory);
        await store.store([memory({ content: 'kept' })]);
        await assert.rejects(store.setSpace({ model: 'other-model', dimension: 8 }), (e: Error) => e instanceof EmbeddingSpaceError && /contract-test/.test(e.message) && /other-model/.test(e.message));
        assert.deepEqual(await store.space(), CONTRACT_SPACE);
        assert.equal(await store.count(), 1);
      });
    });

    describe('storing and reading', () => {
      it('gives back every field as stored: unicode, nested metadata, provenance', async (t) => {
        const { store } = await opened(t, factory);
        const stored = memory({
          content: 'Der Nutzer bevorzugt Tabs — 使用制表符 🙂 "quoted" \'single\' \\ back',
          memoryType: 'long_term',
          metadata: { source: 'chat', tags: ['style', 'editor'], nested: { level: 2, ok: true }, quote: "it's" },
          importance: 0.9,
          scope: 'workspace:abc123',
          provenance: { source: 'run', runId: 'run-1', toolCallId: 'call-42' },
          embedding: axisVector(3, 4),
        });
        await store.store([stored]);
        assertSameMemory(await store.get(stored.id), stored);
        assert.equal(await store.get('no-such-id'), undefined);
      });

      it('replaces a memory stored again under the same id', async (t) => {
        const { store } = await opened(t, factory);
        const first = memory({ content: 'first version' });
        await store.store([first]);
        await store.store([{ ...first, content: 'second version' }]);
        assert.equal(await store.count(), 1);
        assert.equal((await store.get(first.id))?.content, 'second version');
        assert.deepEqual(ids(await store.retrieve({ text: 'first', mode: 'fulltext' })), []);
      });

      it('counts and lists with filters, orders and pages that never overlap', async (t) => {
        const { store } = await opened(t, factory);
        const all = [
          memory({ content: 'a', memoryType: 'episodic', timestamp: 1000, importance: 0.2 }),
          memory({ content: 'b', memoryType: 'episodic', timestamp: 3000, importance: 0.9, scope: 'workspace:w1' }),
          memory({ content: 'c', memoryType: 'semantic', timestamp: 2000, importance: 0.5, metadata: { topic: 'db' } }),
          memory({ content: 'd', memoryType: 'long_term', timestamp: 4000, importance: 0.7, metadata: { topic: 'ui' } }),
        ];
        await store.store(all);
        assert.equal(await store.count(), 4);
        assert.equal(await store.count({ memoryType: 'episodic' }), 2);
        assert.equal(await store.count({ memoryType: ['semantic', 'long_term'] }), 2);
        assert.equal(await store.count({ scope: 'workspace:w1' }), 1);
        assert.equal(await store.count({ since: 2000, until: 4000 }), 2);
        assert.equal(await store.count({ minImportance: 0.7 }), 2);
        assert.equal(await store.count({ metadata: { topic: 'db' } }), 1);
        assert.deepEqual(ids(await store.list()), ids([all[3]!, all[1]!, all[2]!, all[0]!]), 'newest first by default');
        assert.deepEqual(ids(await store.list({ order: 'oldest' })), ids([all[0]!, all[2]!, all[1]!, all[3]!]));
        assert.deepEqual(ids(await store.list({ order: 'importance' })), ids([all[1]!, all[3]!, all[2]!, all[0]!]));
        const pages = [...(await store.list({ limit: 3 })), ...(await store.list({ offset: 3, limit: 3 }))];
        assert.deepEqual(ids(pages), ids(await store.list()));
        assert.deepEqual(ids(await store.list({ filter: { memoryType: 'episodic' }, order: 'oldest' })), ids([all[0]!, all[1]!]));
      });

      it('updates content, metadata and importance, and searches see the new content', async (t) => {
        const { store } = await opened(t, factory);
        const m = memory({ content: 'the build uses webpack' });
        await store.store([m]);
        const updated = await store.update(m.id, { content: 'the build uses esbuild', metadata: { edited: true }, importance: 1 });
        assert.equal(updated?.content, 'the build uses esbuild');
        assert.deepEqual((await store.get(m.id))?.metadata, { edited: true });
        assert.equal((await store.get(m.id))?.importance, 1);
        assert.deepEqual(ids(await store.retrieve({ text: 'esbuild', mode: 'fulltext' })), [m.id]);
        assert.deepEqual(ids(await store.retrieve({ text: 'webpack', mode: 'fulltext' })), []);
        assert.equal(await store.update('no-such-id', { content: 'x' }), undefined);
      });

      it('deletes, counting only what existed, and deleted memories are found by no search', async (t) => {
        const { store } = await opened(t, factory);
        const [a, b] = [memory({ content: 'alpha note', embedding: axisVector(1) }), memory({ content: 'beta note', embedding: axisVector(2) })];
        await store.store([a, b]);
        assert.equal(await store.delete([a.id, 'no-such-id']), 1);
        assert.equal(await store.get(a.id), undefined);
        assert.equal(await store.count(), 1);
        assert.ok(!ids(await store.retrieve({ embedding: axisVector(1), mode: 'vector' })).includes(a.id));
        assert.deepEqual(ids(await store.retrieve({ text: 'alpha', mode: 'fulltext' })), []);
        assert.equal(await store.delete([a.id]), 0);
      });
    });

    describe('retrieval', () => {
      /** Three memories near axis 1 at falling similarity, one far; texts chosen so BM25 prefers others. */
      async function corpus(store: MemoryStore) {
        const m = {
          exact: memory({ id: 'exact', content: 'tabs are preferred for indentation', embedding: axisVector(1) }),
          near: memory({ id: 'near', content: 'indentation style of the project', embedding: axisVector(1, 2, 0.5) }),
          farther: memory({ id: 'farther', content: 'postgres runs on port 5432', embedding: axisVector(1, 2, 1.5) }),
          far: memory({ id: 'far', content: 'postgres postgres connection pooling with pgbouncer', embedding: axisVector(5) }),
          episode: memory({ id: 'episode', content: 'yesterday the user fixed the postgres migration', memoryType: 'episodic', embedding: axisVector(1, 2, 0.8), timestamp: 1_800_000_000_000, metadata: { kind: 'fix' } }),
        };
        await store.store(Object.values(m));
        return m;
      }

      it('vector: nearest first, with the cosine similarity as score', async (t) => {
        const { store } = await opened(t, factory);
        await corpus(store);
        const results = await store.retrieve({ embedding: axisVector(1), mode: 'vector', limit: 4 });
        assert.deepEqual(ids(results), ['exact', 'near', 'episode', 'farther']);
        assert.ok(Math.abs(results[0]!.relevanceScore - 1) < 1e-5, `cosine of identical vectors is 1, got ${results[0]!.relevanceScore}`);
        const expectedNear = 1 / Math.hypot(1, 0.5);
        assert.ok(Math.abs(results[1]!.relevanceScore - expectedNear) < 1e-4, `near: ${results[1]!.relevanceScore} vs ${expectedNear}`);
        assert.equal(results[1]!.scores.vector, results[1]!.relevanceScore);
        assert.equal(results[0]!.content, 'tabs are preferred for indentation');
      });

      it('full-text: only memories with a query word, rarer and more frequent words first', async (t) => {
        const { store } = await opened(t, factory);
        await corpus(store);
        const results = await store.retrieve({ text: 'postgres pgbouncer', mode: 'fulltext' });
        assert.equal(results[0]!.id, 'far', 'the one with the rare word and the common word twice');
        assert.deepEqual(new Set(ids(results)), new Set(['far', 'farther', 'episode']));
        for (let i = 1; i < results.length; i++) assert.ok(results[i - 1]!.relevanceScore >= results[i]!.relevanceScore);
        assert.ok(results.every((r) => r.scores.fulltext !== undefined && r.relevanceScore > 0));
        assert.deepEqual(await store.retrieve({ text: 'kubernetes', mode: 'fulltext' }), []);
      });

      it('full-text ignores case and punctuation', async (t) => {
        const { store } = await opened(t, factory);
        await corpus(store);
        assert.deepEqual(ids(await store.retrieve({ text: 'PGBOUNCER?!', mode: 'fulltext' })), ['far']);
      });

      it('hybrid: what both rankings agree on comes first; each part keeps its score', async (t) => {
        const { store } = await opened(t, factory);
        await corpus(store);
        const results = await store.retrieve({ text: 'indentation tabs', embedding: axisVector(1), limit: 5 });
        assert.equal(results[0]!.id, 'exact');
        assert.ok(results[0]!.scores.vector !== undefined && results[0]!.scores.fulltext !== undefined);
        assert.ok(ids(results).includes('farther'), 'found by the vector ranking alone');
        for (let i = 1; i < results.length; i++) assert.ok(results[i - 1]!.relevanceScore >= results[i]!.relevanceScore);
      });

      it('hybrid, weighted all on vectors, ranks as vector search does', async (t) => {
        const { store } = await opened(t, factory);
        await corpus(store);
        const results = await store.retrieve({ text: 'postgres', embedding: axisVector(1), fusion: { kind: 'weighted', vectorWeight: 1 }, limit: 3 });
        assert.deepEqual(ids(results), ['exact', 'near', 'episode']);
      });

      it('filters apply to every mode', async (t) => {
        const { store } = await opened(t, factory);
        await corpus(store);
        const only = (memoryType: MemoryType) => ({ memoryType });
        assert.deepEqual(ids(await store.retrieve({ embedding: axisVector(1), mode: 'vector', filter: only('episodic') })), ['episode']);
        assert.deepEqual(ids(await store.retrieve({ text: 'postgres', mode: 'fulltext', filter: only('episodic') })), ['episode']);
        assert.deepEqual(ids(await store.retrieve({ text: 'postgres', embedding: axisVector(1), filter: only('episodic') })), ['episode']);
        assert.deepEqual(ids(await store.retrieve({ text: 'postgres', mode: 'fulltext', filter: { since: 1_800_000_000_000 } })), ['episode']);
        assert.deepEqual(ids(await store.retrieve({ embedding: axisVector(1), mode: 'vector', filter: { metadata: { kind: 'fix' } } })), ['episode']);
        assert.deepEqual(ids(await store.retrieve({ embedding: axisVector(1), mode: 'vector', filter: { metadata: { kind: "x' OR '1'='1" } } })), []);
      });

      it('limits results (10 unless asked), and a filtered query still fills its limit', async (t) => {
        const { store } = await opened(t, factory);
        const many = Array.from({ length: 30 }, (_, i) => memory({ content: `note number ${i}`, embedding: axisVector(i % 8), memoryType: i % 3 === 0 ? 'episodic' : 'semantic' }));
        await store.store(many);
        assert.equal((await store.retrieve({ embedding: axisVector(0), mode: 'vector' })).length, 10);
        assert.equal((await store.retrieve({ text: 'note', mode: 'fulltext', limit: 4 })).length, 4);
        assert.equal((await store.retrieve({ text: 'note', embedding: axisVector(0), limit: 7 })).length, 7);
        assert.equal((await store.retrieve({ embedding: axisVector(0), mode: 'vector', limit: 10, filter: { memoryType: 'episodic' } })).length, 10);
      });
    });

    it('keeps memories and space across a reopen', async (t) => {
      const subject = await opened(t, factory);
      if (!subject.reopen) return; // nothing kept across opens (the in-memory store)
      const m = memory({ content: 'persisted across restarts', embedding: axisVector(6), metadata: { n: 1 } });
      await subject.store.store([m]);
      await subject.store.close();
      const again = await subject.reopen();
      t.after(() => again.close());
      assert.deepEqual(await again.space(), CONTRACT_SPACE);
      assertSameMemory(await again.get(m.id), m);
      assert.deepEqual(ids(await again.retrieve({ text: 'restarts', embedding: axisVector(6) })), [m.id]);
    });
  });
}
