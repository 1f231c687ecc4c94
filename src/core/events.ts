/**
 * The one event vocabulary of a run (ARCHITECTURE.md): every consumer — streaming, tracing,
 * guardrails, checkpoints, the webview — reads these and nothing else.
 */
import type { ChatMessage, ToolCall } from './model/types';
import type { RunSettings } from './runSettings';
import type { MemoryScope, MemoryType } from './memory/types';

/** A memory as a run saw it: enough to show it and to give the model the same context again. */
export interface RecalledMemory {
  id: string;
  content: string;
  memoryType: MemoryType;
  scope: MemoryScope;
  timestamp: number;
  /** The final ranking score (relevance with recency and importance). */
  score: number;
}

export interface Usage {
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
}

export const zeroUsage = (): Usage => ({ inputTokens: 0, outputTokens: 0, totalTokens: 0 });

export function addUsage(a: Usage, b: Usage): Usage {
  return {
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    totalTokens: a.totalTokens + b.totalTokens,
  };
}

/**
 * How a run ended. `cancelled`: the user (or the caller's AbortSignal) stopped it; it can be resumed.
 * `stopped`: a guardrail stopped it. `failed`: an error did. One name each, in the code, the events,
 * the CLI and the UI.
 */
export type RunStatus = 'completed' | 'failed' | 'cancelled' | 'stopped';

/**
 * What started a child run: a tool call of its parent (a subagent started by `task`), or a task of a
 * graph. With the parent's run id it names the child, so a resumed parent finds it again.
 */
export interface ParentLink {
  kind: 'tool_call' | 'graph_task';
  id: string;
}

