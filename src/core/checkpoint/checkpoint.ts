/**
 * The Checkpoint: a run's state at one of its checkpoint events, for people and other programs
 * (export, import, inspection). Inside, a checkpoint is only a position in the journal; this shape
 * is its fold there. Versioned: older versions migrate on parse, newer ones are a clear error.
 */
import { z } from 'zod';
import { chatMessageSchema, usageSchema } from '../model/schemas';
import type { RunEventOf } from '../events';
import type { ChatMessage } from '../model/types';
import type { RunState } from '../runState';
import { CheckpointError } from './store';

export const CHECKPOINT_VERSION = 2;

const usage = usageSchema;
const message = chatMessageSchema;
const toolResult = z.object({ toolCallId: z.string(), name: z.string(), ok: z.boolean(), result: z.string() });
const todo = z.object({ content: z.string(), status: z.enum(['pending', 'in_progress', 'completed']) });

const v1 = z.object({
  version: z.literal(1),
  checkpointId: z.string().min(1),
  agentName: z.string(),
  runId: z.string().min(1),
  timestamp: z.number(),
  messages: z.array(message),
  toolResults: z.array(toolResult),
  todos: z.array(todo),
  iterationCount: z.number().int().nonnegative(),
  totalTokens: z.number().nonnegative(),
  totalCostUsd: z.number().nonnegative(),
  metadata: z.record(z.string(), z.unknown()),
});

const v2 = v1.extend({
  version: z.literal(2),
  /** The checkpoint event's seq in its run. */
  seq: z.number().int().nonnegative(),
  step: z.number().int().nonnegative(),
  usage,
  /** Tool calls of the step in progress and how far each got. */
  pendingToolCalls: z.array(z.object({ toolCallId: z.string(), name: z.string(), state: z.enum(['not_started', 'started', 'done']) })),
});

export type Checkpoint = z.infer<typeof v2>;

/** Parses a checkpoint of any known version into the current one; `where` names the source in errors. */
export function parseCheckpoint(value: unknown, where: string): Checkpoint {
  const version = (value as { version?: unknown } | null)?.version;
  if (typeof version !== 'number') throw new CheckpointError(`${where}: not a Deep Agent checkpoint (no version)`);
  if (version > CHECKPOINT_VERSION) throw new CheckpointError(`${where}: checkpoint version ${version} is newer than this Deep Agent reads (${CHECKPOINT_VERSION})`);
  const schema = version === 1 ? v1 : version === 2 ? v2 : undefined;
  if (!schema) throw new CheckpointError(`${where}: unknown checkpoint version ${version}`);
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new CheckpointError(`${where}: invalid checkpoint: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return parsed.data.version === 1 ? migrateV1(parsed.data) : (parsed.data as Checkpoint);
}

/** Version 1 had no seq, step, usage split or pending calls. */
function migrateV1(old: z.infer<typeof v1>): Checkpoint {
  return {
    ...old,
    version: 2,
    seq: 0,
    step: old.iterationCount,
    usage: { inputTokens: 0, outputTokens: 0, totalTokens: old.totalTokens },
    pendingToolCalls: [],
  };
}

export function checkpointFromState(state: RunState, event: RunEventOf<'checkpoint'>): Checkpoint {
  const pending = state.pending;
  const messages: ChatMessage[] = [...state.history, { role: 'user', content: state.prompt }, ...state.messages];
  return {
    version: CHECKPOINT_VERSION,
    checkpointId: event.data.checkpointId,
    agentName: state.agentName,
    runId: state.runId,
    seq: event.seq,
    timestamp: event.ts,
    messages,
    toolResults: state.toolResults,
    todos: state.todos,
    iterationCount: state.modelCalls,
    step: state.step,
    totalTokens: state.usage.totalTokens,
    usage: state.usage,
    totalCostUsd: state.costUsd,
    pendingToolCalls: (pending?.answer.toolCalls ?? []).map((c) => ({
      toolCallId: c.id,
      name: c.name,
      state: pending!.results.has(c.id) ? 'done' : pending!.started.has(c.id) ? 'started' : 'not_started',
    })),
    metadata: { reason: event.data.reason, ...(event.data.label ? { label: event.data.label } : {}), prompt: state.prompt, model: state.model },
  };
}

/** Checkpoint ids name their run and the checkpoint event's seq: `<runId>@<seq>`. */
export function parseCheckpointId(checkpointId: string): { runId: string; seq: number } {
  const at = checkpointId.lastIndexOf('@');
  const seq = Number(checkpointId.slice(at + 1));
  if (at <= 0 || !Number.isInteger(seq) || seq < 0) throw new CheckpointError(`"${checkpointId}" is not a checkpoint id (expected <runId>@<seq>)`);
  return { runId: checkpointId.slice(0, at), seq };
}
