/** A memory as an editable JSON document (memoryDocument.ts) and the settings as a MemoryConfig (memoryConfig.ts), without VS Code. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { memoryConfigSchema, type Memory } from '../../src/core';
import { memoryConfigOf, MEMORY_KEY_ENV, workspaceScope } from '../../src/vscode/memoryConfig';
import { memoryDocument, parseMemoryDocument } from '../../src/vscode/memoryDocument';
import type { MemorySettings } from '../../src/vscode/settings';

const memory: Memory = { id: 'm1', content: 'Deploys go out on Fridays', embedding: [0.1], memoryType: 'semantic', timestamp: 5, metadata: { file: 'README.md' }, importance: 0.5, scope: 'global', provenance: { source: 'user' } };

test('a memory document round-trips its content, type, importance and metadata', () => {
  const text = memoryDocument(memory);
  assert.deepEqual(JSON.parse(text), { content: memory.content, type: 'semantic', importance: 0.5, metadata: { file: 'README.md' } });
  assert.deepEqual(parseMemoryDocument(text.replace('Fridays', 'Mondays').replace('0.5', '1'), 'm1'), { content: 'Deploys go out on Mondays', memoryType: 'semantic', importance: 1, metadata: { file: 'README.md' } });
});

test('a bad edit is refused with one line naming the memory and what is wrong', () => {
  const edit = (change: Record<string, unknown>) => JSON.stringify({ ...JSON.parse(memoryDocument(memory)), ...change });
  const cases: [string, RegExp][] = [
    ['{"content": ', /^memory m1 was not saved: not valid JSON \(.+\)$/],
    [edit({ content: '   ' }), /^memory m1 was not saved: "content" must not be empty$/],
    [edit({ type: 'fact' }), /^memory m1 was not saved: "type" .*semantic.*$/],
    [edit({ importance: 2 }), /^memory m1 was not saved: "importance" .*1.*$/],
    [edit({ metadata: [] }), /^memory m1 was not saved: "metadata" .+$/],
    [edit({ id: 'other' }), /^memory m1 was not saved: .*"id".*$/],
  ];
  for (const [text, message] of cases) {
    assert.throws(() => parseMemoryDocument(text, 'm1'), (error: Error) => {
      assert.match(error.message, message);
      assert.equal(error.message.includes('\n'), false);
      return true;
    });
  }
});

const settings: MemorySettings = { enabled: true, inject: true, autoStore: false, maxTokens: 800, embedder: 'auto', modelPath: '', store: '' };
const place = { globalStorage: '/storage', scope: workspaceScope('file:///work/project'), endpoint: 'http://127.0.0.1:1/v1' };

test('the default store is a LanceDB folder under the global storage, models are fetched once into it; the scope is a hash of the first folder', () => {
  const config = memoryConfigOf(settings, place);
  assert.deepEqual(config, { store: '/storage/memory', backend: 'lancedb', embedder: { cacheDir: '/storage/models', allowDownload: true }, scope: place.scope, inject: true, maxTokens: 800, autoStore: false });
  assert.deepEqual(memoryConfigOf({ ...settings, embedder: 'transformers', modelPath: '/m' }, place).embedder, { kind: 'transformers', modelPath: '/m' }, 'a model folder: offline, no download');
  assert.deepEqual(memoryConfigOf({ ...settings, embedder: 'hashing' }, place).embedder, { kind: 'hashing' });
  assert.ok(memoryConfigSchema.safeParse(config).success);
  assert.match(place.scope, /^workspace:[0-9a-f]{16}$/);
  assert.equal(workspaceScope('file:///work/project'), place.scope, 'the same folder, the same scope');
  assert.notEqual(workspaceScope('file:///work/other'), place.scope);
  assert.equal(workspaceScope(undefined), 'global');
});

test('a postgres URL, a model folder and the openai embedder (its key from an env of its own) are passed on', () => {
  const config = memoryConfigOf({ ...settings, store: 'postgres://u@db/mem', embedder: 'openai', modelPath: ' /models ' }, place);
  assert.equal(config.store, 'postgres://u@db/mem');
  assert.equal(config.backend, undefined);
  assert.deepEqual(config.embedder, { kind: 'openai', modelPath: '/models', baseUrl: place.endpoint, apiKeyEnv: MEMORY_KEY_ENV });
  assert.ok(memoryConfigSchema.safeParse(config).success);
});
