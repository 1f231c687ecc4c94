/**
 * LanceDbMemoryStore beyond the MemoryStore contract (memoryStore.lancedb.contract.test.ts): loading
 * LanceDB lazily, refusing bad folders untouched, two processes writing one folder, and the vector
 * index once the table is big enough. Real LanceDB on disk in temp folders.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { EmbeddingSpaceError, MemoryStoreError } from '../../src/core/memory/errors';
import { LanceDbMemoryStore } from '../../src/core/memory/stores/lancedb';
import { vectorIndexDue } from '../../src/core/memory/stores/lancedbVectorIndex';
import type { Memory } from '../../src/core/memory/types';

// Checked before any test runs: importing the store must not load LanceDB's native binary.
const lanceLoadedOnImport = Object.keys(require.cache).some((path) => /[\\/]node_modules[\\/]@lancedb[\\/]/.test(path));

const root = resolve(__dirname, '../..');
const SPACE = { model: 'test-model', dimension: 4 };

async function tempDir(t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'lancedb-store-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

const unit = (v: number[]) => v.map((x) => x / Math.hypot(...v));

function memory(id: string, content: string, embedding = unit([1, 0, 0, 0])): Memory {
  return { id, content, embedding, memoryType: 'semantic', timestamp: 1_700_000_000_000, metadata: {}, importance: 0.5, scope: 'global', provenance: { source: 'user' } };
}

/** Every file under dir with its bytes, to show an error path changed nothing. */
async function snapshot(dir: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) {
      const path = join(entry.parentPath, entry.name);
      files.set(path, (await readFile(path)).toString('base64'));
    }
  }
  return files;
}

const namesFolder = (dir: string) => (error: unknown) => {
  assert.ok(error instanceof MemoryStoreError, String(error));
  assert.ok(error.message.includes(dir), error.message);
  assert.doesNotMatch(error.message, /\n/);
  return true;
};

