/** The panel's fold of events into its view model, in Node without a DOM. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RunEvent, RunEventData, RunEventType } from '../../src/core/events';
import { foldEvent, initialView, showRun } from '../../media/view/fold';
import type { Block, View } from '../../media/view/model';

/** Events of one run, numbered as the core numbers them. */
function runOf(runId: string, parentRunId?: string) {
  let seq = 0;
  return <T extends RunEventType>(type: T, data: Partial<RunEventData[T]>): RunEvent =>
    ({ runId, parentRunId, seq: seq++, ts: 1_000 + seq, type, data }) as unknown as RunEvent;
}

const usage = { inputTokens: 1, outputTokens: 2, totalTokens: 3 };
const start = (prompt: string, extra: Partial<RunEventData['run_start']> = {}) => ({ agentName: 'main', prompt, model: 'm', maxIterations: 10, depth: 0, ...extra });

/** A block list as short strings, for readable assertions. */
function outline(view: View, runId = view.topRunId!): string[] {
  return view.runs.get(runId)!.blocks.map((b: Block) => {
    switch (b.kind) {
      case 'user':
        return `user: ${b.text}`;
      case 'step':
        return `step ${b.step}`;
      case 'text':
        return `text: ${b.text}`;
      case 'thinking':
        return `thinking${b.done ? ' (done)' : ''}: ${b.text}`;
      case 'tool':
        return `tool ${b.name}${b.outcome ? (b.outcome.ok ? ' ok' : ' failed') : ''}${b.approval ? ` [${b.approval.state}]` : ''}${b.children.length ? ` > ${b.children.join(',')}` : ''}`;
      case 'child':
        return `child ${b.runId}`;
      case 'resumed':
        return b.forkedFrom ? `forked from ${b.forkedFrom}` : `resumed at step ${b.step}`;
      case 'end':
        return `end ${b.status}`;
      case 'resume_offer':
        return `offer to resume (${b.status})`;
      default:
        return b.kind;
    }
  });
}

test('a subagent nests inside the task tool call that started it', () => {
  const main = runOf('main');
  const sub = runOf('sub', 'main');
  const view = showRun(undefined, [
    main('run_start', start('Research X')),
    main('step_start', { step: 1 }),
    main('tool_start', { step: 1, toolCallId: 'call-1', name: 'task', args: { description: 'look it up' } }),
    sub('run_start', start('look it up', { agentName: 'researcher', depth: 1, parentToolCallId: 'call-1' })),
    sub('step_start', { step: 1 }),
    sub('llm_chunk', { step: 1, text: 'Found it.' }),
    sub('run_end', { status: 'completed', usage, costUsd: 0, steps: 1, durationMs: 5 }),
    main('tool_end', { step: 1, toolCallId: 'call-1', name: 'task', ok: true, result: 'Found it.', durationMs: 9 }),
  ]);
  assert.deepEqual(outline(view), ['user: Research X', 'step 1', 'tool task ok > sub']);
  // A subagent's steps have no headers and its end is not the top run's end.
  assert.deepEqual(outline(view, 'sub'), ['text: Found it.']);
  assert.equal(view.runs.get('sub')!.agentName, 'researcher');
  assert.equal(view.end, undefined);
});

test('a graph-task child run nests under its parent run, with its agent and task', () => {
  const main = runOf('main');
  const task = runOf('task-run', 'main');
  const view = showRun(undefined, [
    main('run_start', start('Build the graph')),
    task('run_start', { ...start('write the tests', { agentName: 'tester', depth: 1 }), parent: { kind: 'graph_task', id: 't2' } } as RunEventData['run_start']),
    task('llm_chunk', { step: 1, text: 'Tests written.' }),
  ]);
  assert.deepEqual(outline(view), ['user: Build the graph', 'child task-run']);
  assert.deepEqual(view.runs.get('task-run')!.parent, { kind: 'graph_task', id: 't2' });
  assert.deepEqual(outline(view, 'task-run'), ['text: Tests written.']);
});

test('a malformed parent link is ignored; the child still nests under its parent run', () => {
  const main = runOf('main');
  const child = runOf('child', 'main');
  const view = showRun(undefined, [
    main('run_start', start('Go')),
    child('run_start', { ...start('sub'), parent: { kind: 'something else', id: 4 } } as unknown as RunEventData['run_start']),
  ]);
  assert.equal(view.runs.get('child')!.parent, undefined);
  assert.deepEqual(outline(view), ['user: Go', 'child child']);
});

