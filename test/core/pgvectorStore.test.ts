/**
 * What the pgvector store does beyond the MemoryStore contract: a lazily loaded driver, reconnecting,
 * a server that goes away mid-write, hostile filter values, unicode. Real pgvector on PGlite
 * (test/support/pglite.ts), through the real `pg` driver.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Pool } from 'pg';
import { EmbeddingSpaceError, MemoryStoreError } from '../../src/core/memory/errors';
import { PgVectorMemoryStore } from '../../src/core/memory/stores/pgvector';
import { axisVector, CONTRACT_SPACE, memory } from '../support/memoryStoreContract';
import { startPgliteServer, type PgliteServer } from '../support/pglite';
import { freePort } from '../support/postgres';

const pgLoadedOnImport = Object.keys(require.cache).some((path) => /[\\/]node_modules[\\/]pg[\\/]/.test(path));
const ids = (results: { id: string }[]) => results.map((r) => r.id);

describe('PgVectorMemoryStore', () => {
  let server: PgliteServer;
  let tables = 0;
  before(async () => {
    server = await startPgliteServer();
  });
  after(() => server.stop());

  const fresh = () => ({ schema: 'specifics', table: `memories_${++tables}` });
  async function opened(t: { after(fn: () => unknown): void }, options = fresh()): Promise<PgVectorMemoryStore> {
    const store = await PgVectorMemoryStore.open(server.connectionString, options);
    t.after(() => store.close());
    await store.setSpace(CONTRACT_SPACE);
    return store;
  }
  async function callerPool(t: { after(fn: () => unknown): void }): Promise<Pool> {
    const { default: pg } = await import('pg');
    const pool = new pg.Pool({ connectionString: server.connectionString });
    t.after(() => pool.end());
    return pool;
  }
  const namesServer = (pattern: RegExp) => (error: unknown) => {
    assert.ok(error instanceof MemoryStoreError, String(error));
    assert.match(error.message, /^PostgreSQL at 127\.0\.0\.1:\d+\/postgres \(specifics\.memories_\d+\): /);
    assert.match(error.message, pattern);
    assert.doesNotMatch(error.message, /s3cret/);
    assert.doesNotMatch(error.message, /\n/);
    return true;
  };

  it('does not load pg until a store is opened', async (t) => {
    assert.equal(pgLoadedOnImport, false);
    await opened(t);
    assert.ok(Object.keys(require.cache).some((path) => /[\\/]node_modules[\\/]pg[\\/]/.test(path)));
  });

  it('a store opened again over new connections keeps its memories and space; a caller’s pool stays open', async (t) => {
    const options = fresh();
    const first = await opened(t, options);
    const m = memory({ content: 'kept across reconnecting', embedding: axisVector(2), metadata: { n: 1 } });
    await first.store([m]);
    await first.close();

    const pool = await callerPool(t);
    const again = await PgVectorMemoryStore.open(pool, options);
    assert.deepEqual(await again.space(), CONTRACT_SPACE);
    assert.deepEqual(ids(await again.retrieve({ text: 'reconnecting', embedding: axisVector(2) })), [m.id]);
    await again.close();
    assert.equal((await pool.query('select 1 as one')).rows[0].one, 1, 'the caller’s pool is not ended');
    await assert.rejects(again.setSpace({ model: 'other', dimension: 8 }), EmbeddingSpaceError);
  });

  it('indexes vectors with HNSW (cosine) once the space is set, and an emptied store takes a space of another size', async (t) => {
    const options = fresh();
    const store = await opened(t, options);
    const pool = await callerPool(t);
    const indexes = async () => (await pool.query<{ indexdef: string }>('select indexdef from pg_indexes where schemaname = $1 and tablename = $2', [options.schema, options.table])).rows.map((r) => r.indexdef);
    assert.ok((await indexes()).some((def) => /USING hnsw \(embedding vector_cosine_ops\)/.test(def)), String(await indexes()));
    assert.ok((await indexes()).some((def) => /USING gin \(tsv\)/.test(def)));

    const m = memory({ content: 'eight dimensions' });
    await store.store([m]);
    await store.delete([m.id]);
    await store.setSpace({ model: 'wider', dimension: 12 });
    const wide = memory({ content: 'twelve dimensions', embedding: Array.from({ length: 12 }, (_, i) => (i === 3 ? 1 : 0)) });
    await store.store([wide]);
    assert.equal((await store.retrieve({ embedding: wide.embedding, mode: 'vector' }))[0]?.id, wide.id);
    assert.ok((await indexes()).some((def) => /USING hnsw/.test(def)));
  });

  it('a connection dropped at the commit of a batch is retried, and the batch lands once', async (t) => {
    const store = await opened(t);
    const batch = [memory({ content: 'one' }), memory({ content: 'two' }), memory({ content: 'three' })];
    const connectionsBefore = server.connections();
    const dropped = server.goAwayOn('commit');
    await store.store(batch);
    await dropped;
    assert.ok(server.connections() > connectionsBefore, 'a new connection was made for the retry');
    assert.deepEqual(ids(await store.list({ order: 'oldest' })), ids(batch));
  });

  it('a server that goes away mid-write is retried, then a clear error naming it; none of the batch is visible', async (t) => {
    const store = await opened(t);
    const kept = memory({ content: 'stored before' });
    await store.store([kept]);
    const gone = server.goAwayOn('commit', { stayAway: true });
    t.after(() => server.comeBack().catch(() => {}));
    const batch = [memory({ content: 'lost one' }), memory({ content: 'lost two' })];
    await assert.rejects(store.store(batch), namesServer(/storing 2 memories: server unreachable after \d+ tries: .*ECONNREFUSED/));
    await gone;

    await server.comeBack();
    assert.deepEqual(ids(await store.list()), [kept.id], 'the rolled-back batch left nothing behind');
    await store.store(batch);
    assert.equal(await store.count(), 3, 'the same store works again once the server is back');
  });

  it('a server that is not there is a clear one-line error naming it, never the password', async () => {
    const port = await freePort();
    await assert.rejects(PgVectorMemoryStore.open(`postgresql://deep:s3cret@127.0.0.1:${port}/postgres`, { schema: 'specifics', table: 'memories_0' }), (error: unknown) => {
      namesServer(/opening: server unreachable/)(error);
      assert.match((error as Error).message, new RegExp(`127\\.0\\.0\\.1:${port}`));
      return true;
    });
  });

  it('refuses schema and table names it would have to quote', async () => {
    await assert.rejects(PgVectorMemoryStore.open(server.connectionString, { schema: 'a"; drop schema x; --' }), /not a valid schema name/);
    await assert.rejects(PgVectorMemoryStore.open(server.connectionString, { table: 'memo-ries' }), /not a valid table name/);
  });

  it('hostile filter values and query text are only values: nothing leaks, nothing breaks', async (t) => {
    const store = await opened(t);
    const hostile = `x'); drop table specifics.memories_1; --`;
    const stored = [memory({ content: hostile, metadata: { kind: 'fix', [hostile]: hostile } }), memory({ content: 'plain note', metadata: { kind: 'other' } })];
    await store.store(stored);
    const vector = (metadata: Record<string, string>) => store.retrieve({ embedding: axisVector(0), mode: 'vector', filter: { metadata } });
    assert.deepEqual(ids(await vector({ kind: "x' OR '1'='1" })), []);
    assert.deepEqual(ids(await vector({ "kind' OR '1'='1": 'fix' })), []);
    assert.deepEqual(ids(await vector({ kind: 'fix"}, "kind": "other' })), []);
    assert.deepEqual(ids(await vector({ [hostile]: hostile })), [stored[0]!.id]);
    assert.equal(await store.count({ scope: `global' or '1'='1` as 'global', memoryType: ['semantic'] }), 0);
    for (const text of ["a & !b | (c' \\", "'; select pg_sleep(10); --", ':* <-> !!', '']) {
      assert.deepEqual(await store.retrieve({ text, mode: 'fulltext' }), [], `query ${JSON.stringify(text)}`);
    }
    assert.equal((await store.get(stored[0]!.id))?.content, hostile);
    assert.equal(await store.count(), 2);
  });

  it('unicode content round-trips and is found by its words in any case', async (t) => {
    const store = await opened(t);
    const texts = ['Der Nutzer bevorzugt Tabs — Größe 🙂', '使用制表符 缩进', 'Ελληνικά κείμενα και emoji 🚀'];
    const stored = texts.map((content, i) => memory({ content, embedding: axisVector(i + 1) }));
    await store.store(stored);
    for (const m of stored) assert.equal((await store.get(m.id))?.content, m.content);
    assert.deepEqual(ids(await store.retrieve({ text: 'GRÖßE', mode: 'fulltext' })), [stored[0]!.id]);
    assert.deepEqual(ids(await store.retrieve({ text: '使用制表符', mode: 'fulltext' })), [stored[1]!.id]);
    assert.deepEqual(ids(await store.retrieve({ text: 'ΚΕΊΜΕΝΑ', mode: 'fulltext' })), [stored[2]!.id]);
  });
});