describe('LanceDbMemoryStore', () => {
  it('does not load LanceDB until a store is opened', () => {
    assert.equal(lanceLoadedOnImport, false);
  });

  it('keeps its space and memories across a reopen, and refuses a space of another model naming both', async (t) => {
    const dir = await tempDir(t);
    const store = await LanceDbMemoryStore.open(dir, { table: 'notes' });
    await store.setSpace(SPACE);
    await store.store([memory('a', 'kept across restarts')]);
    await store.close();
    const again = await LanceDbMemoryStore.open(dir, { table: 'notes' });
    t.after(() => again.close());
    assert.deepEqual(await again.space(), SPACE);
    assert.equal((await again.get('a'))?.content, 'kept across restarts');
    await assert.rejects(again.setSpace({ model: 'other-model', dimension: 8 }), (e: Error) => e instanceof EmbeddingSpaceError && /test-model \(4 dimensions\)/.test(e.message) && /other-model \(8 dimensions\)/.test(e.message));
  });

  it('an empty store takes another space, with vectors of its size', async (t) => {
    const store = await LanceDbMemoryStore.open(await tempDir(t));
    t.after(() => store.close());
    await store.setSpace(SPACE);
    await store.setSpace({ model: 'wider', dimension: 6 });
    await store.store([memory('w', 'six wide', unit([1, 1, 0, 0, 0, 0]))]);
    assert.deepEqual(await store.space(), { model: 'wider', dimension: 6 });
    assert.equal((await store.retrieve({ embedding: unit([1, 1, 0, 0, 0, 0]), mode: 'vector' }))[0]?.id, 'w');
  });

  it('filters on a metadata value with quotes, as data, not SQL', async (t) => {
    const store = await LanceDbMemoryStore.open(await tempDir(t));
    t.after(() => store.close());
    await store.setSpace(SPACE);
    await store.store([{ ...memory('q', "it's Dublin's"), metadata: { owner: "O'Brien \"the\" dev" } }, memory('other', "it's Dublin's, not")]);
    assert.deepEqual((await store.retrieve({ text: "Dublin's", mode: 'fulltext', filter: { metadata: { owner: "O'Brien \"the\" dev" } } })).map((m) => m.id), ['q']);
    assert.equal(await store.count({ metadata: { owner: "O'Brien" } }), 0);
    assert.equal(await store.count({ scope: "global' OR '1'='1" as 'global' }), 0);
  });

  it('refuses a folder that is no LanceDB database, and a file, leaving them as they were', async (t) => {
    const dir = await tempDir(t);
    await writeFile(join(dir, 'notes.txt'), 'my own file');
    await assert.rejects(LanceDbMemoryStore.open(dir), namesFolder(dir));
    assert.deepEqual(await readdir(dir), ['notes.txt']);
    const file = join(dir, 'notes.txt');
    await assert.rejects(LanceDbMemoryStore.open(file), namesFolder(file));
    assert.equal(await readFile(file, 'utf8'), 'my own file');
  });

  it('refuses a table with a damaged data file, naming the folder, and changes no file', async (t) => {
    const dir = await tempDir(t);
    const store = await LanceDbMemoryStore.open(dir);
    await store.setSpace(SPACE);
    await store.store([memory('a', 'first'), memory('b', 'second')]);
    await store.close();
    const data = join(dir, 'memories.lance', 'data');
    const [file] = (await readdir(data)).filter((f) => f.endsWith('.lance'));
    assert.ok(file, 'a data file');
    const size = (await stat(join(data, file))).size;
    await writeFile(join(data, file), Buffer.alloc(size, 0x5a));
    const before = await snapshot(dir);
    await assert.rejects(LanceDbMemoryStore.open(dir), namesFolder(dir));
    assert.deepEqual(await snapshot(dir), before);
  });

  it('loses nothing when two processes store into the same folder at once', async (t) => {
    const dir = await tempDir(t);
    const store = await LanceDbMemoryStore.open(dir);
    t.after(() => store.close());
    await store.setSpace(SPACE);
    const writer = (prefix: string) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/lancedbWriter.ts', dir, prefix, '200'], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (chunk) => (stderr += chunk));
      return once(child, 'close').then(([code]) => assert.equal(code, 0, stderr));
    };
    await Promise.all([writer('one'), writer('two')]);
    assert.equal(await store.count(), 400);
    assert.equal((await store.retrieve({ text: 'two', mode: 'fulltext', limit: 1000 })).length, 200);
  });

  it('builds the vector index once the table reaches the threshold, and still finds the nearest', async (t) => {
    const store = await LanceDbMemoryStore.open(await tempDir(t), { vectorIndexMinRows: 300 });
    t.after(() => store.close());
    await store.setSpace(SPACE);
    const angle = (i: number) => unit([Math.cos(i / 50), Math.sin(i / 50), (i % 3) / 10, 0]);
    await store.store(Array.from({ length: 299 }, (_, i) => memory(`m${i}`, `note ${i}`, angle(i))));
    await store.maintain();
    assert.equal(store.vectorIndexed, false);
    await store.store([memory('m299', 'note 299', angle(299))]);
    await store.maintain();
    assert.equal(store.vectorIndexed, true);
    await store.store([memory('late', 'added after the index', unit([0, 0, 0, 1]))]);
    assert.equal((await store.retrieve({ embedding: angle(123), mode: 'vector', limit: 1 }))[0]?.id, 'm123');
    assert.equal((await store.retrieve({ embedding: unit([0, 0, 0, 1]), mode: 'vector', limit: 1 }))[0]?.id, 'late', 'rows not yet in the index are searched too');
  });

  it('retrains the vector index once the table has grown fourfold, and leaves an index it did not make alone', () => {
    const index = (name: string) => ({ name, columns: ['vector'] }) as Parameters<typeof vectorIndexDue>[0][number];
    assert.equal(vectorIndexDue([], 299, 300), undefined);
    assert.deepEqual(vectorIndexDue([], 300, 300), { name: 'vector_ivf_flat_300', replaces: undefined });
    assert.equal(vectorIndexDue([index('vector_ivf_flat_300')], 1199, 300), undefined);
    assert.deepEqual(vectorIndexDue([index('vector_ivf_flat_300')], 1200, 300), { name: 'vector_ivf_flat_1200', replaces: 'vector_ivf_flat_300' });
    assert.equal(vectorIndexDue([index('someone_elses')], 1_000_000, 300), undefined);
  });
});
