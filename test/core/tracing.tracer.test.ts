/** The Tracer folds run events into a span tree; these tests check the tree, not the exporters. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RunEvent } from '../../src/core/events';
import type { Span } from '../../src/core/tracing/types';
import { Tracer } from '../../src/core/tracing/tracer';
import { MemoryTraceExporter } from '../../src/core/tracing/exporters/memory';
import { RunScript, T0, foldEvents, type ScriptClock } from '../support/tracing';

function only(spans: Span[], what: string): Span {
  assert.equal(spans.length, 1, `expected exactly one ${what}, got ${spans.map((s) => s.name).join(', ') || 'none'}`);
  return spans[0]!;
}

/** A main run whose step 1 reads a file and delegates to a subagent through the `task` tool. */
function mainRunWithSubagent(clock: ScriptClock = { ts: T0 }): RunEvent[] {
  const main = new RunScript('run-main', { clock });
  const sub = new RunScript('run-sub', { clock, parentRunId: 'run-main' });
  return [
    main.runStart(),
    main.stepStart(1),
    ...main.modelCall(1, ['Let me ', 'look'], { finishReason: 'tool_calls' }),
    main.toolStart(1, 'call-read', 'read_file'),
    main.toolEnd(1, 'call-read', 'read_file'),
    main.toolStart(1, 'call-task', 'task', { description: 'research', subagent: 'researcher' }),
    sub.runStart({ agentName: 'researcher', depth: 1, parentToolCallId: 'call-task' }),
    sub.stepStart(1),
    ...sub.modelCall(1, ['found it']),
    sub.stepEnd(1),
    sub.runEnd('completed', { steps: 1 }),
    main.toolEnd(1, 'call-task', 'task', true, 'found it'),
    main.stepEnd(1, 2),
    main.stepStart(2),
    ...main.modelCall(2),
    main.stepEnd(2),
    main.runEnd(),
  ];
}

