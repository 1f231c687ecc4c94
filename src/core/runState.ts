/**
 * Resume's view of a run: the fold of its journal (ARCHITECTURE.md). Messages, todos, usage and
 * iterations come from llm_end, tool_start and tool_end; a step whose model answer is recorded
 * but whose tool calls are not all finished is kept as `pending`, with which calls had started.
 * The fold never throws on a damaged journal: a missing event only leaves less state.
 */
import { createHash } from 'node:crypto';
import { isValidRunId } from './checkpoint/store';
import { addSpend, countEvent } from './totals';
import { zeroUsage, type ParentLink, type RunEvent, type RunEventData, type RunStatus, type Usage } from './events';
import type { ChatMessage, ToolCall } from './model/types';
import type { Todo } from './tools/types';

export interface ToolResultRecord {
  toolCallId: string;
  name: string;
  ok: boolean;
  result: string;
}

export interface RecordedFileChange {
  path: string;
  before: string | null;
  after: string;
}

/** A step whose model answer is recorded but whose tool calls may not all have finished. */
export interface PendingStep {
  step: number;
  answer: { text: string; toolCalls: ToolCall[]; finishReason: string; usage: Usage; costUsd: number };
  /** Calls with a recorded result. */
  results: Map<string, ToolResultRecord>;
  /** Calls that started (tool_start), with their parsed arguments. */
  started: Map<string, unknown>;
  /** Write-ahead file intents per call. */
  fileChanges: Map<string, RecordedFileChange[]>;
}

/** What the run started with (run_start), then what it has done since. */
export interface RunState extends Omit<RunEventData['run_start'], 'history' | 'parent'> {
  runId: string;
  parentRunId?: string;
  /** What in the parent started this child run (older journals: from `parentToolCallId`). */
  parent?: ParentLink;
  history: ChatMessage[];
  startedAt: number;
  /** The conversation after the prompt: whole steps only. */
  messages: ChatMessage[];
  pending?: PendingStep;
  /** The last step with a recorded model answer. */
  step: number;
  todos: Todo[];
  toolResults: ToolResultRecord[];
  /** This run and its subagents. */
  usage: Usage;
  costUsd: number;
  /** Completed model calls of this run. */
  modelCalls: number;
  toolCalls: number;
  lastSeq: number;
  lastTs: number;
  ended?: { status: RunStatus; output?: string; error?: string };
  /** Subagent runs, by the `task` tool call that started them. */
  subagents: Map<string, RunState>;
  /** Child runs in this journal, by `linkKey(parent)`: subagents and any other kind. */
  children: Map<string, RunState>;
  lastCheckpoint?: RunEventData['checkpoint'] & { seq: number; ts: number };
  /** The recalled-memory block its system prompt got (memory_recall, injection): a resume gives the model the same, without asking the store. */
  recalledContext?: string;
}

export interface JournalFold {
  /** The journal's own run: its first run_start (a child run journaled on its own has a parent elsewhere). */
  root: RunState | undefined;
  runs: Map<string, RunState>;
}

/** The key of a child run among its parent's children. */
export const linkKey = (link: ParentLink) => `${link.kind}:${link.id}`;

/**
 * The run id of a child run journaled on its own: the same for the same parent and link, so a resumed
 * parent finds its children. Readable when it can be (`<parent>.task-<id>`); hashed when the id has
 * characters a run id cannot hold or the whole would be too long.
 */
export function childRunId(parentRunId: string, link: ParentLink): string {
  const kind = link.kind === 'graph_task' ? 'task' : 'call';
  const readable = `${parentRunId}.${kind}-${link.id}`;
  if (isValidRunId(readable)) return readable;
  const hash = createHash('sha256').update(`${parentRunId}\n${linkKey(link)}`).digest('hex').slice(0, 16);
  return `${parentRunId.slice(0, 100)}.${kind}-${hash}`;
}

/** Folds events in journal order; `end` (exclusive) stops early, e.g. at a checkpoint. */
export function foldJournal(events: readonly RunEvent[], end = events.length): JournalFold {
  const runs = new Map<string, RunState>();
  let root: RunState | undefined;
  for (let i = 0; i < end && i < events.length; i++) {
    const event = events[i]!;
    if (event.type === 'run_start') {
      if (runs.has(event.runId) || event.parentRunId === event.runId) continue;
      // After the journal's own run, a parent must be another run that started earlier in it; anything else is damage (and could loop).
      if (root && (event.parentRunId === undefined || !runs.has(event.parentRunId))) continue;
      const state = newState(event);
      runs.set(event.runId, state);
      if (!root) {
        root = state;
        continue;
      }
      const parent = runs.get(event.parentRunId!)!;
      if (state.parent) parent.children.set(linkKey(state.parent), state);
      if (state.parent?.kind === 'tool_call') parent.subagents.set(state.parent.id, state);
      continue;
    }
    const state = runs.get(event.runId);
    // Events before their run_start, or repeated ones, are damage: skip them.
    if (!state || event.seq <= state.lastSeq) continue;
    state.lastSeq = event.seq;
    state.lastTs = event.ts;
    apply(state, event, runs, root!);
  }
  return { root, runs };
}

