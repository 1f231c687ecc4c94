/**
 * The wire quirks of the servers users run, spoken over HTTP by the scripted server to the real
 * `openai` client: each must still complete a two-file task exactly as a well-behaved server does.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { createDeepAgent } from '../../src/core/agent/createDeepAgent';
import { FilesystemBackend } from '../../src/core/backends/filesystem';
import { StateBackend } from '../../src/core/backends/state';
import { FileCheckpointStore } from '../../src/core/checkpoint/fileStore';
import { CheckpointManager } from '../../src/core/checkpoint/manager';
import { runWithCheckpointing } from '../../src/core/launch/runWithCheckpointing';
import { foldJournal } from '../../src/core/runState';
import { RecordingModel, ReplayModel } from '../../src/core/model/recordReplay';
import type { ChatModel } from '../../src/core/model/types';
import { DeepAgentAttr } from '../../src/core/tracing/attributes';
import { MemoryTraceExporter } from '../../src/core/tracing/exporters/memory';
import { Tracer } from '../../src/core/tracing/tracer';
import { eventLog, modelFor, scriptedServer } from '../support/harness';
import type { ScriptedAnswer, ScriptedServerOptions, WireQuirks } from '../support/scriptedServer';

const fastRetry = { baseDelayMs: 1, maxDelayMs: 50 };

/** Read a.txt and b.txt in one reply (two parallel calls), write both into sum.txt, answer. */
function twoFileTask(extra: Partial<ScriptedAnswer> = {}): ScriptedAnswer[] {
  return [
    {
      ...extra,
      toolCalls: [
        { id: 'call_a', name: 'read_file', arguments: { path: 'a.txt' } },
        { id: 'call_b', name: 'read_file', arguments: { path: 'b.txt' } },
      ],
    },
    { ...extra, toolCalls: [{ id: 'call_w', name: 'write_file', arguments: { path: 'sum.txt', content: 'alpha\nbeta\n' } }] },
    { ...extra, text: ['sum.txt now holds ', 'alpha and beta.'] },
  ];
}

async function runTwoFileTask(t: TestContext, answers: ScriptedAnswer[], options: ScriptedServerOptions = {}) {
  const root = await mkdtemp(join(tmpdir(), 'quirks-'));
  await writeFile(join(root, 'a.txt'), 'alpha\n');
  await writeFile(join(root, 'b.txt'), 'beta\n');
  const server = await scriptedServer(t, answers, options);
  const log = eventLog();
  const agent = createDeepAgent({ model: modelFor(server), retry: fastRetry });
  const result = await agent.execute('Put a.txt and b.txt together in sum.txt', { backend: new FilesystemBackend({ root }), onEvent: log.onEvent });
  return { root, server, log, result };
}

/** What every quirk must still give: both reads as two calls, the write, the answer, no retries. */
async function assertTaskDone({ root, server, log, result }: Awaited<ReturnType<typeof runTwoFileTask>>, requests = 3) {
  assert.equal(result.status, 'completed', result.error?.message);
  assert.equal(result.output, 'sum.txt now holds alpha and beta.');
  assert.equal(await readFile(join(root, 'sum.txt'), 'utf8'), 'alpha\nbeta\n');
  assert.deepEqual(log.ofType('tool_start').map((e) => [e.data.name, e.data.args]), [
    ['read_file', { path: 'a.txt' }],
    ['read_file', { path: 'b.txt' }],
    ['write_file', { path: 'sum.txt', content: 'alpha\nbeta\n' }],
  ]);
  assert.ok(log.ofType('tool_end').every((e) => e.data.ok));
  assert.equal(result.steps, 3);
  assert.equal(server.requests.length, requests);
  // The model got both results back, each paired with its own call.
  const second = server.requests.at(-2)!.body.messages;
  const calls = second.find((m) => m.role === 'assistant')!.tool_calls as { id: string; function: { name: string } }[];
  assert.deepEqual(calls.map((c) => c.function.name), ['read_file', 'read_file']);
  assert.equal(new Set(calls.map((c) => c.id)).size, 2);
  const results = second.filter((m) => m.role === 'tool');
  assert.deepEqual(results.map((m) => m.tool_call_id), calls.map((c) => c.id));
  assert.match(results[0]!.content!, /alpha/);
  assert.match(results[1]!.content!, /beta/);
}

