/**
 * Memory in a run, through startRun against the scripted server: the tools are offered exactly when
 * memory is on, memories are recalled into the system prompt and journaled, a resume gives the model
 * the same block without asking the store again, and memory that fails never fails the run.
 */
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { startRun, type RunHooks } from '../../src/core/launch/startRun';
import type { RunConfig } from '../../src/core/launch/runConfig';
import { HashingEmbedder } from '../../src/core/memory/embedders/hashing';
import { MemoryManager } from '../../src/core/memory/manager';
import { StateMemoryStore } from '../../src/core/memory/stores/state';
import { MemoryTraceExporter } from '../../src/core/tracing/exporters/memory';
import type { MemoryQuery } from '../../src/core/memory/types';
import type { ChatCompletionBody, Script } from '../support/scriptedServer';
import { eventLog, modelFor, scriptedServer } from '../support/harness';

const MEMORY_TOOLS = ['remember', 'recall', 'forget'];

/** A store that counts its searches (and can be made to fail), to see when a run asks it. */
class WatchedStore extends StateMemoryStore {
  searches = 0;
  failWith: Error | undefined;
  override async retrieve(query: MemoryQuery) {
    this.searches++;
    if (this.failWith) throw this.failWith;
    return super.retrieve(query);
  }
}

async function memoryWith(contents: string[], options: { autoStoreInteractions?: boolean } = {}) {
  const store = new WatchedStore();
  const manager = await MemoryManager.open({ store, embedder: new HashingEmbedder(), ...options });
  if (contents.length) await manager.add(contents.map((content) => ({ content })));
  return { store, manager };
}

async function run(t: TestContext, script: Script, config: Partial<RunConfig>, hooks: RunHooks = {}) {
  const server = await scriptedServer(t, script);
  const log = eventLog();
  const workspace = await mkdtemp(join(tmpdir(), 'daw-mem-'));
  const started = startRun({ prompt: 'How do I run the tests here?', workspace: { root: workspace }, ...config }, { model: modelFor(server), onEvent: log.onEvent, ...hooks });
  const result = await started.result;
  return { server, log, result, workspace };
}

const toolNames = (body: ChatCompletionBody) => (body.tools ?? []).map((tool) => tool.function.name);
const systemOf = (body: ChatCompletionBody) => body.messages[0]!.content ?? '';

