/** Tools are defined with a zod schema; the same schema checks the model's arguments. */
import type { ChildRunSpec, RunResult } from '../agent/types';
import { z } from 'zod';
import type { FileBackend } from '../backends/types';
import type { ToolSpec } from '../model/types';
import type { RunEventData } from '../events';

export interface ToolContext {
  backend: FileBackend;
  signal: AbortSignal;
  runId: string;
  toolCallId: string;
  /** Tells the run's consumers how long work is going (a `progress` event). */
  reportProgress(message: string): void;
  /** Per-run services that some tools need (todos, subagents); set by the agent loop. */
  services: ToolServices;
}

/** Implemented by the agent loop; kept as an interface so tools stay independent of the loop. */
export interface ToolServices {
  readTodos(): Todo[];
  writeTodos(todos: Todo[]): void;
  /** `toolCallId` is the call that starts it, so the subagent's events nest under it. */
  runSubagent(name: string, task: string, toolCallId: string): Promise<string>;
  listSubagents(): { name: string; description: string }[];
  loadSkill(name: string, file?: string): Promise<string>;
  /** Starts a child run of this run, journaled on its own (see ChildRunSpec); resolves with its result whatever the outcome. */
  startChildRun(spec: ChildRunSpec): Promise<RunResult>;
  /** Adds a memory event to the run's stream (the memory tools say what they recalled, stored or forgot). */
  emitMemoryEvent(event: ToolMemoryEvent): void;
}

export type ToolMemoryEvent = { [T in 'memory_recall' | 'memory_store' | 'memory_forget']: { type: T; data: RunEventData[T] } }['memory_recall' | 'memory_store' | 'memory_forget'];

/** A file's content before and after a proposed change (`before` undefined: a new file). */
export interface FileChange {
  path: string;
  before: string | undefined;
  after: string;
}

export type TodoStatus = 'pending' | 'in_progress' | 'completed';
export interface Todo {
  content: string;
  status: TodoStatus;
}

export interface ToolDefinition<S extends z.ZodType = z.ZodType> {
  name: string;
  description: string;
  parameters: S;
  /** True for tools without side effects (ls, read_file, glob, grep): safe to run twice. */
  readOnly: boolean;
  /** May run alongside the step's other parallel calls (default: `readOnly`); subagents do. */
  parallel?: boolean;
  /** For tools that change a file: the change they would make, so a user can approve it first. */
  preview?(args: z.infer<S>, ctx: ToolContext): Promise<FileChange>;
  execute(args: z.infer<S>, ctx: ToolContext): Promise<string>;
  /**
   * After a crash: this call started but left no result. Did it take effect? Read-only tools are
   * simply run again; a side-effecting tool without `recover` is reported to the model as unknown.
   */
  recover?(args: z.infer<S>, ctx: RecoveryContext): Promise<ToolRecovery>;
}

export interface RecoveryContext {
  backend: FileBackend;
  /** The interrupted call: the same id its execute() saw, so it can serve as an idempotency key. */
  toolCallId: string;
  /** The file writes this call announced (write-ahead) before the crash, in order. */
  fileChanges: { path: string; before: string | null; after: string }[];
  signal: AbortSignal;
}

/** `done`: it took effect and this is its result; `rerun`: safe to run (again); `unknown`: say so. */
export type ToolRecovery = { outcome: 'done'; result: string } | { outcome: 'rerun' } | { outcome: 'unknown'; detail: string };

// A list of tools holds different schemas; `any` here is the variance escape hatch, not a loose type.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyTool = ToolDefinition<any>;

export function defineTool<S extends z.ZodType>(tool: ToolDefinition<S>): ToolDefinition<S> {
  return tool;
}

/** An error whose message the model is shown as the tool result. */
export class ToolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ToolError';
  }
}

export function toolSpec(tool: AnyTool): ToolSpec {
  const schema = z.toJSONSchema(tool.parameters, { target: 'draft-7', io: 'input' }) as Record<string, unknown>;
  delete schema.$schema;
  return { name: tool.name, description: tool.description, parameters: withoutSafeIntegerBounds(schema) as Record<string, unknown> };
}

/** zod's `.int()` adds ±2^53 bounds that tell the model nothing and cost tokens on every call. */
function withoutSafeIntegerBounds(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutSafeIntegerBounds);
  if (typeof node !== 'object' || node === null) return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'maximum' && value === Number.MAX_SAFE_INTEGER) continue;
    if (key === 'minimum' && value === Number.MIN_SAFE_INTEGER) continue;
    out[key] = withoutSafeIntegerBounds(value);
  }
  return out;
}
