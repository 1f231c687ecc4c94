/** MemoryManager over the in-memory store and the hashing embedder: what goes in, how it ranks, scopes, spaces, consolidation. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sequentialIds } from '../../src/core/clock';
import { HashingEmbedder } from '../../src/core/memory/embedders/hashing';
import { EmbeddingSpaceError, MemoryError } from '../../src/core/memory/errors';
import { MemoryManager } from '../../src/core/memory/manager';
import { StateMemoryStore } from '../../src/core/memory/stores/state';
import { CHUNK_CHARS, MAX_CONTENT_CHARS } from '../../src/core/memory/content';
import { estimateTokens } from '../../src/core/memory/context';
import type { MemoryScope } from '../../src/core/memory/types';
import { modelFor, scriptedServer } from '../support/harness';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 11, 1);

async function manager(options: { store?: StateMemoryStore; scope?: MemoryScope; now?: number } = {}) {
  const clock = { now: () => options.now ?? NOW };
  return MemoryManager.open({ store: options.store ?? new StateMemoryStore(), embedder: new HashingEmbedder(), scope: options.scope, clock, ids: sequentialIds(`mem-${options.scope ?? 'global'}`) });
}

describe('MemoryManager: what may become a memory', () => {
  it('refuses empty, broken and enormous content with a one-line reason, and stores nothing', async () => {
    const m = await manager();
    await assert.rejects(m.add([{ content: '   ' }]), (e: Error) => e instanceof MemoryError && /memory: content is empty/.test(e.message));
    await assert.rejects(m.add([{ content: 'ok' }, { content: 'bad \uD800 surrogate' }]), /memory 2: content is not valid Unicode \(a lone surrogate at character 4\)/);
    await assert.rejects(m.add([{ content: 'x'.repeat(MAX_CONTENT_CHARS + 1) }]), /200,001 characters; the limit is 200,000/);
    await assert.rejects(m.add([{ content: 'x', memoryType: 'daily' as never }]), /type "daily" is not one of episodic, semantic, short_term, long_term/);
    await assert.rejects(m.add([{ content: 'x', importance: 2 }]), /importance must be between 0 and 1, got 2/);
    assert.equal(await m.count(), 0);
  });

  it('cuts long content into linked chunks, and a search finds the chunk that says it', async () => {
    const m = await manager();
    const paragraph = (word: string) => `${`The ${word} module handles requests. `.repeat(40)}\n\n`;
    const text = paragraph('alpha') + paragraph('beta') + paragraph('gamma') + 'The zeta flag enables tracing.';
    const stored = await m.add([{ content: text, id: 'doc' }]);
    assert.ok(stored.length >= 3, `${stored.length} chunks`);
    assert.ok(stored.every((c) => c.content.length <= CHUNK_CHARS));
    assert.deepEqual(stored.map((c) => c.id), stored.map((_, i) => `doc#${i + 1}`));
    assert.deepEqual(stored.at(-1)!.metadata.chunk, { of: 'doc', index: stored.length, count: stored.length });
    assert.equal(stored.map((c) => c.content).join(' ').replace(/\s+/g, ' '), text.trim().replace(/\s+/g, ' '), 'nothing lost between chunks');
    const [best] = await m.retrieveRelevant('zeta tracing');
    assert.equal(best!.id, stored.at(-1)!.id);
  });
});

describe('MemoryManager: recall', () => {
  it('ranks equally relevant memories by recency and importance', async () => {
    const m = await manager();
    await m.add([
      { id: 'old', content: 'deploys go through the staging cluster first', timestamp: NOW - 200 * DAY },
      { id: 'new', content: 'deploys go through the staging cluster first!', timestamp: NOW - DAY },
    ]);
    assert.deepEqual((await m.retrieveRelevant('staging deploys')).map((r) => r.id), ['new', 'old']);
    await m.update('old', { importance: 1 });
    assert.deepEqual((await m.retrieveRelevant('staging deploys')).map((r) => r.id), ['old', 'new'], 'a pinned memory outranks a newer one');
    const [top] = await m.retrieveRelevant('staging deploys');
    assert.ok(top!.scores.vector !== undefined && top!.scores.fulltext !== undefined, 'hybrid by default');
  });

  it('keeps workspaces apart; global memories are seen from every workspace', async () => {
    const store = new StateMemoryStore();
    const a = await manager({ store, scope: 'workspace:a' });
    const b = await manager({ store, scope: 'workspace:b' });
    await a.add([{ content: 'project A builds with gradle' }]);
    await b.add([{ content: 'project B builds with cargo' }, { content: 'the user builds everything with make', scope: 'global' }]);
    const seenFromA = (await a.retrieveRelevant('builds with')).map((r) => r.content);
    assert.deepEqual(seenFromA.sort(), ['project A builds with gradle', 'the user builds everything with make']);
  });

  it('gives the agent only what fits its token budget, best first', async () => {
    const m = await manager();
    await m.add([{ content: 'the API uses snake_case field names' }, { content: `the API rate limit is 100 requests a minute ${'and more detail '.repeat(60)}` }]);
    const small = await m.getContextForAgent('API field names', 60);
    assert.ok(small);
    assert.ok(small.tokens <= 60 && estimateTokens(small.text) <= 60, `${small.tokens} tokens`);
    assert.deepEqual(small.memories.map((x) => x.content), ['the API uses snake_case field names']);
    assert.match(small.text, /^Memories recalled for this task/);
    assert.equal(await m.getContextForAgent('API', 5), undefined, 'nothing fits');
  });

  it('stores an interaction once however often it is stored', async () => {
    const m = await manager();
    await m.storeInteraction('fix the login bug', 'fixed: the token expired too early', 'run-7');
    await m.storeInteraction('fix the login bug', 'fixed: the token expired too early', 'run-7');
    const all = await m.list();
    assert.equal(all.length, 1);
    assert.equal(all[0]!.memoryType, 'episodic');
    assert.deepEqual(all[0]!.provenance, { source: 'run', runId: 'run-7' });
  });

  it('edits re-embed: a memory is found by its new words, not its old ones', async () => {
    const m = await manager();
    const [x] = await m.add([{ content: 'lint with eslint' }]);
    await m.update(x!.id, { content: 'lint with biome' });
    const [hit] = await m.retrieveRelevant('biome', { mode: 'vector' });
    assert.equal(hit!.id, x!.id);
    assert.ok(hit!.scores.vector! > 0.3, `similarity ${hit!.scores.vector}`);
  });
});

describe('MemoryManager: embedding spaces', () => {
  it('refuses a store holding another model’s vectors, and keeps them', async () => {
    const store = new StateMemoryStore();
    const first = await MemoryManager.open({ store, embedder: new HashingEmbedder(64) });
    await first.add([{ content: 'kept' }]);
    await assert.rejects(MemoryManager.open({ store, embedder: new HashingEmbedder(128) }), (e: Error) => {
      assert.ok(e instanceof EmbeddingSpaceError);
      assert.match(e.message, /holds vectors of hashing-v1-64 \(64 dimensions\), but the embedder gives hashing-v1-128 \(128 dimensions\)/);
      return true;
    });
    assert.equal(await store.count(), 1);
  });

  it('re-embeds another store’s memories into its own, with progress', async () => {
    const old = await MemoryManager.open({ store: new StateMemoryStore(), embedder: new HashingEmbedder(64) });
    await old.add(Array.from({ length: 150 }, (_, i) => ({ content: `note ${i}`, metadata: { i } })));
    const fresh = await manager();
    const progress: number[] = [];
    assert.equal(await fresh.reembedFrom(old.store, { onProgress: (done) => progress.push(done) }), 150);
    assert.deepEqual(progress, [64, 128, 150]);
    assert.equal(await fresh.count(), 150);
    const one = (await fresh.list({ limit: 1 }))[0]!;
    assert.equal(one.embedding.length, 384);
    assert.deepEqual(await fresh.store.space(), { model: 'hashing-v1-384', dimension: 384 });
  });
});

describe('MemoryManager: consolidation', () => {
  it('summarises old episodes into semantic memories with the model, linked both ways; recent and done ones are left', async (t) => {
    const server = await scriptedServer(t, [{ text: '- The project deploys with Helm\n- Tests run with vitest\n' }]);
    const m = await manager();
    await m.add([
      { id: 'e1', content: 'ran helm upgrade to deploy', memoryType: 'episodic', timestamp: NOW - 30 * DAY },
      { id: 'e2', content: 'fixed a vitest config', memoryType: 'episodic', timestamp: NOW - 20 * DAY },
      { id: 'recent', content: 'looked at the README', memoryType: 'episodic', timestamp: NOW - DAY },
      { id: 'fact', content: 'a semantic fact', memoryType: 'semantic', timestamp: NOW - 40 * DAY },
    ]);
    const result = await m.consolidate({ model: modelFor(server) });
    assert.equal(result.consolidated, 2);
    assert.deepEqual(result.created.map((c) => c.content), ['The project deploys with Helm', 'Tests run with vitest']);
    assert.ok(result.created.every((c) => c.memoryType === 'semantic' && c.provenance.source === 'consolidation'));
    assert.deepEqual(result.created[0]!.provenance.from, ['e1', 'e2']);
    assert.deepEqual((await m.get('e1'))!.metadata.consolidatedInto, result.created.map((c) => c.id));
    assert.equal((await m.get('recent'))!.metadata.consolidatedInto, undefined);
    assert.match(server.requests[0]!.body.messages[1]!.content!, /ran helm upgrade to deploy/);
    assert.doesNotMatch(server.requests[0]!.body.messages[1]!.content!, /README/);
    const again = await m.consolidate({ model: modelFor(server) });
    assert.equal(again.consolidated, 0, 'already consolidated episodes are not summarised again');
    assert.equal(server.requests.length, 1);
  });

  it('a failed model call is a clear error and changes nothing', async (t) => {
    const server = await scriptedServer(t, [{ status: 400, message: 'bad request' }]);
    const m = await manager();
    await m.add([{ id: 'e1', content: 'an old episode', memoryType: 'episodic', timestamp: NOW - 30 * DAY }]);
    await assert.rejects(m.consolidate({ model: modelFor(server) }), /memory consolidation: the model call failed/);
    assert.equal(await m.count(), 1);
    assert.equal((await m.get('e1'))!.metadata.consolidatedInto, undefined);
  });
});
