/**
 * Runs one step's tool calls. Bad JSON, unknown tools, invalid arguments and tool exceptions become
 * error results the model sees, never a crash. Parallel-safe calls (read-only tools, subagents) run
 * together; any other call runs alone, in the order the model gave.
 */
import type { z } from 'zod';
import type { FileBackend } from '../backends/types';
import type { ChatMessage, ToolCall } from '../model/types';
import type { ToolResultRecord } from '../runState';
import { CheckpointError } from '../persistence';
import { ToolError, type AnyTool, type ToolContext, type ToolRecovery, type ToolServices } from '../tools/types';
import { recordingChanges } from './changeRecorder';
import type { ApprovalPolicy, Approvals } from './types';
import type { RunEmitter } from './emitter';
import { errorMessage, isAbort, RunCancelledError } from './errors';
import type { GateKeeper } from './gates';

/** Tool output beyond this many characters is cut, so one huge result cannot flood the context. */
const maxResultChars = 100_000;

export interface ToolRunContext {
  tools: ReadonlyMap<string, AnyTool>;
  emitter: RunEmitter;
  backend: FileBackend;
  signal: AbortSignal;
  services: ToolServices;
  gates: GateKeeper;
  approvals?: Approvals;
  /** Awaited before any side effect: the journal must know of a call before it can happen. */
  barrier?: () => Promise<void>;
  /** After every tool call ends (a checkpoint boundary). */
  afterToolCall?: () => void;
  /** When finishing a step after a resume: calls already done, and what became of interrupted ones. */
  resumed?: { results: ReadonlyMap<string, ToolResultRecord>; recoveries: ReadonlyMap<string, ToolRecovery> };
}

/** Planning tools change nothing outside the run, so no policy asks about them. */
const neverAsked = new Set(['write_todos', 'read_todos']);

function needsApproval(policy: ApprovalPolicy | undefined, tool: AnyTool): boolean {
  if (!policy || policy === 'auto' || neverAsked.has(tool.name)) return false;
  return policy === 'always-ask' || tool.preview !== undefined;
}

interface PreparedCall {
  call: ToolCall;
  tool?: AnyTool;
  args: unknown;
  /** Set when the call cannot run; this is what the model is told. */
  problem?: string;
}

export async function runToolCalls(ctx: ToolRunContext, calls: ToolCall[], step: number): Promise<ChatMessage[]> {
  const results = new Map<string, string>();
  const prepared: PreparedCall[] = [];
  for (const call of calls) {
    const done = ctx.resumed?.results.get(call.id);
    const recovery = ctx.resumed?.recoveries.get(call.id);
    if (done) results.set(call.id, done.result);
    else if (recovery && recovery.outcome !== 'rerun') results.set(call.id, endRecovered(ctx, call, step, recovery));
    else prepared.push(prepare(ctx, call));
  }
  for (const batch of batches(prepared)) {
    // Check every call of a batch before any of it runs, so a strict guardrail stops it whole.
    for (const p of batch) await ctx.gates.beforeToolCall(p.call.name, p.args);
    const outcomes = await Promise.all(batch.map((p) => execute(ctx, p, step)));
    batch.forEach((p, i) => results.set(p.call.id, outcomes[i]!));
  }
  return calls.map((call) => ({ role: 'tool', toolCallId: call.id, content: results.get(call.id)! }));
}

function prepare(ctx: ToolRunContext, call: ToolCall): PreparedCall {
  const tool = ctx.tools.get(call.name);
  if (!tool) {
    const known = [...ctx.tools.keys()].join(', ');
    return { call, args: call.arguments, problem: `unknown tool "${call.name}"; available tools: ${known}` };
  }
  let raw: unknown;
  try {
    raw = call.arguments.trim() === '' ? {} : JSON.parse(call.arguments);
  } catch (error) {
    return { call, tool, args: call.arguments, problem: `the arguments for ${call.name} are not valid JSON (${errorMessage(error)}); send a JSON object` };
  }
  const parsed = (tool.parameters as z.ZodType).safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues
      .slice(0, 5)
      .map((i) => `${i.path.length ? i.path.join('.') : '(arguments)'}: ${i.message}`)
      .join('; ');
    return { call, tool, args: raw, problem: `invalid arguments for ${call.name}: ${issues}` };
  }
  return { call, tool, args: parsed.data };
}

/** Consecutive parallel-safe calls form one batch; any other call is a batch of its own. */
function* batches(prepared: PreparedCall[]): Generator<PreparedCall[]> {
  let batch: PreparedCall[] = [];
  for (const p of prepared) {
    if (isParallelSafe(p)) {
      batch.push(p);
      continue;
    }
    if (batch.length) yield batch;
    batch = [];
    yield [p];
  }
  if (batch.length) yield batch;
}