const quirky = (quirks: WireQuirks, extra: Partial<ScriptedAnswer> = {}) => twoFileTask({ quirks, ...extra });

test('the well-behaved server: the two-file task as the baseline', async (t) => {
  await assertTaskDone(await runTwoFileTask(t, twoFileTask()));
});

test('Ollama: parallel tool calls all labelled index 0, each with its own id, stay two calls', async (t) => {
  const run = await runTwoFileTask(t, quirky({ toolCallIndex: 'all-zero' }));
  await assertTaskDone(run);
  assert.deepEqual(run.log.ofType('llm_end')[0]!.data.toolCalls.map((c) => c.id), ['call_a', 'call_b']);
});

test('Gemini: tool-call deltas with no index (and finish_reason "stop") are assembled by id and position, and their thought signatures go back', async (t) => {
  const run = await runTwoFileTask(t, quirky({ toolCallIndex: 'omitted' }, { finishReason: 'stop' }));
  await assertTaskDone(run);
  const signed = (id: string) => ({ google: { thought_signature: `signature-of-${id}` } });
  assert.deepEqual(run.log.ofType('llm_end')[0]!.data.toolCalls, [
    { id: 'call_a', name: 'read_file', arguments: '{"path":"a.txt"}', providerData: signed('call_a') },
    { id: 'call_b', name: 'read_file', arguments: '{"path":"b.txt"}', providerData: signed('call_b') },
  ]);
  // Gemini 3 wants each call's thought signature back with it in the next request.
  const sentBack = run.server.requests[1]!.body.messages.find((m) => m.role === 'assistant')!.tool_calls as { extra_content?: unknown }[];
  assert.deepEqual(sentBack.map((c) => c.extra_content), [signed('call_a'), signed('call_b')]);
});

test('a gateway that never sends finish_reason but ends with [DONE] finishes each answer', async (t) => {
  const run = await runTwoFileTask(t, quirky({ finishReason: 'omitted' }));
  await assertTaskDone(run);
  assert.deepEqual(run.log.ofType('llm_end').map((e) => e.data.finishReason), ['tool_calls', 'tool_calls', 'stop']);
  assert.equal(run.log.ofType('error').length, 0);
});

test('older Ollama: finish_reason "" then [DONE] finishes each answer', async (t) => {
  const run = await runTwoFileTask(t, quirky({ finishReason: 'empty' }));
  await assertTaskDone(run);
  assert.equal(run.log.ofType('error').length, 0);
});

test('a gateway that answers HTTP 400 to stream_options is asked again without it, and that is remembered', async (t) => {
  const run = await runTwoFileTask(t, twoFileTask(), { rejectStreamOptions: true });
  // The first request was refused; every later one went without the field.
  await assertTaskDone(run, 4);
  assert.deepEqual(run.server.requests.map((r) => r.body.stream_options !== undefined), [true, false, false, false]);
  const notices = run.log.ofType('error');
  assert.equal(notices.length, 1);
  assert.equal(notices[0]!.data.fatal, false);
  assert.equal(notices[0]!.data.code, 'model_usage_unreported');
  assert.match(notices[0]!.data.message, /stream_options/);
  assert.deepEqual(run.log.ofType('llm_start').map((e) => e.data.attempt), [1, 1, 1]);
});

for (const field of ['reasoning_content', 'reasoning'] as const) {
  test(`reasoning in "${field}" deltas becomes llm_reasoning events, never the answer, never sent back`, async (t) => {
    const thoughts = ['The user wants ', 'both files joined.'];
    const run = await runTwoFileTask(t, quirky({ reasoningField: field }, { reasoning: thoughts }));
    await assertTaskDone(run);
    const reasoning = run.log.ofType('llm_reasoning');
    assert.deepEqual(reasoning.map((e) => [e.data.step, e.data.text]), [1, 1, 2, 2, 3, 3].map((step, i) => [step, thoughts[i % 2]]));
    // Thinking comes before the step's answer, in the same stream.
    const types = run.log.types();
    assert.ok(types.indexOf('llm_reasoning') < types.indexOf('llm_end'));
    assert.ok(run.log.ofType('llm_end').every((e) => !e.data.text.includes('both files joined')));
    for (const request of run.server.requests) assert.ok(!JSON.stringify(request.body.messages).includes('both files joined'));
  });
}

