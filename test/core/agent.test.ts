import assert from 'node:assert/strict';
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { z } from 'zod';
import { createDeepAgent } from '../../src/core/agent/createDeepAgent';
import { StateBackend } from '../../src/core/backends/state';
import { sequentialIds } from '../../src/core/clock';
import { GuardrailError, GuardrailManager } from '../../src/core/guardrails/manager';
import { tokenBudget } from '../../src/core/guardrails';
import { defineTool } from '../../src/core/tools/types';
import { eventLog, modelFor, scriptedServer } from '../support/harness';

const fastRetry = { baseDelayMs: 1, maxDelayMs: 5_000 };

test('a multi-step task plans, writes, edits, greps and answers', async (t) => {
  const server = await scriptedServer(t, [
    { toolCalls: [{ name: 'write_todos', arguments: { todos: [{ content: 'write notes', status: 'in_progress' }, { content: 'check', status: 'pending' }] } }] },
    { text: 'Writing.', toolCalls: [{ name: 'write_file', arguments: { path: 'notes.md', content: 'alpha\nbeta\n' } }] },
    { toolCalls: [{ name: 'edit_file', arguments: { path: 'notes.md', old_string: 'beta', new_string: 'gamma' } }] },
    { toolCalls: [{ name: 'grep', arguments: { pattern: 'gam' } }] },
    { text: ['Done: ', 'notes.md has gamma.'], usage: { prompt: 100, completion: 20 } },
  ]);
  const backend = new StateBackend();
  const log = eventLog();
  const agent = createDeepAgent({ model: modelFor(server), retry: fastRetry });
  const result = await agent.run('Write notes', { backend, onEvent: log.onEvent, ids: sequentialIds('run') });

  assert.equal(result.status, 'completed');
  assert.equal(result.output, 'Done: notes.md has gamma.');
  assert.equal(await backend.readFile('notes.md'), 'alpha\ngamma\n');
  assert.deepEqual(result.todos.map((t) => t.status), ['in_progress', 'pending']);
  assert.equal(result.steps, 5);
  assert.equal(result.usage.totalTokens, 4 * 15 + 120);

  // One ordered stream: seq counts from 0 without gaps, the run is bracketed by start and end.
  assert.deepEqual(log.events.map((e) => e.seq), log.events.map((_, i) => i));
  assert.equal(log.events[0]!.type, 'run_start');
  assert.equal(log.events.at(-1)!.type, 'run_end');
  assert.equal(log.ofType('step_start').length, 5);
  // Progress after every step, the final answer's too: the last one agrees with run_end.
  assert.deepEqual(log.ofType('progress').map((e) => [e.data.step, e.data.iteration]), [[1, 1], [2, 2], [3, 3], [4, 4], [5, 5]]);
  assert.deepEqual(log.ofType('tool_end').map((e) => [e.data.name, e.data.ok]), [
    ['write_todos', true], ['write_file', true], ['edit_file', true], ['grep', true],
  ]);
  assert.match(log.ofType('tool_end')[3]!.data.result, /notes\.md:2: gamma/);
  assert.deepEqual(log.ofType('partial_result').map((e) => e.data.text), ['Writing.']);
  assert.equal(log.ofType('llm_chunk').map((e) => e.data.text).join(''), 'Writing.Done: notes.md has gamma.');

  // The model saw each tool result, paired with its call id.
  const lastRequest = server.requests[4]!.body.messages;
  const toolMessages = lastRequest.filter((m) => m.role === 'tool');
  assert.equal(toolMessages.length, 4);
  assert.match(toolMessages[3]!.content!, /gamma/);
  assert.ok(server.requests[0]!.body.tools!.some((tool) => tool.function.name === 'task'));
});