test('a retry (llm_start attempt 2) voids the earlier attempt’s text and thinking', () => {
  const main = runOf('main');
  const view = showRun(undefined, [
    main('run_start', start('Answer')),
    main('step_start', { step: 1 }),
    main('llm_start', { step: 1, attempt: 1 }),
    main('llm_reasoning', { step: 1, text: 'hmm' }),
    main('llm_chunk', { step: 1, text: 'Half an ans' }),
    main('error', { message: 'HTTP 429', code: 'model_http_429', fatal: false }),
    main('llm_start', { step: 1, attempt: 2 }),
  ]);
  const text = view.runs.get('main')!.texts.get(1)!;
  assert.equal(text.text, '');
  assert.equal(text.resets, 1, 'a renderer can tell the text was voided');
  foldEvent(view, main('llm_chunk', { step: 1, text: 'The answer.' }));
  assert.deepEqual(outline(view), ['user: Answer', 'step 1', 'text: The answer.', 'error']);
});

test('thinking is done once the answer begins', () => {
  const main = runOf('main');
  const view = showRun(undefined, [main('run_start', start('Think')), main('llm_reasoning', { step: 1, text: 'Let me ' }), main('llm_reasoning', { step: 1, text: 'see.' })]);
  assert.deepEqual(outline(view), ['user: Think', 'thinking: Let me see.']);
  foldEvent(view, main('llm_chunk', { step: 1, text: 'Seen.' }));
  assert.deepEqual(outline(view), ['user: Think', 'thinking (done): Let me see.', 'text: Seen.']);
});

test('an approval is asked on its tool call, then answered', () => {
  const main = runOf('main');
  const view = showRun(undefined, [
    main('run_start', start('Write')),
    main('tool_start', { step: 1, toolCallId: 'w1', name: 'write_file', args: { path: 'a.md', content: 'x' } }),
    main('approval_requested', { step: 1, toolCallId: 'w1', name: 'write_file', path: 'a.md' }),
  ]);
  const tool = view.tools.get('w1')!;
  assert.deepEqual(tool.approval, { state: 'pending', what: 'write_file a.md (the diff is open in the editor)' });
  const before = tool.rev;
  foldEvent(view, main('approval_resolved', { step: 1, toolCallId: 'w1', name: 'write_file', approved: false, reason: 'not here' }));
  assert.equal(tool.approval!.state, 'rejected');
  assert.equal(tool.approval!.reason, 'not here');
  assert.ok(tool.rev > before, 'the tool call is stamped for redrawing');
});

test('run_end of the top run ends the transcript and sets the status figures', () => {
  const main = runOf('main');
  const view = showRun(undefined, [
    main('run_start', start('Go')),
    main('progress', { step: 1, iteration: 1, maxIterations: 10, usage, costUsd: 0.5 }),
    main('tool_start', { step: 1, toolCallId: 't', name: 'write_todos', args: { todos: [{ content: 'Do it', status: 'in_progress' }] } }),
    main('run_end', { status: 'cancelled', usage, costUsd: 0.5, steps: 1, durationMs: 10 }),
  ]);
  assert.deepEqual(view.progress, { iteration: 1, maxIterations: 10, totalTokens: 3, costUsd: 0.5 });
  assert.deepEqual(view.todos, [{ content: 'Do it', status: 'in_progress' }]);
  assert.equal(view.end?.status, 'cancelled');
  assert.deepEqual(outline(view).at(-1), 'end cancelled');
});