test('a stream cut off with neither finish_reason nor [DONE] is still truncated and retried', async (t) => {
  const answers = twoFileTask();
  const cut: ScriptedAnswer = { ...answers[0]!, quirks: { finishReason: 'omitted', noDone: true } };
  const run = await runTwoFileTask(t, [cut, ...answers]);
  await assertTaskDone(run, 4);
  const errors = run.log.ofType('error');
  assert.deepEqual(errors.map((e) => [e.data.code, e.data.fatal]), [['model_stream_truncated', false]]);
  assert.deepEqual(run.log.ofType('llm_start').map((e) => e.data.attempt), [1, 2, 1, 1]);
});

test('thinking is journaled (merged per step) and traced, and a resumed run never sends it back', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'quirks-journal-'));
  const server = await scriptedServer(t, [
    { reasoning: ['Look ', 'first.'], toolCalls: [{ name: 'ls', arguments: {} }] },
    { reasoning: ['Done ', 'looking.'], text: 'Empty.' },
  ]);
  const memory = new MemoryTraceExporter();
  const tracer = new Tracer({ exporters: [memory] });
  const store = new FileCheckpointStore(dir);
  const manager = new CheckpointManager(store, { frequency: 'tool_call' });
  const agent = createDeepAgent({ model: modelFor(server), retry: fastRetry });
  const result = await runWithCheckpointing(agent, 'What is here?', { backend: new StateBackend(), tracer }, manager);
  await tracer.shutdown();
  await store.close();
  assert.equal(result.status, 'completed');

  const { events } = await new FileCheckpointStore(dir).readJournal(result.runId);
  assert.deepEqual(events.filter((e) => e.type === 'llm_reasoning').map((e) => [e.data.step, e.data.text]), [[1, 'Look first.'], [2, 'Done looking.']]);
  const { root } = foldJournal(events);
  assert.equal(root!.messages.length, 3);
  assert.ok(!JSON.stringify(root!.messages).includes('Look first'));

  const calls = memory.spans.filter((s) => s.kind === 'model_call');
  assert.deepEqual(calls.map((s) => s.attributes[DeepAgentAttr.reasoningChars]), [11, 13]);
  assert.deepEqual(calls.map((s) => s.attributes[DeepAgentAttr.reasoningPreview]), ['Look first.', 'Done looking.']);
});

test('a recording of a quirky server replays the same thinking, calls and answer without it', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'quirks-fixture-'));
  const fixture = join(dir, 'quirks.json');
  const answers = quirky({ toolCallIndex: 'omitted', finishReason: 'omitted', reasoningField: 'reasoning' }, { reasoning: ['Two files.'] });
  const server = await scriptedServer(t, answers);
  const runOnce = async (model: ChatModel) => {
    const root = await mkdtemp(join(tmpdir(), 'quirks-replay-'));
    await writeFile(join(root, 'a.txt'), 'alpha\n');
    await writeFile(join(root, 'b.txt'), 'beta\n');
    const log = eventLog();
    const result = await createDeepAgent({ model, retry: fastRetry }).execute('Put a.txt and b.txt together in sum.txt', { backend: new FilesystemBackend({ root }), onEvent: log.onEvent });
    return { result, reasoning: log.ofType('llm_reasoning').map((e) => e.data.text), calls: log.ofType('llm_end').map((e) => e.data.toolCalls) };
  };
  const recorded = await runOnce(new RecordingModel(modelFor(server), fixture));
  const replayed = await runOnce(new ReplayModel(fixture, { mode: 'strict' }));
  assert.equal(recorded.result.status, 'completed');
  assert.equal(server.requests.length, 3);
  assert.deepEqual(replayed.reasoning, ['Two files.', 'Two files.', 'Two files.']);
  assert.deepEqual(replayed.calls, recorded.calls);
  assert.equal(replayed.result.output, recorded.result.output);
});