test('bad tool calls become error results the model sees, and the run goes on', async (t) => {
  const server = await scriptedServer(t, [
    {
      toolCalls: [
        { name: 'write_file', arguments: '{"path": "a.txt", "content": ' },
        { name: 'launch_rockets', arguments: {} },
        { name: 'read_file', arguments: { path: 42 } },
        { name: 'read_file', arguments: { path: '../../etc/passwd' } },
        { name: 'explode', arguments: {} },
      ],
    },
    { text: 'I could not do it.' },
  ]);
  const log = eventLog();
  const explode = defineTool({
    name: 'explode',
    description: 'always fails',
    parameters: z.object({}),
    readOnly: true,
    execute: async () => {
      throw new Error('kaboom');
    },
  });
  const agent = createDeepAgent({ model: modelFor(server), tools: [explode] });
  const result = await agent.run('try things', { backend: new StateBackend(), onEvent: log.onEvent });

  assert.equal(result.status, 'completed');
  const results = log.toolResultsInCallOrder();
  assert.ok(results.every((r) => !r.ok));
  assert.match(results[0]!.result, /arguments for write_file are not valid JSON/);
  assert.match(results[1]!.result, /unknown tool "launch_rockets"; available tools: .*read_file/);
  assert.match(results[2]!.result, /invalid arguments for read_file: path: /);
  assert.match(results[3]!.result, /\.\.\/\.\.\/etc\/passwd.*outside the workspace/);
  assert.match(results[4]!.result, /explode failed: kaboom/);
  const seen = server.requests[1]!.body.messages.filter((m) => m.role === 'tool').map((m) => m.content);
  assert.deepEqual(seen, results.map((r) => r.result));
});

test('transient server errors are retried with backoff, honouring Retry-After', async (t) => {
  const server = await scriptedServer(t, [
    { status: 500, message: 'overloaded' },
    { status: 429, headers: { 'retry-after-ms': '120' } },
    { hangUpAfterChunks: 2, answer: { text: ['par', 'tial', ' lost'] } },
    { text: 'ok' },
  ]);
  const log = eventLog();
  const agent = createDeepAgent({ model: modelFor(server), retry: fastRetry });
  const result = await agent.run('hi', { backend: new StateBackend(), onEvent: log.onEvent, random: () => 1 });

  assert.equal(result.output, 'ok');
  const errors = log.ofType('error').map((e) => e.data);
  assert.deepEqual(errors.map((e) => [e.code, e.fatal, e.attempt]), [
    ['model_http_500', false, 1],
    ['model_http_429', false, 2],
    ['model_connection', false, 3],
  ]);
  assert.ok(errors[1]!.retryInMs! >= 120, `Retry-After of 120 ms honoured, waited ${errors[1]!.retryInMs}`);
  assert.deepEqual(log.ofType('llm_start').map((e) => e.data.attempt), [1, 2, 3, 4]);
  assert.equal(log.ofType('step_start').length, 1);
});

test('a permanent error fails the run with one fatal error event', async (t) => {
  const server = await scriptedServer(t, [{ status: 401, message: 'invalid api key' }]);
  const log = eventLog();
  const agent = createDeepAgent({ model: modelFor(server) });
  await assert.rejects(agent.run('hi', { backend: new StateBackend(), onEvent: log.onEvent }), /HTTP 401: invalid api key/);
  assert.equal(log.ofType('error').length, 1);
  assert.equal(log.ofType('error')[0]!.data.fatal, true);
  assert.equal(log.ofType('run_end')[0]!.data.status, 'failed');
  assert.equal(server.requests.length, 1);
});

test('retries give up after maxRetries', async (t) => {
  const server = await scriptedServer(t, () => ({ status: 503 }));
  const agent = createDeepAgent({ model: modelFor(server), retry: { ...fastRetry, maxRetries: 2 } });
  const result = await agent.execute('hi', { backend: new StateBackend() });
  assert.equal(result.status, 'failed');
  assert.equal(server.requests.length, 3);
});

test('an AbortSignal cancels a run mid-stream', async (t) => {
  const server = await scriptedServer(t, [{ text: Array.from({ length: 200 }, () => 'tok '), chunkDelayMs: 5 }]);
  const controller = new AbortController();
  const log = eventLog();
  const agent = createDeepAgent({ model: modelFor(server) });
  const result = await agent.execute('long answer', {
    backend: new StateBackend(),
    signal: controller.signal,
    onEvent: (e) => {
      log.onEvent(e);
      if (e.type === 'llm_chunk' && log.ofType('llm_chunk').length === 5) controller.abort();
    },
  });
  assert.equal(result.status, 'cancelled');
  assert.equal(result.error?.name, 'RunCancelledError');
  assert.equal(log.ofType('run_end')[0]!.data.status, 'cancelled');
  assert.ok(log.ofType('llm_chunk').length < 50);
});