test('a child run shown on its own is the top run; its parent and siblings are left out', () => {
  const main = runOf('main');
  const sub = runOf('sub', 'main');
  const other = runOf('other', 'main');
  const events = [
    main('run_start', start('Research X')),
    main('tool_start', { step: 1, toolCallId: 'call-1', name: 'task', args: {} }),
    sub('run_start', start('look it up', { agentName: 'researcher', depth: 1, parentToolCallId: 'call-1' })),
    other('run_start', start('something else', { depth: 1 })),
    sub('step_start', { step: 1 }),
    sub('progress', { step: 1, iteration: 1, maxIterations: 5, usage, costUsd: 0 }),
    sub('llm_chunk', { step: 1, text: 'Found it.' }),
    main('llm_chunk', { step: 2, text: 'not shown' }),
    sub('run_end', { status: 'completed', usage, costUsd: 0, steps: 1, durationMs: 5 }),
  ];
  const view = showRun({ runId: 'main', prompt: 'Research X', status: 'cancelled', startedAt: 0, resumable: true }, events, 'sub');
  assert.equal(view.topRunId, 'sub');
  assert.deepEqual([...view.runs.keys()], ['sub']);
  // As the top run it has its task, step headers, figures and end; the offer to resume is the top-level run's.
  assert.deepEqual(outline(view), ['user: look it up', 'step 1', 'text: Found it.', 'end completed']);
  assert.equal(view.progress?.maxIterations, 5);
});

test('a resumed run continues its transcript: the cut-off step starts over once, after a marker', () => {
  const main = runOf('main');
  const before = [
    main('run_start', start('Count')),
    main('step_start', { step: 1 }),
    main('llm_chunk', { step: 1, text: 'Step one.' }),
    main('step_start', { step: 2 }),
    main('llm_chunk', { step: 2, text: 'Half of st' }),
  ];
  const view = showRun({ runId: 'main', prompt: 'Count', status: 'interrupted', startedAt: 0, resumable: true }, before);
  assert.deepEqual(outline(view).at(-1), 'offer to resume (interrupted)');
  foldEvent(view, main('run_resumed', { agentName: 'main', model: 'm', depth: 0, fromSeq: 4, step: 2, interruptedToolCalls: [{ toolCallId: 'x', name: 'write_file', outcome: 'rerun' }] }));
  foldEvent(view, main('step_start', { step: 2 }));
  foldEvent(view, main('llm_chunk', { step: 2, text: 'Step two.' }));
  assert.deepEqual(outline(view), ['user: Count', 'step 1', 'text: Step one.', 'resumed at step 2', 'step 2', 'text: Step two.']);
  const marker = view.runs.get('main')!.blocks.find((b) => b.kind === 'resumed');
  assert.deepEqual(marker && marker.kind === 'resumed' && marker.interruptedToolCalls, [{ name: 'write_file', outcome: 'rerun' }]);
});

test('a fork is marked where it leaves the run it was forked from', () => {
  const fork = runOf('fork');
  const view = showRun(undefined, [
    fork('run_start', start('Count', { forkedFrom: { runId: 'original-run', checkpointId: 'original-run@1' } })),
    fork('step_start', { step: 1 }),
    fork('run_resumed', { agentName: 'main', model: 'm', depth: 0, fromSeq: 1, step: 2, interruptedToolCalls: [] }),
  ]);
  assert.deepEqual(outline(view), ['user: Count', 'step 1', 'forked from original-run']);
});

test('the same tool call again in the same step (after a resume) starts its entry over', () => {
  const main = runOf('main');
  const view = showRun(undefined, [
    main('run_start', start('Write')),
    main('tool_start', { step: 1, toolCallId: 'w1', name: 'write_file', args: { v: 1 } }),
    main('tool_end', { step: 1, toolCallId: 'w1', name: 'write_file', ok: false, result: 'cut off', durationMs: 1 }),
    main('tool_start', { step: 1, toolCallId: 'w1', name: 'write_file', args: { v: 2 } }),
    // Another step numbering its calls the same: another call.
    main('tool_start', { step: 2, toolCallId: 'w1', name: 'read_file', args: {} }),
  ]);
  assert.deepEqual(outline(view), ['user: Write', 'tool write_file', 'tool read_file']);
  const first = view.runs.get('main')!.blocks[1]!;
  assert.ok(first.kind === 'tool' && first.runs === 2 && (first.args as { v: number }).v === 2);
});

test('events of runs outside the shown tree are left out', () => {
  const view = initialView();
  foldEvent(view, runOf('stranger', 'nobody')('llm_chunk', { step: 1, text: 'x' }));
  foldEvent(view, runOf('orphan', 'nobody')('run_start', start('x', { depth: 1 })));
  assert.equal(view.topRunId, undefined);
  assert.equal(view.runs.size, 0);
});
