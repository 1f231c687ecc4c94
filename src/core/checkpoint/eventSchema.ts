/**
 * Journal entries are data from disk or a server: each is checked before a fold trusts it, so a
 * damaged or foreign entry is skipped and counted instead of crashing a resume (ARCHITECTURE.md).
 * Only what folds read is checked in depth; other fields pass through.
 */
import { z } from 'zod';
import { chatMessageSchema, toolCallSchema, usageSchema } from '../model/schemas';
import type { RunEvent } from '../events';
import { runSettingsSchema } from '../runSettings';

const usage = usageSchema;
const toolCall = toolCallSchema;
const message = chatMessageSchema;
const step = z.number().int().nonnegative();
const parent = z.object({ kind: z.enum(['tool_call', 'graph_task']), id: z.string().min(1) });

const dataByType: Record<RunEvent['type'], z.ZodType> = {
  run_start: z.looseObject({
    agentName: z.string(),
    prompt: z.string(),
    model: z.string(),
    maxIterations: z.number(),
    depth: z.number().int().nonnegative(),
    parentToolCallId: z.string().optional(),
    parent: parent.optional(),
    history: z.array(message).optional(),
    forkedFrom: z.object({ runId: z.string(), checkpointId: z.string() }).optional(),
    settings: runSettingsSchema.optional(),
  }),
  run_resumed: z.looseObject({ fromSeq: z.number(), step, parent: parent.optional(), model: z.string().optional(), maxIterations: z.number().optional(), settings: runSettingsSchema.optional() }),
  step_start: z.looseObject({ step }),
  llm_start: z.looseObject({ step, attempt: z.number() }),
  llm_chunk: z.looseObject({ step, text: z.string() }),
  llm_reasoning: z.looseObject({ step, text: z.string() }),
  llm_end: z.looseObject({ step, text: z.string(), toolCalls: z.array(toolCall), finishReason: z.string(), usage, costUsd: z.number() }),
  tool_start: z.looseObject({ step, toolCallId: z.string(), name: z.string() }),
  tool_end: z.looseObject({ step, toolCallId: z.string(), name: z.string(), ok: z.boolean(), result: z.string() }),
  file_change: z.looseObject({ step, toolCallId: z.string(), path: z.string(), before: z.string().nullable(), after: z.string() }),
  checkpoint: z.looseObject({ checkpointId: z.string(), reason: z.string(), step, iteration: z.number(), totalTokens: z.number(), costUsd: z.number() }),
  approval_requested: z.looseObject({ toolCallId: z.string() }),
  approval_resolved: z.looseObject({ toolCallId: z.string(), approved: z.boolean() }),
  progress: z.looseObject({ step }),
  partial_result: z.looseObject({ step, text: z.string() }),
  guardrail: z.looseObject({ guardrail: z.string(), message: z.string() }),
  error: z.looseObject({ message: z.string(), code: z.string(), fatal: z.boolean() }),
  step_end: z.looseObject({ step, usage, costUsd: z.number() }),
  memory_recall: z.looseObject({ source: z.enum(['injection', 'tool']), query: z.string(), memories: z.array(z.looseObject({ id: z.string(), content: z.string() })), context: z.string().optional() }),
  memory_store: z.looseObject({ source: z.string(), memories: z.array(z.looseObject({ id: z.string() })) }),
  memory_forget: z.looseObject({ ids: z.array(z.string()), deleted: z.number() }),
  run_end: z.looseObject({ status: z.enum(['completed', 'failed', 'cancelled', 'stopped']), usage, costUsd: z.number(), steps: z.number() }),
};

const eventTypes = new Set(Object.keys(dataByType));
const isCount = (n: unknown) => Number.isInteger(n) && (n as number) >= 0;
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Deeper than anything a run writes; JSON.stringify would fail on it when the event is written again (fork, compaction). */
const maxDepth = 64;

function deeperThan(value: unknown, limit: number): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (limit === 0) return true;
  for (const item of Array.isArray(value) ? value : Object.values(value)) if (deeperThan(item, limit - 1)) return true;
  return false;
}

/**
 * The event, or undefined when the value is not a well-formed event. The envelope and the most
 * frequent entries are checked by hand (resume reads tens of thousands); the rest by their schemas.
 * The value itself is returned, not a copy.
 */
export function parseEvent(value: unknown): RunEvent | undefined {
  if (!isRecord(value)) return undefined;
  const { runId, parentRunId, seq, ts, type, data } = value;
  if (typeof runId !== 'string' || runId === '' || (parentRunId !== undefined && (typeof parentRunId !== 'string' || parentRunId === ''))) return undefined;
  if (!isCount(seq) || typeof ts !== 'number' || !Number.isFinite(ts) || typeof type !== 'string' || !eventTypes.has(type) || !isRecord(data)) return undefined;
  if (deeperThan(data, maxDepth)) return undefined;
  if (type === 'llm_chunk' || type === 'llm_reasoning') return isCount(data.step) && typeof data.text === 'string' ? (value as unknown as RunEvent) : undefined;
  if (type === 'step_start' || type === 'progress') return isCount(data.step) ? (value as unknown as RunEvent) : undefined;
  return dataByType[type as RunEvent['type']].safeParse(data).success ? (value as unknown as RunEvent) : undefined;
}
