/** openMemory: a MemoryConfig to an open MemoryManager, over a real LanceDB folder and the in-memory store. */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { backendOf } from '../../src/core/memory/config';
import { MemoryError } from '../../src/core/memory/errors';
import { openMemory, tableFor } from '../../src/core/memory/open';

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

  it('says which field of a bad configuration is wrong', async () => {
    await assert.rejects(openMemory({ store: '' }), (e: Error) => e instanceof MemoryError && /^memory config: store must name a folder/.test(e.message));
    await assert.rejects(openMemory({ store: ':memory:', scope: 'team' as 'global' }), /memory config: scope/);
    await assert.rejects(openMemory({ store: ':memory:', embedder: { kind: 'bert' as 'hashing' } }), /memory config: embedder.kind/);
  });
});
