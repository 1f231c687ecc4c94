/**
 * Journal entries are data from disk or a server: each is checked before a fold trusts it, so a
 * damaged or foreign entry is skipped and counted instead of crashing a resume (ARCHITECTURE.md).
 * Only what folds read is checked in depth; other fields pass through.
 */
import { z } from 'zod';
import type { RunEvent } from '../events';

const usage = z.object({ inputTokens: z.number(), outputTokens: z.number(), totalTokens: z.number() });
const toolCall = z.object({ id: z.string(), name: z.string(), arguments: z.string() });
const message = z.looseObject({ role: z.enum(['system', 'user', 'assistant', 'tool']) });
const step = z.number().int().nonnegative();

const dataByType: Record<RunEvent['type'], z.ZodType> = {
  run_start: z.looseObject({
    agentName: z.string(),
    prompt: z.string(),
    model: z.string(),
    maxIterations: z.number(),
    depth: z.number().int().nonnegative(),
    parentToolCallId: z.string().optional(),
    history: z.array(message).optional(),
    forkedFrom: z.object({ runId: z.string(), checkpointId: z.string() }).optional(),
  }),
  run_resumed: z.looseObject({ fromSeq: z.number(), step }),
  step_start: z.looseObject({ step }),
  llm_start: z.looseObject({ step, attempt: z.number() }),
  llm_chunk: z.looseObject({ step, text: z.string() }),
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
  run_end: z.looseObject({ status: z.enum(['completed', 'failed', 'cancelled', 'stopped']), usage, costUsd: z.number(), steps: z.number() }),
};

const envelope = z.object({
  runId: z.string().min(1),
  parentRunId: z.string().min(1).optional(),
  seq: z.number().int().nonnegative(),
  ts: z.number(),
  type: z.enum(Object.keys(dataByType) as [RunEvent['type'], ...RunEvent['type'][]]),
  data: z.record(z.string(), z.unknown()),
});

/** The event, or undefined when the value is not a well-formed event. */
export function parseEvent(value: unknown): RunEvent | undefined {
  const outer = envelope.safeParse(value);
  if (!outer.success) return undefined;
  const inner = dataByType[outer.data.type].safeParse(outer.data.data);
  return inner.success ? (outer.data as RunEvent) : undefined;
}