const isParallelSafe = (p: PreparedCall) => p.problem !== undefined || (p.tool!.parallel ?? p.tool!.readOnly);

async function execute(ctx: ToolRunContext, p: PreparedCall, step: number): Promise<string> {
  const { call } = p;
  ctx.emitter.emit('tool_start', { step, toolCallId: call.id, name: call.name, args: p.args });
  const started = ctx.emitter.clock.now();
  const end = (ok: boolean, result: string) => {
    ctx.emitter.emit('tool_end', { step, toolCallId: call.id, name: call.name, ok, result, durationMs: ctx.emitter.clock.now() - started });
    ctx.afterToolCall?.();
    return result;
  };
  if (p.problem !== undefined) return end(false, `Error: ${p.problem}`);
  const backend = recordingChanges(ctx.backend, async (path, before, after) => {
    ctx.emitter.emit('file_change', { step, toolCallId: call.id, path, before, after });
    await ctx.barrier?.();
  });
  const toolCtx: ToolContext = {
    backend,
    signal: ctx.signal,
    runId: ctx.emitter.runId,
    toolCallId: call.id,
    services: ctx.services,
    reportProgress: (message) => reportToolProgress(ctx, step, message),
  };
  try {
    if (ctx.approvals && needsApproval(ctx.approvals.policy, p.tool!)) {
      const rejection = await askApproval(ctx, p, toolCtx, step);
      if (rejection !== undefined) return end(false, rejection);
    }
    if (!p.tool!.readOnly) await ctx.barrier?.();
    const output = await p.tool!.execute(p.args, toolCtx);
    return end(true, capResult(output));
  } catch (error) {
    // A journal that cannot be written must stop the run: nothing may happen that it would not know of.
    if (isAbort(error, ctx.signal) || ctx.gates.isFatal(error) || error instanceof CheckpointError) {
      end(false, `Error: ${errorMessage(error)}`);
      throw error;
    }
    const message = error instanceof ToolError ? errorMessage(error) : `${call.name} failed: ${errorMessage(error)}`;
    return end(false, `Error: ${message}`);
  }
}

/** A call interrupted by a crash that is not run again: its recovered result, or the model is told it is unknown. */
function endRecovered(ctx: ToolRunContext, call: ToolCall, step: number, recovery: Exclude<ToolRecovery, { outcome: 'rerun' }>): string {
  const ok = recovery.outcome === 'done';
  const result = ok
    ? recovery.result
    : `Error: the run was interrupted while ${call.name} was running, and whether it took effect is unknown (${recovery.detail}). ` +
      'Check the current state before you try it again.';
  ctx.emitter.emit('tool_end', { step, toolCallId: call.id, name: call.name, ok, result, durationMs: 0 });
  ctx.afterToolCall?.();
  return result;
}

/** Asks the user; returns what the model is told when the call is rejected, or undefined to go on. */
async function askApproval(ctx: ToolRunContext, p: PreparedCall, toolCtx: ToolContext, step: number): Promise<string | undefined> {
  const { call } = p;
  // A preview that fails (say, old_string not found) fails the call the same way, unasked.
  const change = await p.tool!.preview?.(p.args, toolCtx);
  ctx.emitter.emit('approval_requested', { step, toolCallId: call.id, name: call.name, path: change?.path });
  const decision = await untilAborted(
    ctx.approvals!.decide({ runId: ctx.emitter.runId, toolCallId: call.id, toolName: call.name, args: p.args, change, signal: ctx.signal }),
    ctx.signal,
  );
  ctx.emitter.emit('approval_resolved', { step, toolCallId: call.id, name: call.name, approved: decision.approved, reason: decision.reason });
  if (decision.approved) return undefined;
  const why = decision.reason?.trim() ? `: ${decision.reason.trim()}` : '';
  return `Rejected by the user${why}. The ${call.name} call was not carried out; do not try it again unless the user asks.`;
}

/** A stopped run must not wait for an answer that may never come. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new RunCancelledError());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new RunCancelledError());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function reportToolProgress(ctx: ToolRunContext, step: number, message: string): void {
  const { totals } = ctx.emitter;
  ctx.emitter.emit('progress', {
    step,
    iteration: totals.modelCalls,
    maxIterations: ctx.gates.maxIterations,
    usage: totals.usage,
    costUsd: totals.costUsd,
    message,
  });
}

function capResult(output: string): string {
  if (output.length <= maxResultChars) return output;
  return `${output.slice(0, maxResultChars)}\n… [${output.length - maxResultChars} more characters cut; ask for a smaller part]`;
}
