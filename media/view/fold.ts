/**
 * Folds a run's events into the view model (model.ts). No DOM: tested in Node. The fold mutates the
 * view in place and stamps what it touched with a new revision (see model.ts for why).
 */
import type { RunEvent, RunEventOf } from '../../src/core';
import type { RunSummary } from '../../src/webview/protocol';
import type { Block, ChildOf, RunView, TextBlock, ThinkingBlock, View } from './model';

/** An empty view; `focus`: the run to show as the top run (a child run on its own). */
export function initialView(focus?: string): View {
  return { focus, topRunId: undefined, runs: new Map(), tools: new Map(), todos: [], progress: undefined, end: undefined, forkedFrom: undefined, barRev: 0, rev: 0 };
}

/** A run from scratch: every event so far, and the offer to resume it when it did not finish. */
export function showRun(run: RunSummary | undefined, events: readonly RunEvent[], focus?: string): View {
  const view = initialView(focus);
  for (const event of events) foldEvent(view, event);
  const top = view.topRunId ? view.runs.get(view.topRunId) : undefined;
  if (top && run?.resumable && top.runId === run.runId) add(view, top, { kind: 'resume_offer', status: run.status as 'interrupted' | 'cancelled' });
  return view;
}

export function foldEvent(view: View, event: RunEvent): View {
  if (event.type === 'run_start' || event.type === 'run_resumed') enter(view, event);
  const run = view.runs.get(event.runId);
  if (!run) return view; // not part of the shown tree
  const top = run.runId === view.topRunId;
  switch (event.type) {
    case 'run_resumed':
      if (top) resumed(view, run, event);
      break;
    case 'step_start':
      startStep(view, run, event.data.step, top);
      break;
    case 'llm_start':
      // A retry: the failed attempt's text and thinking are void.
      if (event.data.attempt > 1) {
        const text = run.texts.get(event.data.step);
        if (text) Object.assign(text, { text: '', resets: text.resets + 1, rev: stamp(view) });
        remove(view, run, run.thoughts.get(event.data.step));
        run.thoughts.delete(event.data.step);
      }
      break;
    case 'llm_reasoning': {
      const thinking = run.thoughts.get(event.data.step) ?? newThinking(view, run, event.data.step);
      thinking.text += event.data.text;
      thinking.rev = stamp(view);
      break;
    }
    case 'llm_chunk': {
      doneThinking(view, run, event.data.step);
      const text = run.texts.get(event.data.step) ?? newText(view, run, event.data.step);
      text.text += event.data.text;
      text.rev = stamp(view);
      break;
    }
    case 'llm_end':
      doneThinking(view, run, event.data.step);
      break;
    case 'tool_start':
      doneThinking(view, run, event.data.step);
      startTool(view, run, event, top);
      break;
    case 'tool_end': {
      const tool = view.tools.get(event.data.toolCallId);
      if (tool) touch(view, tool, { outcome: { ok: event.data.ok, result: event.data.result } });
      break;
    }
    case 'approval_requested': {
      const tool = view.tools.get(event.data.toolCallId);
      const what = event.data.path ? `${event.data.name} ${event.data.path} (the diff is open in the editor)` : event.data.name;
      if (tool) touch(view, tool, { approval: { state: 'pending', what } });
      break;
    }
    case 'approval_resolved': {
      const tool = view.tools.get(event.data.toolCallId);
      if (tool?.approval) touch(view, tool, { approval: { ...tool.approval, state: event.data.approved ? 'approved' : 'rejected', reason: event.data.reason } });
      break;
    }
    case 'progress':
      if (top) {
        const d = event.data;
        view.progress = { iteration: d.iteration, maxIterations: d.maxIterations, totalTokens: d.usage.totalTokens, costUsd: d.costUsd };
        view.barRev = stamp(view);
      }
      break;
    case 'guardrail':
      add(view, run, { kind: 'guardrail', guardrail: event.data.guardrail, action: event.data.action, message: event.data.message });
      break;
    case 'error':
      add(view, run, { kind: 'error', message: event.data.message, code: event.data.code, fatal: event.data.fatal });
      break;
    case 'memory_recall':
      recall(view, run, event);
      break;
    case 'memory_store':
      add(view, run, { kind: 'memory_note', text: remembered(event.data.memories.map((m) => m.content), event.data.source) });
      break;
    case 'memory_forget': {
      const n = event.data.deleted;
      add(view, run, { kind: 'memory_note', text: `Forgot ${n} ${n === 1 ? 'memory' : 'memories'}${n < event.data.ids.length ? ` (${event.data.ids.length - n} did not exist)` : ''}` });
      break;
    }
    case 'run_end':
      if (top) {
        const d = event.data;
        view.end = { status: d.status, error: d.error, steps: d.steps, totalTokens: d.usage.totalTokens, costUsd: d.costUsd };
        view.barRev = stamp(view);
        add(view, run, { kind: 'end', status: d.status, error: d.error });
      }
      break;
    default:
      break;
  }
  return view;
}

