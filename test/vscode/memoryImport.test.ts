/** Importing a memory file (memoryImport.ts) into a real MemoryManager (in-process store, hashing embedder), without VS Code. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HashingEmbedder, MemoryManager, StateMemoryStore } from '../../src/core';
import { importRecords, recordsOf } from '../../src/vscode/memoryImport';

test('JSON lines keep their line numbers; blank lines are skipped', () => {
  assert.deepEqual(recordsOf('{"content":"a"}\n\n  \r\n{"content":"b"}\n', 'm.jsonl'), [
    { text: '{"content":"a"}', where: 'm.jsonl:1' },
    { text: '{"content":"b"}', where: 'm.jsonl:4' },
  ]);
});

test('a .json array gives its items, numbered; a broken array is named', () => {
  assert.deepEqual(recordsOf(' [{"content":"a"}, {"content":"b"}]', 'm.json'), [
    { text: '{"content":"a"}', where: 'm.json: item 1' },
    { text: '{"content":"b"}', where: 'm.json: item 2' },
  ]);
  assert.throws(() => recordsOf('[{"content":', 'm.json'), /^Error: m\.json: not a JSON array \(.+\)$/);
  assert.deepEqual(recordsOf('{"content":"a"}', 'm.json'), [{ text: '{"content":"a"}', where: 'm.json:1' }], 'a .json file of lines is read as lines');
});

test('good records are kept and each bad one is named by file and line, also when the manager refuses it', async () => {
  const manager = await MemoryManager.open({ store: new StateMemoryStore(), embedder: new HashingEmbedder(), scope: 'workspace:w' });
  const file = [
    JSON.stringify({ content: 'Deploys go out on Fridays', type: 'semantic' }),
    '{"content": ',
    JSON.stringify({ content: 'Tabs, not spaces', type: 'long_term', importance: 0.9, scope: 'global' }),
    JSON.stringify({ content: 'x', type: 'fact' }),
    // Valid as a record, refused by the manager: the rest of its batch is still kept.
    JSON.stringify({ content: '   ' }),
    JSON.stringify({ content: 'The API lives in src/api' }),
  ].join('\n');
  const progress: number[] = [];
  const result = await importRecords(manager, recordsOf(file, 'mem.jsonl'), { onProgress: (done) => progress.push(done) });
  assert.equal(result.imported, 3);
  assert.equal(result.problems.length, 3);
  assert.match(result.problems[0]!, /^mem\.jsonl:2: not JSON/);
  assert.match(result.problems[1]!, /^mem\.jsonl:4: "type" /);
  assert.equal(result.problems[2], 'mem.jsonl:5: content is empty');
  assert.deepEqual((await manager.list({ order: 'oldest' })).map((m) => [m.content, m.memoryType, m.scope]).sort(), [
    ['Deploys go out on Fridays', 'semantic', 'workspace:w'],
    ['Tabs, not spaces', 'long_term', 'global'],
    ['The API lives in src/api', 'semantic', 'workspace:w'],
  ]);
  assert.deepEqual(progress, [6]);
  await manager.close();
});

test('an import stops between batches when it is cancelled, keeping what it added', async () => {
  const manager = await MemoryManager.open({ store: new StateMemoryStore(), embedder: new HashingEmbedder() });
  const records = Array.from({ length: 450 }, (_, i) => ({ text: JSON.stringify({ content: `fact ${i}` }), where: `m.jsonl:${i + 1}` }));
  const aborter = new AbortController();
  const result = await importRecords(manager, records, { signal: aborter.signal, onProgress: (done) => done >= 200 && aborter.abort() });
  assert.equal(result.imported, 200);
  assert.equal(await manager.count(), 200);
  await manager.close();
});
