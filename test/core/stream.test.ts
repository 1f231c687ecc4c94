import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createDeepAgent } from '../../src/core/agent/createDeepAgent';
import { StateBackend } from '../../src/core/backends/state';
import type { RunEvent } from '../../src/core/events';
import { runStream, streamText, streamToolCalls } from '../../src/core/stream';
import { modelFor, scriptedServer } from '../support/harness';

const delegating = (body: { messages: { role: string; content: string | null }[] }) => {
  const sub = body.messages[0]!.content!.startsWith('You are general-purpose');
  const turn = body.messages.filter((m) => m.role === 'assistant').length;
  if (sub) return turn === 0 ? { text: 'sub-thinking ', toolCalls: [{ name: 'ls', arguments: {} }] } : { text: 'sub-report' };
  return turn === 0
    ? { text: ['Let me ', 'delegate. '], toolCalls: [{ name: 'task', arguments: { subagent_type: 'general-purpose', description: 'look around' } }] }
    : { text: ['All ', 'done.'] };
};

test('runStream yields every event in order, subagents included, and settles result', async (t) => {
  const server = await scriptedServer(t, delegating);
  const stream = runStream(createDeepAgent({ model: modelFor(server) }), 'go', { backend: new StateBackend() });
  const events: RunEvent[] = [];
  for await (const e of stream) events.push(e);
  const result = await stream.result;
  assert.equal(result.status, 'completed');
  assert.equal(result.output, 'All done.');
  assert.equal(events[0]!.type, 'run_start');
  assert.equal(events.at(-1)!.type, 'run_end');
  assert.equal(events.at(-1)!.runId, result.runId);
  assert.equal(events.filter((e) => e.type === 'run_start').length, 2);
  assert.ok(events.some((e) => e.parentRunId === result.runId && e.type === 'tool_start'), 'the subagent tool call is in the stream');
});

test('streamText yields only the top-level text, in order', async (t) => {
  const server = await scriptedServer(t, delegating);
  const pieces: string[] = [];
  for await (const text of streamText(createDeepAgent({ model: modelFor(server) }), 'go', { backend: new StateBackend() })) pieces.push(text);
  assert.deepEqual(pieces, ['Let me ', 'delegate. ', 'All ', 'done.']);
});

test('streamToolCalls yields only tool starts and ends', async (t) => {
  const server = await scriptedServer(t, delegating);
  const seen: string[] = [];
  for await (const e of streamToolCalls(createDeepAgent({ model: modelFor(server) }), 'go', { backend: new StateBackend() })) {
    seen.push(`${e.type}:${e.data.name}`);
  }
  assert.deepEqual(seen, ['tool_start:task', 'tool_start:ls', 'tool_end:ls', 'tool_end:task']);
});

test('leaving the loop early cancels the run', async (t) => {
  const server = await scriptedServer(t, [{ text: Array.from({ length: 300 }, () => 'x'), chunkDelayMs: 5 }]);
  const stream = runStream(createDeepAgent({ model: modelFor(server) }), 'go', { backend: new StateBackend() });
  let chunks = 0;
  for await (const e of stream) if (e.type === 'llm_chunk' && ++chunks === 3) break;
  const result = await stream.result;
  assert.equal(result.status, 'cancelled');
});

test("the caller's own signal still cancels a stream", async (t) => {
  const server = await scriptedServer(t, [{ text: Array.from({ length: 300 }, () => 'x'), chunkDelayMs: 5 }]);
  const controller = new AbortController();
  const stream = runStream(createDeepAgent({ model: modelFor(server) }), 'go', { backend: new StateBackend(), signal: controller.signal });
  let last: RunEvent | undefined;
  for await (const e of stream) {
    last = e;
    if (e.type === 'llm_chunk') controller.abort();
  }
  assert.equal(last?.type === 'run_end' && last.data.status, 'cancelled');
});