describe('Tracer span tree', () => {
  it('builds run → step → model call / tool call → subagent run, in one trace', async () => {
    const { memory } = await foldEvents(mainRunWithSubagent());
    const root = only(memory.roots(), 'root');
    assert.equal(root.name, 'invoke_agent main');
    assert.equal(root.kind, 'run');
    assert.equal(memory.spans.length, 10, 'main: run, 2 steps, 2 chats, 2 tools; subagent: run, step, chat');
    assert.ok(memory.spans.every((s) => s.traceId === root.traceId), 'subagent spans share the top-level trace');
    assert.ok(memory.spans.every((s) => s.status === 'ok'));

    const steps = memory.children(root.spanId);
    assert.deepEqual(steps.map((s) => s.name).sort(), ['step 1', 'step 2']);
    const step1 = steps.find((s) => s.name === 'step 1')!;
    assert.deepEqual(
      memory.children(step1.spanId).map((s) => `${s.kind}:${s.name}`).sort(),
      ['model_call:chat test-model', 'tool_call:execute_tool read_file', 'tool_call:execute_tool task'],
    );

    const task = only(memory.byName('execute_tool task'), 'task tool span');
    const subRun = only(memory.children(task.spanId), 'subagent run under the task tool call');
    assert.equal(subRun.name, 'invoke_agent researcher');
    assert.equal(subRun.runId, 'run-sub');
    const subStep = only(memory.children(subRun.spanId), 'subagent step');
    only(memory.children(subStep.spanId).filter((s) => s.kind === 'model_call'), 'subagent model call');
  });

  it('uses event timestamps for start and end', async () => {
    const main = new RunScript('r');
    const start = main.runStart();
    const step = main.stepStart(1);
    const end = main.stepEnd(1);
    const runEnd = main.runEnd();
    const { memory } = await foldEvents([start, step, end, runEnd]);
    const run = only(memory.byKind('run'), 'run');
    assert.equal(run.startTs, start.ts);
    assert.equal(run.endTs, runEnd.ts);
    const stepSpan = only(memory.byKind('step'), 'step');
    assert.equal(stepSpan.startTs, step.ts);
    assert.equal(stepSpan.endTs, end.ts);
  });

  it('records GenAI and deep_agent attributes on each kind of span', async () => {
    const { memory } = await foldEvents(mainRunWithSubagent());
    const run = only(memory.byName('invoke_agent main'), 'main run');
    assert.equal(run.attributes['gen_ai.operation.name'], 'invoke_agent');
    assert.equal(run.attributes['gen_ai.agent.name'], 'main');
    assert.equal(run.attributes['gen_ai.request.model'], 'test-model');
    assert.equal(run.attributes['gen_ai.usage.input_tokens'], 300);
    assert.equal(run.attributes['gen_ai.usage.output_tokens'], 60);
    assert.equal(run.attributes['deep_agent.cost_usd'], 0.0036);
    assert.equal(run.attributes['deep_agent.status'], 'completed');
    assert.equal(run.attributes['deep_agent.run_id'], 'run-main');
    assert.equal(run.attributes['deep_agent.depth'], 0);

    const [chat] = memory.byKind('model_call').filter((s) => s.runId === 'run-main' && s.attributes['deep_agent.step'] === 1);
    assert.ok(chat);
    assert.equal(chat.attributes['gen_ai.operation.name'], 'chat');
    assert.equal(chat.attributes['gen_ai.request.model'], 'test-model');
    assert.equal(chat.attributes['gen_ai.response.model'], 'test-model-2024');
    assert.deepEqual(chat.attributes['gen_ai.response.finish_reasons'], ['tool_calls']);
    assert.equal(chat.attributes['gen_ai.usage.input_tokens'], 100);
    assert.equal(chat.attributes['gen_ai.usage.output_tokens'], 20);
    assert.equal(chat.attributes['deep_agent.chunk_count'], 2);
    assert.equal(chat.attributes['deep_agent.attempt'], 1);
    // llm_start at +30 ms, first chunk at +40 ms.
    assert.equal(chat.attributes['gen_ai.response.time_to_first_chunk'], 0.01);

    const tool = only(memory.byName('execute_tool read_file'), 'read_file');
    assert.equal(tool.attributes['gen_ai.operation.name'], 'execute_tool');
    assert.equal(tool.attributes['gen_ai.tool.name'], 'read_file');
    assert.equal(tool.attributes['gen_ai.tool.call.id'], 'call-read');
    assert.equal(tool.attributes['deep_agent.tool.ok'], true);

    const sub = only(memory.byName('invoke_agent researcher'), 'subagent run');
    assert.equal(sub.attributes['deep_agent.parent_run_id'], 'run-main');
    assert.equal(sub.attributes['gen_ai.tool.call.id'], 'call-task');
    assert.equal(sub.attributes['deep_agent.depth'], 1);
  });

  it('makes OpenTelemetry-format ids from crypto by default', async () => {
    const memory = new MemoryTraceExporter();
    const tracer = new Tracer({ exporters: [memory] });
    for (const event of mainRunWithSubagent()) tracer.onEvent(event);
    await tracer.flush();
    for (const span of memory.spans) {
      assert.match(span.traceId, /^[0-9a-f]{32}$/);
      assert.match(span.spanId, /^[0-9a-f]{16}$/);
    }
    assert.equal(new Set(memory.spans.map((s) => s.spanId)).size, memory.spans.length, 'span ids are unique');
  });

  it('keeps interleaved runs apart, each in its own trace', async () => {
    const clock = { ts: T0 };
    const a = new RunScript('run-a', { clock });
    const b = new RunScript('run-b', { clock });
    const events = [
      a.runStart({ agentName: 'alpha' }),
      b.runStart({ agentName: 'beta' }),
      a.stepStart(1),
      b.stepStart(1),
      a.llmStart(1),
      b.llmStart(1),
      a.llmChunk(1, 'a1'),
      b.llmChunk(1, 'b1'),
      b.llmChunk(1, 'b2'),
      b.llmEnd(1),
      a.llmEnd(1),
      b.toolStart(1, 'same-id', 'grep'),
      a.toolStart(1, 'same-id', 'ls'),
      a.toolEnd(1, 'same-id', 'ls'),
      b.toolEnd(1, 'same-id', 'grep', false, 'pattern invalid'),
      b.stepEnd(1),
      a.stepEnd(1),
      a.runEnd(),
      b.runEnd(),
    ];
    const { memory, tracer } = await foldEvents(events);
    assert.equal(tracer.ignoredEventCount, 0);
    const roots = memory.roots();
    assert.equal(roots.length, 2);
    const [alpha, beta] = ['invoke_agent alpha', 'invoke_agent beta'].map((n) => roots.find((r) => r.name === n)!);
    assert.notEqual(alpha!.traceId, beta!.traceId);
    for (const [run, tool, chunks] of [[alpha!, 'execute_tool ls', 1], [beta!, 'execute_tool grep', 2]] as const) {
      const spans = memory.byRun(run.runId);
      assert.ok(spans.every((s) => s.traceId === run.traceId));
      const step = only(memory.children(run.spanId), `${run.name} step`);
      const children = memory.children(step.spanId);
      assert.deepEqual(children.map((s) => s.name).sort(), ['chat test-model', tool]);
      assert.equal(children.find((s) => s.kind === 'model_call')!.attributes['deep_agent.chunk_count'], chunks);
    }
    assert.equal(only(memory.byName('execute_tool grep'), 'grep').status, 'error');
    assert.equal(only(memory.byName('execute_tool ls'), 'ls').status, 'ok');
  });

  it('ignores events for unknown runs, steps and tool calls, and out-of-order ones, without throwing', async () => {
    const main = new RunScript('run-main');
    const ghost = new RunScript('ghost');
    const events: RunEvent[] = [
      ghost.stepStart(1), // run never started
      main.runStart(),
      main.runStart(), // duplicate
      main.llmStart(1), // step 1 not started
      main.stepStart(1),
      main.stepStart(1), // duplicate
      main.llmChunk(1, 'no model call open'),
      main.llmEnd(1), // no model call open
      main.toolEnd(1, 'never-started', 'ls'),
      main.toolStart(7, 'call-x', 'ls'), // step 7 not started
      main.stepEnd(3),
      { runId: 'run-main', seq: 99, ts: T0, type: 'tool_end' } as unknown as RunEvent, // data missing
      main.stepEnd(1),
      main.runEnd(),
      main.stepStart(2), // after run_end
    ];
    const { memory, tracer } = await foldEvents(events);
    assert.equal(tracer.ignoredEventCount, 11);
    assert.deepEqual(memory.spans.map((s) => s.name), ['step 1', 'invoke_agent main']);
    assert.ok(memory.spans.every((s) => s.status === 'ok'));
    assert.equal(tracer.openSpanCount, 0);
  });

  it('puts a subagent whose task call is unknown under its parent run, and one whose parent is unknown in its own trace', async () => {
    const clock = { ts: T0 };
    const main = new RunScript('run-main', { clock });
    const lost = new RunScript('run-lost', { clock, parentRunId: 'run-main' });
    const orphan = new RunScript('run-orphan', { clock, parentRunId: 'no-such-run' });
    const { memory } = await foldEvents([
      main.runStart(),
      lost.runStart({ agentName: 'lost', depth: 1, parentToolCallId: 'no-such-call' }),
      lost.runEnd(),
      orphan.runStart({ agentName: 'orphan', depth: 1, parentToolCallId: 'call-1' }),
      orphan.runEnd(),
      main.runEnd(),
    ]);
    const mainSpan = only(memory.byName('invoke_agent main'), 'main');
    assert.equal(only(memory.byName('invoke_agent lost'), 'lost').parentSpanId, mainSpan.spanId);
    const orphanSpan = only(memory.byName('invoke_agent orphan'), 'orphan');
    assert.equal(orphanSpan.parentSpanId, undefined);
    assert.notEqual(orphanSpan.traceId, mainSpan.traceId);
  });

  it('closes spans still open at run_end as errors that say they never finished', async () => {
    const main = new RunScript('run-main');
    const events = [main.runStart(), main.stepStart(1), main.llmStart(1), main.toolStart(1, 'call-1', 'shell'), main.runEnd('completed')];
    const runEnd = events.at(-1)!;
    const { memory, tracer } = await foldEvents(events);
    assert.equal(tracer.openSpanCount, 0);
    for (const name of ['step 1', 'chat test-model', 'execute_tool shell']) {
      const span = only(memory.byName(name), name);
      assert.equal(span.status, 'error', name);
      assert.match(span.errorMessage ?? '', /never finished: run_end came first/);
      assert.equal(span.attributes['error.type'], 'unfinished');
      assert.equal(span.endTs, runEnd.ts);
    }
    assert.equal(only(memory.byKind('run'), 'run').status, 'ok', 'the run itself completed');
    // Children are exported before their parents.
    assert.equal(memory.spans.at(-1)!.kind, 'run');
  });

  it('closes a model call or tool call still open at step_end', async () => {
    const main = new RunScript('run-main');
    const { memory } = await foldEvents([
      main.runStart(),
      main.stepStart(1),
      main.llmStart(1),
      main.toolStart(1, 'call-1', 'shell'),
      main.stepEnd(1),
      main.runEnd(),
    ]);
    assert.match(only(memory.byName('execute_tool shell'), 'tool').errorMessage ?? '', /never finished: step_end came first/);
    assert.match(only(memory.byKind('model_call'), 'model call').errorMessage ?? '', /never finished: step_end came first/);
    assert.equal(only(memory.byKind('step'), 'step').status, 'ok');
  });

  it('closes the previous attempt as retried when llm_start comes with attempt > 1', async () => {
    const main = new RunScript('run-main');
    const { memory } = await foldEvents([
      main.runStart(),
      main.stepStart(1),
      main.llmStart(1, 1),
      main.llmChunk(1, 'void'),
      main.event('error', { message: 'HTTP 429 rate limited (retrying in 500 ms)', code: 'model_http_429', fatal: false, attempt: 1, retryInMs: 500 }),
      main.llmStart(1, 2),
      main.llmChunk(1, 'good '),
      main.llmChunk(1, 'answer'),
      main.llmEnd(1),
      main.stepEnd(1),
      main.runEnd(),
    ]);
    const calls = memory.byKind('model_call');
    assert.equal(calls.length, 2);
    const [first, second] = calls as [Span, Span];
    assert.equal(first.attributes['deep_agent.attempt'], 1);
    assert.equal(first.status, 'error');
    assert.equal(first.attributes['error.type'], 'retried');
    assert.equal(first.errorMessage, 'retried as attempt 2 after: model_http_429: HTTP 429 rate limited (retrying in 500 ms)');
    assert.equal(second.attributes['deep_agent.attempt'], 2);
    assert.equal(second.status, 'ok');
    assert.equal(second.attributes['deep_agent.chunk_count'], 2, 'chunks of the failed attempt are not counted');
    const step = only(memory.byKind('step'), 'step');
    assert.ok(calls.every((c) => c.parentSpanId === step.spanId));
  });

  it('ends the model call at a fatal error, and marks a failed run as an error', async () => {
    const main = new RunScript('run-main');
    const { memory } = await foldEvents([
      main.runStart(),
      main.stepStart(1),
      main.llmStart(1),
      main.event('error', { message: 'HTTP 401 invalid key', code: 'model_http_401', fatal: true, attempt: 1 }),
      main.stepEnd(1),
      main.runEnd('failed', { error: 'HTTP 401 invalid key', output: undefined }),
    ]);
    const call = only(memory.byKind('model_call'), 'model call');
    assert.equal(call.status, 'error');
    assert.equal(call.errorMessage, 'model_http_401: HTTP 401 invalid key');
    assert.equal(call.attributes['error.type'], 'model_http_401');
    const run = only(memory.byKind('run'), 'run');
    assert.equal(run.status, 'error');
    assert.equal(run.errorMessage, 'run failed: HTTP 401 invalid key');
    assert.equal(run.attributes['error.type'], 'failed');
    assert.equal(run.attributes['deep_agent.status'], 'failed');
  });

  it('names the guardrail that stopped a run', async () => {
    const main = new RunScript('run-main');
    const { memory } = await foldEvents([
      main.runStart(),
      main.event('guardrail', { guardrail: 'max_cost', gate: 'before_model_call', message: 'cost limit', action: 'stopped', figures: { costUsd: 1 } }),
      main.runEnd('stopped'),
    ]);
    const run = only(memory.byKind('run'), 'run');
    assert.equal(run.attributes['deep_agent.stopped_by'], 'max_cost');
    assert.equal(run.status, 'error');
    assert.equal(run.errorMessage, 'run stopped');
  });

  it('keeps previews short and free of secrets', async () => {
    const main = new RunScript('run-main');
    const secret = 'sk-proj-abcdefghijklmnopqrstuvwxyz0123456789';
    const { memory } = await foldEvents([
      main.runStart({ prompt: `Use key ${secret} to call the API. ${'then keep going '.repeat(50)}` }),
      main.stepStart(1),
      main.toolStart(1, 'call-1', 'http_get', { url: 'https://example.com', headers: { Authorization: 'Bearer abc.def' }, apiKey: 'plain' }),
      main.toolEnd(1, 'call-1', 'http_get', false, `failed with token=${secret} ${'x'.repeat(1000)}`),
      main.stepEnd(1),
      main.runEnd(),
    ]);
    const everything = JSON.stringify(memory.spans);
    assert.ok(!everything.includes(secret), 'the API key appears nowhere');
    assert.ok(!everything.includes('abc.def'), 'the bearer token appears nowhere');
    assert.ok(!everything.includes('plain'), 'a secret-named argument appears nowhere');
    const run = only(memory.byKind('run'), 'run');
    const prompt = run.attributes['deep_agent.prompt_preview'];
    assert.equal(typeof prompt, 'string');
    assert.ok((prompt as string).length <= 81, `prompt preview is ${(prompt as string).length} chars`);
    assert.match(prompt as string, /^Use key \[redacted\] to call/);
    const tool = only(memory.byKind('tool_call'), 'tool');
    assert.match(String(tool.attributes['deep_agent.tool.args_preview']), /"url":"https:\/\/example.com"/);
    assert.ok((tool.errorMessage ?? '').length <= 201);
    assert.match(tool.errorMessage ?? '', /^failed with token=\[redacted\]/);
  });

  it('leaves previews out when previewChars is 0', async () => {
    const { memory } = await foldEvents(mainRunWithSubagent(), { previewChars: 0 });
    const keys = new Set(memory.spans.flatMap((s) => Object.keys(s.attributes)));
    for (const key of keys) assert.ok(!key.endsWith('_preview'), `${key} should be absent`);
  });

  it('closes open spans on shutdown and ignores later events', async () => {
    const memory = new MemoryTraceExporter();
    const tracer = new Tracer({ exporters: [memory] });
    const main = new RunScript('run-main');
    tracer.onEvent(main.runStart());
    tracer.onEvent(main.stepStart(1));
    await tracer.shutdown();
    assert.deepEqual(memory.spans.map((s) => [s.name, s.status]), [['step 1', 'error'], ['invoke_agent main', 'error']]);
    assert.match(memory.spans[1]!.errorMessage ?? '', /never finished: tracer shutdown came first/);
    tracer.onEvent(main.runEnd());
    await tracer.flush();
    assert.equal(memory.spans.length, 2);
  });
});
