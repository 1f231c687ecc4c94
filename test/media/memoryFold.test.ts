/** Memory events in the panel's fold (media/view/fold.ts), in Node without a DOM. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RecalledMemory, RunEvent, RunEventData, RunEventType } from '../../src/core/events';
import { foldEvent, showRun } from '../../media/view/fold';
import type { Block } from '../../media/view/model';

function runOf(runId: string) {
  let seq = 0;
  return <T extends RunEventType>(type: T, data: Partial<RunEventData[T]>): RunEvent => ({ runId, seq: seq++, ts: 1_000 + seq, type, data }) as unknown as RunEvent;
}

const start = (prompt: string) => ({ agentName: 'main', prompt, model: 'm', maxIterations: 10, depth: 0 });
const memory = (id: string, content: string, score: number): RecalledMemory => ({ id, content, memoryType: 'semantic', scope: 'global', timestamp: Date.UTC(2026, 0, 2), score });
const kinds = (blocks: Block[]) => blocks.map((b) => b.kind);

test('memories recalled into the prompt fold into one block right after the task, marked when the hashing fallback ranked them', () => {
  const main = runOf('main');
  const recalled = [memory('m1', 'We deploy on Fridays', 0.81), memory('m2', 'Use tabs', 0.4)];
  const view = showRun(undefined, [
    main('run_start', start('How do we deploy?')),
    main('memory_recall', { source: 'injection', query: 'How do we deploy?', memories: recalled, context: '…', embedder: 'hashing-v1', fallback: true }),
    main('step_start', { step: 1 }),
    main('llm_chunk', { step: 1, text: 'On Fridays.' }),
  ]);
  const blocks = view.runs.get('main')!.blocks;
  assert.deepEqual(kinds(blocks), ['user', 'recalled', 'step', 'text']);
  const block = blocks[1] as Extract<Block, { kind: 'recalled' }>;
  assert.deepEqual(block.memories, recalled);
  assert.equal(block.fallback, true);
  assert.equal(block.embedder, 'hashing-v1');
});

test('a recall again after a resume replaces the block at the top instead of adding a second one', () => {
  const main = runOf('main');
  const view = showRun(undefined, [
    main('run_start', start('Task')),
    main('memory_recall', { source: 'injection', query: 'Task', memories: [memory('a', 'old', 0.5)], embedder: 'e', fallback: false }),
    main('step_start', { step: 1 }),
  ]);
  const block = view.runs.get('main')!.blocks[1]!;
  const rev = block.rev;
  foldEvent(view, main('memory_recall', { source: 'injection', query: 'Task', memories: [memory('b', 'new', 0.9)], embedder: 'e', fallback: false }));
  const blocks = view.runs.get('main')!.blocks;
  assert.deepEqual(kinds(blocks), ['user', 'recalled', 'step']);
  assert.equal(blocks[1], block, 'the same block, redrawn');
  assert.ok(block.rev > rev);
  assert.deepEqual((block as Extract<Block, { kind: 'recalled' }>).memories.map((m) => m.id), ['b']);
});

test("the recall tool's memories go into that tool call's entry, not the top block", () => {
  const main = runOf('main');
  const found = [memory('m1', 'Fridays', 0.7)];
  const view = showRun(undefined, [
    main('run_start', start('Task')),
    main('step_start', { step: 1 }),
    main('tool_start', { step: 1, toolCallId: 'c1', name: 'recall', args: { query: 'deploy' } }),
    main('memory_recall', { source: 'tool', toolCallId: 'c1', query: 'deploy', memories: found, embedder: 'e', fallback: false }),
    main('tool_end', { step: 1, toolCallId: 'c1', name: 'recall', ok: true, result: '[m1] Fridays', durationMs: 1 }),
  ]);
  const blocks = view.runs.get('main')!.blocks;
  assert.deepEqual(kinds(blocks), ['user', 'step', 'tool']);
  const tool = blocks[2] as Extract<Block, { kind: 'tool' }>;
  assert.deepEqual(tool.recalled, { memories: found, embedder: 'e', fallback: false });
  assert.deepEqual(tool.outcome, { ok: true, result: '[m1] Fridays' });
});

test('memories kept and deleted during the run show as small notes', () => {
  const main = runOf('main');
  const view = showRun(undefined, [
    main('run_start', start('Task')),
    main('memory_store', { source: 'tool', toolCallId: 'c1', memories: [{ id: 'x', content: 'The API lives in src/api\nmore', memoryType: 'semantic' }] }),
    main('memory_store', { source: 'tool', toolCallId: 'c2', memories: [{ id: 'y#1', content: 'a', memoryType: 'semantic' }, { id: 'y#2', content: 'b', memoryType: 'semantic' }] }),
    main('memory_forget', { toolCallId: 'c3', ids: ['x', 'gone'], deleted: 1 }),
    main('memory_store', { source: 'interaction', memories: [{ id: 'interaction-main', content: 'Task: …', memoryType: 'episodic' }] }),
  ]);
  const notes = view.runs.get('main')!.blocks.flatMap((b) => (b.kind === 'memory_note' ? [b.text] : []));
  assert.deepEqual(notes, ['Remembered “The API lives in src/api”', 'Remembered 2 memories', 'Forgot 1 memory (1 did not exist)', 'Remembered this task and its outcome']);
});
