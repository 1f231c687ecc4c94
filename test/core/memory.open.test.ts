/** openMemory: a MemoryConfig to an open MemoryManager, over a real LanceDB folder and the in-memory store. */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { backendOf } from '../../src/core/memory/config';
import { MemoryError } from '../../src/core/memory/errors';
import { openMemory, tableFor } from '../../src/core/memory/open';
import { TINY_MODEL_ID, tinyModelFolder } from '../support/tinyModelFolder';

async function folder(t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'daw-open-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

describe('openMemory', () => {
  it('keeps memories in a LanceDB folder across opens, in a table of the embedding model', async (t) => {
    const dir = await folder(t);
    const first = await openMemory({ store: dir, embedder: { kind: 'hashing' } });
    await first.add([{ content: 'the release branch is cut on Thursdays', metadata: { team: 'infra' } }]);
    assert.equal(first.store.kind, 'lancedb');
    await first.close();
    assert.deepEqual(await readdir(dir), [`${tableFor('hashing-v1-384')}.lance`]);

    const again = await openMemory({ store: dir, embedder: { kind: 'hashing' } });
    t.after(() => again.close());
    const [hit] = await again.retrieveRelevant('when is the release branch cut?');
    assert.equal(hit!.content, 'the release branch is cut on Thursdays');
    assert.deepEqual(hit!.metadata, { team: 'infra' });
  });

  it('names a table per model, safe for LanceDB and PostgreSQL', () => {
    assert.match(tableFor('Xenova/all-MiniLM-L6-v2'), /^memories_xenova_all_minilm_l6_v2_[0-9a-f]{6}$/);
    assert.notEqual(tableFor('a/b'), tableFor('a-b'), 'models whose slugs agree still get their own tables');
    assert.ok(tableFor('x'.repeat(200)).length <= 63);
  });

  it('chooses the backend from the store', () => {
    assert.equal(backendOf({ store: ':memory:' }), 'state');
    assert.equal(backendOf({ store: 'postgres://u@h/db' }), 'pgvector');
    assert.equal(backendOf({ store: 'postgresql://u@h/db' }), 'pgvector');
    assert.equal(backendOf({ store: '/home/me/memory' }), 'lancedb');
    assert.equal(backendOf({ store: '/x', backend: 'state' }), 'state');
  });

  it('embeds with a local model when one is at hand (the real transformers.js loading path, on a generated model)', async (t) => {
    const warnings: string[] = [];
    const memory = await openMemory({ store: ':memory:', embedder: { model: TINY_MODEL_ID, modelPath: tinyModelFolder() } }, { onWarning: (w) => warnings.push(w) });
    t.after(() => memory.close());
    assert.equal(memory.embedder.model, TINY_MODEL_ID);
    assert.equal(memory.embedder.fallback, false);
    assert.deepEqual(warnings, []);
    await memory.add([{ content: 'embedded by a model' }]);
    assert.equal((await memory.list())[0]!.embedding.length, await memory.embedder.dimension());
  });

  it('falls back to hashing, and says so, when no model is at hand; asked for a model by name, it fails instead', async (t) => {
    const empty = await folder(t);
    const warnings: string[] = [];
    const memory = await openMemory({ store: ':memory:', embedder: { modelPath: empty } }, { onWarning: (w) => warnings.push(w) });
    t.after(() => memory.close());
    assert.equal(memory.embedder.fallback, true);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /^memory: no embedding model could be loaded \(.*\); using the hashing fallback, which matches words, not meaning$/);
    assert.ok(warnings[0]!.includes(empty), 'the warning names the folder looked in');
    await assert.rejects(openMemory({ store: ':memory:', embedder: { kind: 'transformers', modelPath: empty } }), (e: Error) => e.message.includes(empty));
  });

  it('says which field of a bad configuration is wrong', async () => {
    await assert.rejects(openMemory({ store: '' }), (e: Error) => e instanceof MemoryError && /^memory config: store must name a folder/.test(e.message));
    await assert.rejects(openMemory({ store: ':memory:', scope: 'team' as 'global' }), /memory config: scope/);
    await assert.rejects(openMemory({ store: ':memory:', embedder: { kind: 'bert' as 'hashing' } }), /memory config: embedder.kind/);
  });
});