test('a subagent runs under its task call, and its usage counts in the parent totals', async (t) => {
  const server = await scriptedServer(t, (body) => {
    const isSubagent = body.messages[0]!.content!.startsWith('You are researcher');
    const toolResults = body.messages.filter((m) => m.role === 'tool').length;
    if (isSubagent) {
      return toolResults === 0
        ? { toolCalls: [{ name: 'read_file', arguments: { path: 'facts.txt' } }], usage: { prompt: 50, completion: 5 } }
        : { text: 'The answer is 42.', usage: { prompt: 60, completion: 6 } };
    }
    return toolResults === 0
      ? { toolCalls: [{ name: 'task', arguments: { subagent_type: 'researcher', description: 'find the answer in facts.txt' } }], usage: { prompt: 10, completion: 1 } }
      : { text: 'Subagent says 42.', usage: { prompt: 20, completion: 2 } };
  });
  const log = eventLog();
  const agent = createDeepAgent({
    model: modelFor(server, 'gpt-4o-mini'),
    subagents: [{ name: 'researcher', description: 'reads files', instructions: 'Find facts.', tools: ['read_file'] }],
  });
  const backend = new StateBackend({ 'facts.txt': 'answer: 42\n' });
  const result = await agent.run('what is the answer?', { backend, onEvent: log.onEvent });

  assert.equal(result.output, 'Subagent says 42.');
  const starts = log.ofType('run_start');
  assert.equal(starts.length, 2);
  const [parent, child] = starts;
  const taskCall = log.ofType('tool_start').find((e) => e.data.name === 'task')!;
  assert.equal(child!.parentRunId, parent!.runId);
  assert.equal(child!.data.parentToolCallId, taskCall.data.toolCallId);
  assert.equal(child!.data.depth, 1);
  assert.equal(log.ofType('tool_end').find((e) => e.data.name === 'task')!.data.result, 'The answer is 42.');
  // The subagent had only read_file.
  const subRequest = server.requests.find((r) => r.body.messages[0]!.content!.startsWith('You are researcher'))!;
  assert.deepEqual(subRequest.body.tools!.map((tool) => tool.function.name), ['read_file']);
  assert.equal(result.usage.totalTokens, 11 + 22 + 55 + 66);
  const expectedCost = ((10 + 20 + 50 + 60) * 0.15 + (1 + 2 + 5 + 6) * 0.6) / 1e6;
  assert.ok(Math.abs(result.costUsd - expectedCost) < 1e-12, `cost ${result.costUsd} vs ${expectedCost}`);
  const childEnd = log.ofType('run_end').find((e) => e.runId === child!.runId)!;
  assert.equal(childEnd.data.usage.totalTokens, 121);
});

test('read-only calls run in parallel; side-effecting calls one at a time, in order', async (t) => {
  const server = await scriptedServer(t, [
    {
      toolCalls: [
        { name: 'slow_read', arguments: { id: 'a' } },
        { name: 'slow_read', arguments: { id: 'b' } },
        { name: 'write_file', arguments: { path: 'x.txt', content: '1' } },
        { name: 'write_file', arguments: { path: 'x.txt', content: '2' } },
      ],
    },
    { text: 'done' },
  ]);
  const slowRead = defineTool({
    name: 'slow_read',
    description: 'reads slowly',
    parameters: z.object({ id: z.string() }),
    readOnly: true,
    execute: async ({ id }) => {
      await new Promise((resolve) => setImmediate(resolve));
      return id;
    },
  });
  const log = eventLog();
  const backend = new StateBackend();
  await createDeepAgent({ model: modelFor(server), tools: [slowRead] }).run('go', { backend, onEvent: log.onEvent });
  const order = log.events
    .filter((e) => e.type === 'tool_start' || e.type === 'tool_end')
    .map((e) => `${e.type === 'tool_start' ? '+' : '-'}${(e.data as { name: string }).name}`);
  assert.deepEqual(order, ['+slow_read', '+slow_read', '-slow_read', '-slow_read', '+write_file', '-write_file', '+write_file', '-write_file']);
  assert.equal(await backend.readFile('x.txt'), '2');
});

test('a strict guardrail stops the run with a typed error; a permissive one warns', async (t) => {
  const script = () => ({ toolCalls: [{ name: 'ls', arguments: {} }], usage: { prompt: 400, completion: 100 } });
  for (const mode of ['strict', 'permissive'] as const) {
    const server = await scriptedServer(t, (_body, i) => (i < 3 ? script() : { text: 'end', usage: { prompt: 1, completion: 1 } }));
    const log = eventLog();
    const guardrails = new GuardrailManager([tokenBudget({ maxTotalTokens: 1000 })], { mode });
    const result = await createDeepAgent({ model: modelFor(server) }).execute('go', { backend: new StateBackend(), guardrails, onEvent: log.onEvent });
    const events = log.ofType('guardrail');
    if (mode === 'strict') {
      assert.equal(result.status, 'stopped');
      assert.ok(result.error instanceof GuardrailError);
      assert.equal(result.error.guardrail, 'token_budget');
      assert.equal(events.length, 1);
      assert.equal(events[0]!.data.action, 'stopped');
      assert.equal(events[0]!.data.gate, 'before_tool_call');
      // 500 tokens a call: the third call takes the total over 1,000, so its tool call is stopped.
      assert.equal(server.requests.length, 3);
      assert.equal(log.ofType('tool_start').length, 2);
    } else {
      assert.equal(result.status, 'completed');
      assert.ok(events.length >= 1);
      assert.ok(events.every((e) => e.data.action === 'warned'));
      assert.equal(server.requests.length, 4);
    }
  }
});