/** What each event type carries; the key is the event's `type`. */
export interface RunEventData {
  run_start: {
    agentName: string;
    prompt: string;
    model: string;
    maxIterations: number;
    /** 0 for a top-level run, 1 for its subagents, and so on. */
    depth: number;
    /** The `task` tool call that started this subagent run (the same as `parent.id`; older journals have only this). */
    parentToolCallId?: string;
    /** Child runs: what in the parent (`parentRunId`) started it. */
    parent?: ParentLink;
    /** Earlier messages of the conversation (a follow-up), so a resume can rebuild it. */
    history?: ChatMessage[];
    /** Set when this run was forked from another run's checkpoint. */
    forkedFrom?: { runId: string; checkpointId: string };
    /** Top-level runs: the workspace, endpoint, sampling, skills and budgets, so a resume goes on with them (see RunSettings). */
    settings?: RunSettings;
  };
  /** The run goes on after a crash, reload or fork; what follows continues the events before `fromSeq`. */
  run_resumed: {
    agentName: string;
    /** The model and limit it goes on with; they replace those of `run_start` (maxIterations: not in older journals). */
    model: string;
    maxIterations?: number;
    depth: number;
    parentToolCallId?: string;
    parent?: ParentLink;
    /** The last event seen before the interruption. */
    fromSeq: number;
    /** The step the run goes on with; a half-done step is finished, a half-streamed one asked again. */
    step: number;
    /** Tool calls that started but left no result: what became of them (see ToolRecovery). */
    interruptedToolCalls: { toolCallId: string; name: string; outcome: 'done' | 'rerun' | 'unknown' }[];
    /** Top-level runs: the settings it goes on with, which replace those of `run_start` from here on. */
    settings?: RunSettings;
  };
  step_start: { step: number };
  /** A model call begins; `attempt` > 1 means an earlier attempt failed and its chunks are void. */
  llm_start: { step: number; model: string; attempt: number; messageCount: number; toolCount: number };
  llm_chunk: { step: number; text: string };
  /** A piece of the model's thinking (reasoning models), streamed before its answer; not part of the answer. */
  llm_reasoning: { step: number; text: string };
  llm_end: {
    step: number;
    model: string;
    text: string;
    toolCalls: ToolCall[];
    finishReason: string;
    usage: Usage;
    costUsd: number;
    durationMs: number;
  };
  tool_start: { step: number; toolCallId: string; name: string; args: unknown };
  tool_end: {
    step: number;
    toolCallId: string;
    name: string;
    ok: boolean;
    /** What the model is shown: the tool's output, or the error text when `ok` is false. */
    result: string;
    durationMs: number;
  };
  /**
   * A file write or edit through the file backend, recorded before it happens (a write-ahead intent):
   * `before` null means the file did not exist. Restoring a checkpoint undoes these in reverse.
   */
  file_change: { step: number; toolCallId: string; path: string; before: string | null; after: string };
  /** A point the run can be resumed, forked or restored from; its id names the run and this event's seq. */
  checkpoint: {
    checkpointId: string;
    reason: CheckpointReason;
    step: number;
    /** Model calls so far. */
    iteration: number;
    totalTokens: number;
    costUsd: number;
    label?: string;
  };
  /** A tool call waits for the user (see DeepAgentDeps.approvals). */
  approval_requested: { step: number; toolCallId: string; name: string; path?: string };
  approval_resolved: { step: number; toolCallId: string; name: string; approved: boolean; reason?: string };
  progress: {
    step: number;
    iteration: number;
    maxIterations: number;
    /** Totals so far, subagents included. */
    usage: Usage;
    costUsd: number;
    message?: string;
  };
  /** Text the model produced in a step that also called tools: an answer in the making. */
  partial_result: { step: number; text: string };
  guardrail: {
    guardrail: string;
    gate: GuardrailGate;
    message: string;
    action: 'stopped' | 'warned';
    figures: Record<string, number | string>;
  };
  error: {
    message: string;
    /** A short machine-readable kind, e.g. 'model_http_429', 'tool_failed', 'guardrail'. */
    code: string;
    /** False when the run goes on (a retry follows, or the model is told). */
    fatal: boolean;
    attempt?: number;
    retryInMs?: number;
  };
  step_end: { step: number; usage: Usage; costUsd: number; toolCalls: number };
  /**
   * Memories recalled: before the first step for the prompt (`injection`: `context` is what the
   * model was given, and a resume uses it instead of asking the store again), or by the `recall` tool.
   */
  memory_recall: {
    source: 'injection' | 'tool';
    toolCallId?: string;
    query: string;
    memories: RecalledMemory[];
    /** The block added to the system prompt (injection only). */
    context?: string;
    /** The embedder's model; `fallback` true when it was the hashing fallback, not a language model. */
    embedder: string;
    fallback: boolean;
  };
  /** Memories written: by the `remember` tool, or the run's prompt and answer kept as an interaction. */
  memory_store: { source: 'tool' | 'interaction'; toolCallId?: string; memories: { id: string; content: string; memoryType: MemoryType }[] };
  /** Memories deleted by the `forget` tool. */
  memory_forget: { toolCallId?: string; ids: string[]; deleted: number };
  run_end: {
    status: RunStatus;
    output?: string;
    error?: string;
    usage: Usage;
    costUsd: number;
    steps: number;
    durationMs: number;
  };
}

export type RunEventType = keyof RunEventData;

/** When checkpoints are taken: after every step, every model call, or every tool call; `manual` on request. */
export const checkpointFrequencies = ['step', 'iteration', 'tool_call'] as const;
export type CheckpointFrequency = (typeof checkpointFrequencies)[number];
export type CheckpointReason = CheckpointFrequency | 'manual';

export type GuardrailGate = 'before_model_call' | 'before_tool_call' | 'final_output';

export interface RunEventOf<T extends RunEventType> {
  runId: string;
  parentRunId?: string;
  /** Monotonic per run, from 0. */
  seq: number;
  /** Milliseconds since the epoch, from the run's clock. */
  ts: number;
  type: T;
  data: RunEventData[T];
}

/** The discriminated union of all events. */
export type RunEvent = { [T in RunEventType]: RunEventOf<T> }[RunEventType];

export type RunEventListener = (event: RunEvent) => void;

export function isEventOf<T extends RunEventType>(event: RunEvent, type: T): event is RunEventOf<T> & RunEvent {
  return event.type === type;
}