/**
 * A run begins (or goes on, when its start is not among the events): as the top run, or as a child
 * of a run in the tree. Runs outside the tree are not shown.
 */
function enter(view: View, event: RunEventOf<'run_start'> | RunEventOf<'run_resumed'>): void {
  if (view.runs.has(event.runId)) return;
  const isTop = view.focus !== undefined ? event.runId === view.focus : view.topRunId === undefined && !event.parentRunId;
  const parentRun = event.parentRunId ? view.runs.get(event.parentRunId) : undefined;
  if (!isTop && !parentRun) return;
  const prompt = event.type === 'run_start' ? event.data.prompt : '';
  const run: RunView = {
    runId: event.runId,
    parentRunId: event.parentRunId,
    agentName: event.data.agentName,
    prompt,
    parent: childOf(event.data),
    blocks: [],
    rev: stamp(view),
    steps: new Map(),
    texts: new Map(),
    thoughts: new Map(),
  };
  view.runs.set(run.runId, run);
  if (isTop) {
    view.topRunId = run.runId;
    if (event.type === 'run_start') {
      view.forkedFrom = event.data.forkedFrom;
      add(view, run, { kind: 'user', text: prompt });
    }
    return;
  }
  const tool = run.parent?.kind === 'tool_call' ? view.tools.get(run.parent.id) : undefined;
  if (tool && tool.runId === parentRun!.runId) touch(view, tool, { children: [...tool.children, run.runId] });
  else add(view, parentRun!, { kind: 'child', runId: run.runId });
}

/**
 * Memories recalled: into the prompt (a folded block at the top of the run, after its task; a resume
 * that recalls again replaces it), or by the `recall` tool (into that call's entry).
 */
function recall(view: View, run: RunView, event: RunEventOf<'memory_recall'>): void {
  const { memories, embedder, fallback } = event.data;
  if (event.data.source === 'tool') {
    const tool = event.data.toolCallId ? view.tools.get(event.data.toolCallId) : undefined;
    if (tool) touch(view, tool, { recalled: { memories, embedder, fallback } });
    return;
  }
  const existing = run.blocks.find((b) => b.kind === 'recalled');
  if (existing) {
    touch(view, existing, { memories, embedder, fallback });
    return;
  }
  const block = add(view, run, { kind: 'recalled', memories, embedder, fallback });
  // At the top: right after the task (or first, in a run whose start is not among the events).
  run.blocks.pop();
  run.blocks.splice(run.blocks[0]?.kind === 'user' ? 1 : 0, 0, block);
}

/** "Remembered “…”" for one memory, "Remembered 3 memories" for more. */
function remembered(contents: string[], source: 'tool' | 'interaction'): string {
  const what = source === 'interaction' ? 'this task and its outcome' : contents.length === 1 ? `“${clip(contents[0]!)}”` : `${contents.length} memories`;
  return `Remembered ${what}`;
}

const clip = (text: string) => {
  const line = text.trim().split('\n', 1)[0]!;
  return line.length > 80 ? `${line.slice(0, 80)}…` : line;
};

/**
 * How a child run was started. `parent` is newer than `parentToolCallId` and may be missing (older
 * journals) or malformed, so it is read with care.
 */
function childOf(data: { parentToolCallId?: string }): ChildOf | undefined {
  const parent = (data as { parent?: { kind?: unknown; id?: unknown } }).parent;
  if (parent && (parent.kind === 'tool_call' || parent.kind === 'graph_task') && typeof parent.id === 'string') return { kind: parent.kind, id: parent.id };
  return data.parentToolCallId ? { kind: 'tool_call', id: data.parentToolCallId } : undefined;
}

