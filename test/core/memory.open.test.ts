/** openMemory with a folder: a real LanceDB store on disk, one folder per embedding model, kept across openings. */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { openMemory } from '../../src/core';

test('a folder store opens LanceDB in a folder named for the model, and what was added is there when opened again', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'open-memory-'));
  try {
    const config = { store: dir, embedder: { kind: 'hashing' as const }, scope: 'workspace:abc' as const };
    const first = await openMemory(config);
    assert.equal(first.store.kind, 'lancedb');
    await first.add([{ content: 'Deploys go out on Fridays' }]);
    await first.close();
    assert.deepEqual(await readdir(dir), [first.embedder.model.replace(/[^A-Za-z0-9._-]/g, '_')]);

    const again = await openMemory(config);
    try {
      const [found] = await again.retrieveRelevant('when do deploys go out');
      assert.equal(found?.content, 'Deploys go out on Fridays');
      assert.equal(found?.scope, 'workspace:abc');
    } finally {
      await again.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