describe('memory in a run', () => {
  it('offers remember, recall and forget exactly when memory is on', async (t) => {
    const without = await run(t, [{ text: 'done' }], {});
    assert.deepEqual(toolNames(without.server.requests[0]!.body).filter((n) => MEMORY_TOOLS.includes(n)), []);
    assert.doesNotMatch(systemOf(without.server.requests[0]!.body), /## Memory/);

    const { manager } = await memoryWith([]);
    const withMemory = await run(t, [{ text: 'done' }], {}, { memory: manager });
    assert.deepEqual(toolNames(withMemory.server.requests[0]!.body).filter((n) => MEMORY_TOOLS.includes(n)), MEMORY_TOOLS);
    assert.match(systemOf(withMemory.server.requests[0]!.body), /## Memory\nYou have a long-term memory/);
  });

  it('recalls relevant memories into the system prompt before the first step, and journals them', async (t) => {
    const { manager } = await memoryWith(['The tests run with `npm test` and need PostgreSQL', 'The office coffee machine is on floor 3']);
    const traces = new MemoryTraceExporter();
    const { server, log, result } = await run(t, [{ text: 'Use npm test.' }], { memory: { store: ':memory:', maxTokens: 60 } }, { memory: manager, exporters: [traces] });
    assert.equal(result.status, 'completed');
    const system = systemOf(server.requests[0]!.body);
    assert.match(system, /Memories recalled for this task[^\n]*\n- \[semantic, \d{4}-\d\d-\d\d\] The tests run with `npm test` and need PostgreSQL/);
    assert.doesNotMatch(system, /coffee/, 'the budget of 60 tokens leaves the less relevant one out');
    const [recall] = log.ofType('memory_recall');
    assert.equal(recall!.data.source, 'injection');
    assert.equal(recall!.data.embedder, 'hashing-v1-384');
    assert.equal(recall!.data.fallback, true);
    assert.ok(system.endsWith(recall!.data.context!), 'the journaled block is what the model got');
    assert.deepEqual(log.types().slice(0, 3), ['run_start', 'memory_recall', 'step_start']);
    const [span] = traces.byKind('run');
    assert.equal(span!.attributes['deep_agent.memory.recalled'], 1);
    assert.equal(span!.attributes['deep_agent.memory.embedder'], 'hashing-v1-384');
    assert.equal(span!.attributes['deep_agent.memory.fallback'], true);
  });

  it('with inject off, nothing is recalled but the tools are there', async (t) => {
    const { manager, store } = await memoryWith(['The tests run with npm test']);
    const { server, log } = await run(t, [{ text: 'ok' }], { memory: { store: ':memory:', inject: false } }, { memory: manager });
    assert.equal(store.searches, 0);
    assert.equal(log.ofType('memory_recall').length, 0);
    assert.ok(toolNames(server.requests[0]!.body).includes('recall'));
  });

  it('remember, recall and forget work through tool calls and say so in the event stream', async (t) => {
    const { manager } = await memoryWith([]);
    const script: Script = (_body, i) =>
      [
        { toolCalls: [{ id: 'call-r', name: 'remember', arguments: { content: 'The user prefers tabs', type: 'long_term', importance: 0.9 } }] },
        { toolCalls: [{ id: 'call-q', name: 'recall', arguments: { query: 'tabs or spaces?' } }] },
        { toolCalls: [{ id: 'call-f', name: 'forget', arguments: { ids: ['nope'] } }] },
        { text: 'done' },
      ][i]!;
    const { server, log, result } = await run(t, script, {}, { memory: manager });
    assert.equal(result.status, 'completed');
    const [stored] = await manager.list();
    assert.equal(stored!.content, 'The user prefers tabs');
    assert.equal(stored!.memoryType, 'long_term');
    assert.equal(stored!.importance, 0.9);
    assert.deepEqual(stored!.provenance, { source: 'run', runId: result.runId, toolCallId: 'call-r' });
    assert.deepEqual(log.ofType('memory_store')[0]!.data, { source: 'tool', toolCallId: 'call-r', memories: [{ id: stored!.id, content: 'The user prefers tabs', memoryType: 'long_term' }] });
    const recalled = log.ofType('memory_recall').find((e) => e.data.source === 'tool')!;
    assert.equal(recalled.data.memories[0]!.id, stored!.id);
    const toolMessages = server.requests[3]!.body.messages.filter((m) => m.role === 'tool').map((m) => m.content);
    assert.match(toolMessages[1]!, new RegExp(`^\\[${stored!.id}\\] \\(long_term, .*\\) The user prefers tabs$`));
    assert.equal(toolMessages[2], 'Forgot 0 of 1; the others did not exist.');
    assert.deepEqual(log.ofType('memory_forget')[0]!.data, { toolCallId: 'call-f', ids: ['nope'], deleted: 0 });
  });

  it('an empty remember is told to the model, and the run goes on', async (t) => {
    const { manager } = await memoryWith([]);
    const script: Script = (_b, i) => [{ toolCalls: [{ id: 'c1', name: 'remember', arguments: { content: '  ' } }] }, { text: 'ok' }][i]!;
    const { log, result } = await run(t, script, {}, { memory: manager });
    assert.equal(result.status, 'completed');
    const end = log.ofType('tool_end')[0]!.data;
    assert.equal(end.ok, false);
    assert.match(end.result, /memory: content is empty/);
  });

  it('keeps the prompt and answer when interactions are stored, before run_end', async (t) => {
    const { manager } = await memoryWith([], { autoStoreInteractions: true });
    const { log, result } = await run(t, [{ text: 'Run npm test.' }], {}, { memory: manager });
    const [kept] = await manager.list();
    assert.equal(kept!.content, 'Task: How do I run the tests here?\nOutcome: Run npm test.');
    assert.equal(kept!.memoryType, 'episodic');
    assert.deepEqual(kept!.provenance, { source: 'run', runId: result.runId });
    assert.deepEqual(log.types().slice(-2), ['memory_store', 'run_end']);
  });

  it('a memory that fails is reported and the run goes on without it', async (t) => {
    const { manager, store } = await memoryWith(['something']);
    store.failWith = new Error('disk on fire');
    const { server, log, result } = await run(t, [{ text: 'ok' }], {}, { memory: manager });
    assert.equal(result.status, 'completed');
    const [error] = log.ofType('error');
    assert.deepEqual(error!.data, { message: 'memory: nothing recalled: disk on fire', code: 'memory_failed', fatal: false });
    assert.doesNotMatch(systemOf(server.requests[0]!.body), /Memories recalled/);
  });

  it('a resumed run gives the model the recalled block from its journal, without asking the store', async (t) => {
    const { manager, store } = await memoryWith(['The tests run with npm test and need PostgreSQL']);
    const checkpointDir = await mkdtemp(join(tmpdir(), 'daw-mem-cp-'));
    const workspace = await mkdtemp(join(tmpdir(), 'daw-mem-ws-'));
    const first = await scriptedServer(t, (_b, i) => (i === 0 ? { toolCalls: [{ id: 'c1', name: 'read_todos', arguments: {} }] } : { text: 'late', latencyMs: 30_000 }));
    const started = startRun(
      { prompt: 'How do I run the tests here?', workspace: { root: workspace }, checkpoints: { location: checkpointDir } },
      { model: modelFor(first), memory: manager, onEvent: (e) => void (e.type === 'llm_start' && e.data.step === 2 && started.stop()) },
    );
    const interrupted = await started.result;
    assert.equal(interrupted.status, 'cancelled');
    const firstSystem = systemOf(first.requests[0]!.body);
    assert.match(firstSystem, /need PostgreSQL/);

    await manager.forget((await manager.list()).map((m) => m.id));
    const searchesBefore = store.searches;
    const second = await scriptedServer(t, [{ text: 'Use npm test.' }]);
    const resumed = await startRun({ resume: interrupted.runId, workspace: { root: workspace }, checkpoints: { location: checkpointDir } }, { model: modelFor(second), memory: manager }).result;
    assert.equal(resumed.status, 'completed');
    assert.equal(store.searches, searchesBefore, 'the store was not asked again');
    assert.equal(systemOf(second.requests[0]!.body), firstSystem, 'the same system prompt, recalled block included');
  });
});