function newState(event: Extract<RunEvent, { type: 'run_start' }>): RunState {
  const d = event.data;
  return {
    runId: event.runId,
    parentRunId: event.parentRunId,
    agentName: d.agentName,
    prompt: d.prompt,
    model: d.model,
    maxIterations: d.maxIterations,
    depth: d.depth,
    parentToolCallId: d.parentToolCallId,
    parent: d.parent ?? (event.parentRunId && d.parentToolCallId ? { kind: 'tool_call', id: d.parentToolCallId } : undefined),
    history: d.history ?? [],
    forkedFrom: d.forkedFrom,
    settings: d.settings,
    startedAt: event.ts,
    messages: [],
    step: 0,
    todos: [],
    toolResults: [],
    usage: zeroUsage(),
    costUsd: 0,
    modelCalls: 0,
    toolCalls: 0,
    lastSeq: event.seq,
    lastTs: event.ts,
    subagents: new Map(),
    children: new Map(),
  };
}

function apply(state: RunState, event: RunEvent, runs: Map<string, RunState>, root: RunState): void {
  switch (event.type) {
    case 'llm_end': {
      if (state.pending) commitStep(state);
      const { text, toolCalls, finishReason, usage, costUsd } = event.data;
      state.pending = { step: event.data.step, answer: { text, toolCalls, finishReason, usage, costUsd }, results: new Map(), started: new Map(), fileChanges: new Map() };
      state.step = event.data.step;
      const spend = countEvent(state, event)!;
      // Up to the journal's own run, whose parent (if any) is in another journal: a damaged parentRunId cannot make a loop.
      for (let run: RunState | undefined = state; run; run = run === root ? undefined : runs.get(run.parentRunId!)) addSpend(run, spend);
      return;
    }
    case 'tool_start':
      countEvent(state, event);
      state.pending?.started.set(event.data.toolCallId, event.data.args);
      return;
    case 'file_change': {
      const list = state.pending?.fileChanges;
      if (!list) return;
      const { path, before, after } = event.data;
      list.set(event.data.toolCallId, [...(list.get(event.data.toolCallId) ?? []), { path, before, after }]);
      return;
    }
    case 'tool_end': {
      const { toolCallId, name, ok, result } = event.data;
      const record = { toolCallId, name, ok, result };
      state.pending?.results.set(toolCallId, record);
      state.toolResults.push(record);
      if (ok && name === 'write_todos') state.todos = todosFrom(state.pending?.started.get(toolCallId)) ?? state.todos;
      return;
    }
    case 'step_end':
      if (state.pending) commitStep(state);
      return;
    case 'memory_recall':
      if (event.data.source === 'injection') state.recalledContext = event.data.context;
      return;
    case 'checkpoint':
      state.lastCheckpoint = { ...event.data, seq: event.seq, ts: event.ts };
      return;
    case 'run_resumed':
      // A resumed run is not ended any more (an ended run is never resumed, but a damaged one may look so).
      state.ended = undefined;
      // What it went on with is what the next resume goes on with.
      if (event.data.model !== undefined) state.model = event.data.model;
      if (event.data.maxIterations !== undefined) state.maxIterations = event.data.maxIterations;
      if (event.data.settings) state.settings = event.data.settings;
      return;
    case 'run_end':
      if (state.pending) commitStep(state);
      state.ended = { status: event.data.status, output: event.data.output, error: event.data.error };
      return;
    default:
  }
}

/** Moves a finished step into the messages: the answer, then the results in the order of the calls. */
function commitStep(state: RunState): void {
  const pending = state.pending!;
  const { text, toolCalls } = pending.answer;
  state.messages.push({ role: 'assistant', content: text || null, ...(toolCalls.length ? { toolCalls } : {}) });
  for (const call of toolCalls) {
    const content = pending.results.get(call.id)?.result ?? 'Error: the result of this call was lost from the run journal.';
    state.messages.push({ role: 'tool', toolCallId: call.id, content });
  }
  state.pending = undefined;
}

function todosFrom(args: unknown): Todo[] | undefined {
  const todos = (args as { todos?: unknown } | undefined)?.todos;
  if (!Array.isArray(todos)) return undefined;
  return todos.filter((t): t is Todo => typeof t?.content === 'string' && ['pending', 'in_progress', 'completed'].includes(t?.status));
}