/** The top run goes on after an interruption (or leaves the run it was forked from): a marker. */
function resumed(view: View, run: RunView, event: RunEventOf<'run_resumed'>): void {
  for (const offer of run.blocks.filter((b) => b.kind === 'resume_offer')) remove(view, run, offer);
  // A fork's first resume after its checkpoint is where it leaves the run it was forked from (the
  // events before it are copies, resume markers of the original run included).
  const fork = view.forkedFrom;
  const forkSeq = fork ? Number(fork.checkpointId.slice(fork.checkpointId.lastIndexOf('@') + 1)) : NaN;
  const forkedHere = fork !== undefined && event.seq > forkSeq;
  if (forkedHere) view.forkedFrom = undefined;
  add(view, run, {
    kind: 'resumed',
    forkedFrom: forkedHere ? fork.runId : undefined,
    step: event.data.step,
    interruptedToolCalls: event.data.interruptedToolCalls.map(({ name, outcome }) => ({ name, outcome })),
  });
}

/**
 * A step begins. After a resume the step that was cut off mid-stream is asked again, with the same
 * number: its partial text and thinking are dropped and the step starts over at the end, so each
 * step shows once.
 */
function startStep(view: View, run: RunView, step: number, top: boolean): void {
  remove(view, run, run.texts.get(step));
  run.texts.delete(step);
  remove(view, run, run.thoughts.get(step));
  run.thoughts.delete(step);
  if (!top) return;
  const header = run.steps.get(step) ?? { kind: 'step' as const, step, key: stamp(view), rev: view.rev };
  run.steps.set(step, header);
  remove(view, run, header);
  add(view, run, header);
}

function startTool(view: View, run: RunView, event: RunEventOf<'tool_start'>, top: boolean): void {
  const { name, args, toolCallId, step } = event.data;
  if (name === 'write_todos' && top) {
    const todos = (args as { todos?: unknown }).todos;
    view.todos = Array.isArray(todos) ? todos.map((t: { content?: unknown; status?: unknown }) => ({ content: String(t.content), status: String(t.status) })) : [];
    view.barRev = stamp(view);
  }
  const existing = view.tools.get(toolCallId);
  // The same call of the same step again: it runs again after a resume, so its entry starts over.
  // (Some servers number tool calls per answer, so the same id in another step is another call.)
  if (existing && existing.runId === run.runId && existing.step === step) {
    touch(view, existing, { args, outcome: undefined, approval: undefined, runs: existing.runs + 1 });
    return;
  }
  const tool = add(view, run, { kind: 'tool', runId: run.runId, step, toolCallId, name, args, children: [], runs: 1 });
  view.tools.set(toolCallId, tool);
}

function newText(view: View, run: RunView, step: number): TextBlock {
  const block = add(view, run, { kind: 'text', step, text: '', resets: 0 });
  run.texts.set(step, block);
  return block;
}

function newThinking(view: View, run: RunView, step: number): ThinkingBlock {
  const block = add(view, run, { kind: 'thinking', step, text: '', done: false });
  run.thoughts.set(step, block);
  return block;
}

function doneThinking(view: View, run: RunView, step: number): void {
  const thinking = run.thoughts.get(step);
  if (thinking && !thinking.done) touch(view, thinking, { done: true });
}

const stamp = (view: View) => ++view.rev;

type NewBlock = Block extends infer B ? (B extends Block ? Omit<B, 'key' | 'rev'> : never) : never;

/** Appends a block to a run (a new block gets a key; a moved one keeps its own). */
function add<B extends NewBlock | Block>(view: View, run: RunView, block: B): B & Block {
  const added = block as B & Block;
  added.key ??= stamp(view);
  added.rev = stamp(view);
  run.blocks.push(added);
  run.rev = view.rev;
  return added;
}

function remove(view: View, run: RunView, block: Block | undefined): void {
  const at = block ? run.blocks.indexOf(block) : -1;
  if (at === -1) return;
  run.blocks.splice(at, 1);
  run.rev = stamp(view);
}

function touch<B extends Block>(view: View, block: B, change: Partial<B>): void {
  Object.assign(block, change, { rev: stamp(view) });
}