test('maxIterations stops a run that never answers', async (t) => {
  const server = await scriptedServer(t, () => ({ toolCalls: [{ name: 'ls', arguments: {} }] }));
  const result = await createDeepAgent({ model: modelFor(server), maxIterations: 3 }).execute('loop', { backend: new StateBackend() });
  assert.equal(result.status, 'stopped');
  assert.match(result.error!.message, /limit of 3 model calls/);
  assert.equal(server.requests.length, 3);
});

test('skills are listed in the system prompt and loaded on demand; a broken one is reported', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'skills-'));
  await mkdir(join(dir, 'release-notes'));
  await writeFile(join(dir, 'release-notes', 'SKILL.md'), '---\nname: release-notes\ndescription: Write release notes\n---\nGroup changes by kind.\n');
  await writeFile(join(dir, 'release-notes', 'template.md'), '## Added\n');
  await mkdir(join(dir, 'broken'));
  await writeFile(join(dir, 'broken', 'SKILL.md'), '---\nname: broken\n---\nno description');
  const server = await scriptedServer(t, [
    { toolCalls: [{ name: 'load_skill', arguments: { name: 'release-notes' } }, { name: 'load_skill', arguments: { name: 'release-notes', file: 'template.md' } }, { name: 'load_skill', arguments: { name: 'release-notes', file: '../broken/SKILL.md' } }] },
    { text: 'ok' },
  ]);
  const log = eventLog();
  await createDeepAgent({ model: modelFor(server) }).run('notes', { backend: new StateBackend(), skillsDirs: [dir], onEvent: log.onEvent });
  const system = server.requests[0]!.body.messages[0]!.content!;
  assert.match(system, /- release-notes: Write release notes/);
  assert.doesNotMatch(system, /broken/);
  const [body, template, escape] = log.toolResultsInCallOrder();
  assert.match(body!.result, /Group changes by kind\.[\s\S]*- template\.md/);
  assert.equal(template!.result, '## Added\n');
  assert.equal(escape!.ok, false);
  assert.match(escape!.result, /outside the skill/);
  const warning = log.ofType('error').find((e) => e.data.code === 'skill_invalid')!;
  assert.match(warning.data.message, /broken.SKILL\.md: front matter field "description"/);
  assert.equal(warning.data.fatal, false);
});

test('follow-ups carry the earlier conversation', async (t) => {
  const server = await scriptedServer(t, [{ text: 'first' }, { text: 'second' }]);
  const agent = createDeepAgent({ model: modelFor(server) });
  const first = await agent.run('one', { backend: new StateBackend() });
  await agent.run('two', { backend: new StateBackend(), history: first.messages });
  const roles = server.requests[1]!.body.messages.map((m) => `${m.role}:${m.content}`);
  assert.deepEqual(roles.slice(1), ['user:one', 'assistant:first', 'user:two']);
});

test('several task calls in one reply run their subagents in parallel', async (t) => {
  const server = await scriptedServer(t, (body) => {
    const sub = body.messages[0]!.content!.startsWith('You are general-purpose');
    if (sub) return { text: `report on ${body.messages.at(-1)!.content}`, latencyMs: 20 };
    const done = body.messages.some((m) => m.role === 'tool');
    return done
      ? { text: 'merged' }
      : { toolCalls: ['a', 'b'].map((topic) => ({ name: 'task', arguments: { subagent_type: 'general-purpose', description: topic } })) };
  });
  const log = eventLog();
  await createDeepAgent({ model: modelFor(server) }).run('research a and b', { backend: new StateBackend(), onEvent: log.onEvent });
  const order = log.events.filter((e) => e.parentRunId && (e.type === 'run_start' || e.type === 'run_end')).map((e) => e.type);
  assert.deepEqual(order, ['run_start', 'run_start', 'run_end', 'run_end']);
  assert.deepEqual(log.toolResultsInCallOrder().map((r) => r.result), ['report on a', 'report on b']);
});
