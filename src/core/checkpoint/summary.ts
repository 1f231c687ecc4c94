/**
 * A run's line in a run list. Every store lists runs by the same rule, from three events it finds
 * without reading the whole journal: the run's run_start (the head), the journal's last readable
 * event (the tail: the run ended if that is its own run_end), and its last progress or run_end
 * (the totals so far).
 */
import type { RunEvent } from '../events';
import type { ParentLink } from '../events';
import type { StoredRun } from './store';

export interface ListedEvents {
  /** The run's own run_start. */
  start: RunEvent | undefined;
  /** The last readable event of the journal, whoever's it is. */
  last: RunEvent | undefined;
  /** The run's own last progress or run_end. */
  totals: RunEvent | undefined;
}

/** True for the events a run's totals come from: its own progress and run_end. */
export const carriesTotals = (event: RunEvent, runId: string): boolean => event.runId === runId && (event.type === 'progress' || event.type === 'run_end');

/** Tokens and cost so far from a progress or run_end; zero for anything else, or a damaged one. */
export function totalsOf(event: RunEvent | undefined): { tokens: number; costUsd: number } {
  const data = (event?.type === 'progress' || event?.type === 'run_end' ? event.data : undefined) as { usage?: { totalTokens?: unknown }; costUsd?: unknown } | undefined;
  const tokens = data?.usage?.totalTokens;
  const cost = data?.costUsd;
  return { tokens: typeof tokens === 'number' ? tokens : 0, costUsd: typeof cost === 'number' ? cost : 0 };
}

export function summarizeRun(runId: string, { start, last, totals }: ListedEvents, storage: { bytes: number; updatedAt: number; live: boolean }): StoredRun | undefined {
  if (start?.type !== 'run_start' || start.runId !== runId) return undefined;
  // A run that was resumed after it ended (a cancelled one) and not ended again has a later last event: interrupted.
  const ended = last?.type === 'run_end' && last.runId === runId ? last.data.status : undefined;
  const parent = parentOf(start.data);
  return {
    runId,
    agentName: start.data.agentName,
    prompt: start.data.prompt,
    status: storage.live ? 'running' : (ended ?? 'interrupted'),
    // Whole milliseconds, like event times: file and database clocks give fractions.
    startedAt: Math.floor(start.ts),
    updatedAt: Math.floor(storage.updatedAt),
    bytes: storage.bytes,
    forkedFrom: start.data.forkedFrom,
    ...(start.parentRunId === undefined ? {} : { parentRunId: start.parentRunId }),
    ...(parent ? { parent } : {}),
    totals: totalsOf(totals),
  };
}

/** What started a child run, as its run_start says (a field newer than some journals: read defensively). */
function parentOf(data: object): ParentLink | undefined {
  const parent = (data as { parent?: { kind?: unknown; id?: unknown } }).parent;
  if ((parent?.kind === 'tool_call' || parent?.kind === 'graph_task') && typeof parent.id === 'string') return { kind: parent.kind, id: parent.id };
  return undefined;
}
