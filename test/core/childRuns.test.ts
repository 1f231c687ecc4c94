/**
 * Child runs started through the core's child-run API (not through `task`): a graph-task-style
 * child is journaled on its own, linked to its parent by run_start.parent; killed with SIGKILL in
 * the middle of a child, the parent resumes and so does the unfinished child, while the finished
 * child is never run again.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test, type TestContext } from 'node:test';
import { CheckpointManager, childRunId, DeepAgentAttr, FileCheckpointStore, foldJournal, MemoryTraceExporter, RunNotFoundError, type RunEvent } from '../../src/core';
import { graphTaskScript, parentAnswer, runGraphTaskParent, taskPrompts } from '../support/graphTask';
import { bundleGraphTaskChild, runUntilTaskBStreams } from '../support/graphTaskCrash';
import { startScriptedServer } from '../support/scriptedServer';

const link = (id: string) => ({ kind: 'graph_task' as const, id });
const requestsFor = (requests: { body: { messages: { role: string; content: string | null }[] } }[], prompt: string) =>
  requests.filter((r) => r.body.messages.find((m) => m.role === 'user')?.content === prompt).length;

async function scratch(t: TestContext): Promise<{ workspace: string; checkpointDir: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'child-runs-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return { workspace: dir, checkpointDir: join(dir, '.deep-agent', 'runs') };
}

test('a graph-task child run is journaled on its own, linked to its parent, and its events reach the parent\'s listeners', async (t) => {
  const server = await startScriptedServer(graphTaskScript(0));
  t.after(() => server.close());
  const { workspace, checkpointDir } = await scratch(t);
  const seen: RunEvent[] = [];
  const traces = new MemoryTraceExporter();
  const result = await runGraphTaskParent({ serverUrl: server.url, workspace, checkpointDir, onEvent: (e) => seen.push(e), exporters: [traces] });
  assert.equal(result.status, 'completed');
  assert.equal(result.output, parentAnswer);

  const store = new FileCheckpointStore(checkpointDir);
  const parent = (await store.readJournal(result.runId)).events;
  assert.deepEqual([...new Set(parent.map((e) => e.runId))], [result.runId], "the parent's journal holds only the parent's events");
  for (const id of ['a', 'b']) {
    const childId = childRunId(result.runId, link(id));
    const child = (await store.readJournal(childId)).events;
    const start = child.find((e) => e.type === 'run_start');
    assert.equal(start?.parentRunId, result.runId, `task ${id}'s run names its parent`);
    assert.deepEqual(start?.type === 'run_start' && start.data.parent, link(id), `task ${id}'s run_start carries its link`);
    assert.equal(start?.type === 'run_start' && start.data.depth, 1);
    assert.equal(child.at(-1)?.type, 'run_end');
    assert.ok(seen.some((e) => e.runId === childId && e.type === 'llm_end'), `task ${id}'s events reached the parent's listener`);
  }
  const runSpans = traces.spans.filter((s) => s.kind === 'run');
  const parentSpan = runSpans.find((s) => s.attributes[DeepAgentAttr.runId] === result.runId)!;
  for (const id of ['a', 'b']) {
    const span = runSpans.find((s) => s.attributes[DeepAgentAttr.runId] === childRunId(result.runId, link(id)));
    assert.equal(span?.traceId, parentSpan.traceId, `task ${id} is traced in its parent's trace`);
    assert.equal(span?.parentSpanId, parentSpan.spanId, `task ${id}'s span hangs under its parent run`);
    assert.equal(span?.attributes[DeepAgentAttr.parentKind], 'graph_task');
    assert.equal(span?.attributes[DeepAgentAttr.parentId], id);
  }
  const listed = await store.listRuns();
  assert.equal(listed.length, 3, 'the parent and both tasks are stored runs');
});

let child: { script: string; dispose(): Promise<void> };
before(async () => (child = await bundleGraphTaskChild()));
after(() => child.dispose());

test('killed with SIGKILL while a graph task runs, the parent resumes with its unfinished task; the finished task is not run again', async (t) => {
  const server = await startScriptedServer(graphTaskScript(20));
  t.after(() => server.close());
  const { workspace, checkpointDir } = await scratch(t);
  const { parentRunId } = await runUntilTaskBStreams(child.script, [server.url, workspace, checkpointDir]);
  const store = new FileCheckpointStore(checkpointDir);
  const [aId, bId] = [childRunId(parentRunId, link('a')), childRunId(parentRunId, link('b'))];
  const runs = new Map((await store.listRuns()).map((r) => [r.runId, r.status]));
  assert.equal(runs.get(parentRunId), 'interrupted');
  assert.equal(runs.get(aId), 'completed');
  assert.equal(runs.get(bId), 'interrupted', 'task B was cut off mid-stream');
  assert.equal(requestsFor(server.requests, taskPrompts.a), 1);

  const result = await runGraphTaskParent({ serverUrl: server.url, workspace, checkpointDir, resume: parentRunId });
  assert.equal(result.status, 'completed', result.error?.message);
  assert.equal(result.runId, parentRunId, 'the same run went on');
  assert.equal(result.output, parentAnswer);
  assert.equal(requestsFor(server.requests, taskPrompts.a), 1, 'the finished task was not run again');
  assert.equal(requestsFor(server.requests, taskPrompts.b), 2, 'the cut-off model call of task B was asked again');

  const a = (await store.readJournal(aId)).events;
  const b = (await store.readJournal(bId)).events;
  assert.equal(a.filter((e) => e.type === 'run_resumed').length, 0, 'task A was not resumed');
  assert.equal(b.filter((e) => e.type === 'run_resumed').length, 1, 'task B went on from its journal');
  assert.equal(b.filter((e) => e.type === 'run_start').length, 1, 'task B was not started over');
  const last = b.at(-1);
  assert.equal(last?.type === 'run_end' ? last.data.status : undefined, 'completed');
  const parentEvents = (await store.readJournal(parentRunId)).events;
  assert.equal(parentEvents.filter((e) => e.type === 'run_resumed').length, 1);
  assert.equal(parentEvents.filter((e) => e.type === 'tool_end' && e.data.toolCallId === 'call_a').length, 1, "task A's result was recorded once");
});

test('a fork of the parent takes its children along as they were at the checkpoint: a finished task is not run again in the fork', async (t) => {
  const server = await startScriptedServer(graphTaskScript(0));
  t.after(() => server.close());
  const { workspace, checkpointDir } = await scratch(t);
  const original = await runGraphTaskParent({ serverUrl: server.url, workspace, checkpointDir });
  assert.equal(original.status, 'completed');
  const store = new FileCheckpointStore(checkpointDir);
  const events = (await store.readJournal(original.runId)).events;
  const afterTaskA = events.findIndex((e) => e.type === 'tool_end' && e.data.toolCallId === 'call_a');
  const checkpoint = events.slice(afterTaskA).find((e) => e.type === 'checkpoint');
  assert.ok(checkpoint?.type === 'checkpoint', 'a checkpoint follows task A');

  const forkId = await new CheckpointManager(store).fork(checkpoint.data.checkpointId);
  const forkedA = (await store.readJournal(childRunId(forkId, link('a')))).events;
  assert.equal(forkedA[0]?.parentRunId, forkId, "the fork's task A names the fork as its parent");
  assert.equal(forkedA.at(-1)?.type, 'run_end', 'task A came along finished');
  await assert.rejects(store.readJournal(childRunId(forkId, link('b'))), RunNotFoundError, 'task B had not started at the checkpoint');

  const aCalls = requestsFor(server.requests, taskPrompts.a);
  const forked = await runGraphTaskParent({ serverUrl: server.url, workspace, checkpointDir, resume: forkId });
  assert.equal(forked.status, 'completed', forked.error?.message);
  assert.equal(forked.output, parentAnswer);
  assert.equal(requestsFor(server.requests, taskPrompts.a), aCalls, 'the fork did not run task A again');
  assert.equal(requestsFor(server.requests, taskPrompts.b), 2, 'the fork ran task B');
  assert.equal((await store.readJournal(original.runId)).events.length, events.length, 'the original run is untouched');
});

test('a journal whose own run names one of its subagents as its parent folds without looping', () => {
  const ev = (runId: string, parentRunId: string | undefined, seq: number, type: string, data: object) => ({ runId, parentRunId, seq, ts: 1_000 + seq, type, data }) as RunEvent;
  const usage = { inputTokens: 1, outputTokens: 1, totalTokens: 2 };
  const answer = { step: 1, model: 'm', text: 'x', toolCalls: [], finishReason: 'stop', usage, costUsd: 0, durationMs: 1 };
  const { root, runs } = foldJournal([
    ev('main', 'sub', 0, 'run_start', { agentName: 'a', prompt: 'p', model: 'm', maxIterations: 5, depth: 0 }),
    ev('sub', 'main', 0, 'run_start', { agentName: 'b', prompt: 'q', model: 'm', maxIterations: 5, depth: 1, parentToolCallId: 'call-1' }),
    ev('sub', 'main', 1, 'llm_end', answer),
    ev('main', 'sub', 1, 'llm_end', answer),
  ]);
  assert.equal(root?.runId, 'main');
  assert.equal(runs.get('sub')!.usage.totalTokens, 2);
  assert.equal(root!.usage.totalTokens, 4, "the subagent's tokens count once for its parent, and the walk stops at the journal's own run");
});

test("a child run starts its own conversation: the parent's earlier messages (a follow-up) are not its history", async (t) => {
  const server = await startScriptedServer(graphTaskScript(0));
  t.after(() => server.close());
  const { workspace, checkpointDir } = await scratch(t);
  const history = [
    { role: 'user' as const, content: 'EARLIER QUESTION' },
    { role: 'assistant' as const, content: 'An earlier answer.' },
  ];
  const result = await runGraphTaskParent({ serverUrl: server.url, workspace, checkpointDir, history });
  assert.equal(result.status, 'completed', result.error?.message);
  const taskRequests = server.requests.filter((r) => Object.values(taskPrompts).includes(r.body.messages.find((m) => m.role === 'user')?.content as never));
  assert.equal(taskRequests.length, 2);
  for (const request of taskRequests) assert.ok(!JSON.stringify(request.body.messages).includes('EARLIER QUESTION'), 'a task does not see its parent\'s conversation');
  assert.ok(JSON.stringify(server.requests[0]!.body.messages).includes('EARLIER QUESTION'), 'the parent does');
});
