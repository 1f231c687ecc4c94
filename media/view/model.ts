/**
 * The panel's view model: a run tree folded from events (fold.ts), drawn by the renderers. Free of
 * DOM types, so the fold is tested in Node and any renderer (transcript, todos, status bar, task
 * graph) can draw the same model.
 *
 * Mutable with revision stamps: the fold changes blocks in place and stamps what it touched with a
 * new `rev`, so a renderer redraws only what changed since it last drew (long answers stay linear).
 */
import type { RecalledMemory, RunStatus } from '../../src/core';

export interface View {
  /** The run asked for as the top run (a child run shown on its own); undefined: the first run started. */
  focus: string | undefined;
  /** The run shown as the top run: a top-level run, or a child run shown on its own. */
  topRunId: string | undefined;
  /** Every run of the tree under the top run, by id. */
  runs: Map<string, RunView>;
  /** Tool calls by id (the latest call with that id), to find where results, approvals and subagents go. */
  tools: Map<string, ToolBlock>;
  /** The top run's todo list (its last write_todos). */
  todos: Todo[];
  /** The top run's latest figures: from its progress events, then its end. */
  progress: Progress | undefined;
  end: RunEnd | undefined;
  /** Set when the top run was forked from another run's checkpoint (until the marker of the fork). */
  forkedFrom: { runId: string; checkpointId: string } | undefined;
  /** Stamped when the todos, progress or end change. */
  barRev: number;
  /** The last revision stamped; each change takes the next one. */
  rev: number;
}

export interface RunView {
  runId: string;
  parentRunId: string | undefined;
  agentName: string;
  prompt: string;
  /** How a child run was started: by a tool call (a subagent) or as a task of a graph. */
  parent: ChildOf | undefined;
  blocks: Block[];
  /** Stamped when blocks are added, removed or moved. */
  rev: number;
  /** This run's step headers, answer text and thinking, by step. */
  steps: Map<number, StepBlock>;
  texts: Map<number, TextBlock>;
  thoughts: Map<number, ThinkingBlock>;
}

export interface ChildOf {
  kind: 'tool_call' | 'graph_task';
  id: string;
}

export interface Todo {
  content: string;
  status: string;
}

export interface Progress {
  iteration: number;
  maxIterations: number;
  totalTokens: number;
  costUsd: number;
}

export interface RunEnd {
  status: RunStatus;
  error: string | undefined;
  steps: number;
  totalTokens: number;
  costUsd: number;
}

interface BlockBase {
  /** Unique in the view: a renderer keys its nodes by it. */
  key: number;
  /** Stamped when the block's content changes. */
  rev: number;
}

/** The task the user gave. */
export interface UserBlock extends BlockBase {
  kind: 'user';
  text: string;
}

export interface StepBlock extends BlockBase {
  kind: 'step';
  step: number;
}

/** The model's answer text of one step (markdown). `resets` counts how often it was voided (a retry). */
export interface TextBlock extends BlockBase {
  kind: 'text';
  step: number;
  text: string;
  resets: number;
}

/** The model's thinking of one step; `done` once its answer or a tool call began. */
export interface ThinkingBlock extends BlockBase {
  kind: 'thinking';
  step: number;
  text: string;
  done: boolean;
}

export interface Approval {
  state: 'pending' | 'approved' | 'rejected';
  /** What is asked, e.g. "write_file notes.md (the diff is open in the editor)". */
  what: string;
  reason?: string;
}

export interface ToolBlock extends BlockBase {
  kind: 'tool';
  runId: string;
  step: number;
  toolCallId: string;
  name: string;
  args: unknown;
  /** Set once it ended. */
  outcome?: { ok: boolean; result: string };
  approval?: Approval;
  /** Child runs it started (the `task` tool's subagents), in order. */
  children: string[];
  /** Bumped when the same call runs again after a resume: its entry starts over. */
  runs: number;
  /** What the `recall` tool found. */
  recalled?: Recall;
}

/** Memories recalled, with the embedder that ranked them (`fallback`: the hashing fallback, no language model). */
export interface Recall {
  memories: RecalledMemory[];
  embedder: string;
  fallback: boolean;
}

/** The memories recalled into the prompt before the first step: shown folded at the top of the run. */
export interface RecalledBlock extends BlockBase, Recall {
  kind: 'recalled';
}

/** A memory kept or deleted during the run: "Remembered …", "Forgot 2 memories". */
export interface MemoryNoteBlock extends BlockBase {
  kind: 'memory_note';
  text: string;
}

/** A child run nested in its parent's transcript (a graph task; or a subagent whose tool call is not shown). */
export interface ChildRunBlock extends BlockBase {
  kind: 'child';
  runId: string;
}

export interface ResumedBlock extends BlockBase {
  kind: 'resumed';
  /** Forked here (from `runId`), or resumed after an interruption. */
  forkedFrom: string | undefined;
  step: number;
  interruptedToolCalls: { name: string; outcome: 'done' | 'rerun' | 'unknown' }[];
}

export interface GuardrailBlock extends BlockBase {
  kind: 'guardrail';
  guardrail: string;
  action: 'stopped' | 'warned';
  message: string;
}

export interface ErrorBlock extends BlockBase {
  kind: 'error';
  message: string;
  code: string;
  fatal: boolean;
}

export interface EndBlock extends BlockBase {
  kind: 'end';
  status: RunStatus;
  error: string | undefined;
}

/** An offer to go on with the top run, while it stands. */
export interface ResumeOfferBlock extends BlockBase {
  kind: 'resume_offer';
  status: 'interrupted' | 'cancelled';
}

export type Block =
  | UserBlock
  | StepBlock
  | TextBlock
  | ThinkingBlock
  | ToolBlock
  | ChildRunBlock
  | ResumedBlock
  | GuardrailBlock
  | ErrorBlock
  | EndBlock
  | ResumeOfferBlock
  | RecalledBlock
  | MemoryNoteBlock;
