/**
 * The one rule for a run's figures, applied live (the emitter, for guardrails and progress) and
 * when a journal is folded (resume, checkpoints), so both always agree: a model call counts when
 * its answer is in (llm_end), a tool call when it starts; usage and cost come from model answers and
 * also count for every run above (a subagent's tokens are its parent's too).
 */
import { addUsage, type RunEvent, type Usage } from './events';

export interface RunFigures {
  /** This run and the runs below it. */
  usage: Usage;
  costUsd: number;
  /** Model calls of this run alone. */
  modelCalls: number;
  /** Tool calls of this run alone. */
  toolCalls: number;
}

/** Counts the event into its own run's figures; returns what the model answer adds to this run and the runs above. */
export function countEvent(own: RunFigures, event: RunEvent): { usage: Usage; costUsd: number } | undefined {
  if (event.type === 'llm_end') {
    own.modelCalls++;
    return { usage: event.data.usage, costUsd: event.data.costUsd };
  }
  if (event.type === 'tool_start') own.toolCalls++;
  return undefined;
}

export function addSpend(figures: RunFigures, spend: { usage: Usage; costUsd: number }): void {
  figures.usage = addUsage(figures.usage, spend.usage);
  figures.costUsd += spend.costUsd;
}
