/** A run's line in a run list, folded from its journal; every store lists runs the same way. */
import type { RunEvent } from '../events';
import type { StoredRun } from './store';

export function summarizeRun(runId: string, events: readonly RunEvent[], storage: { bytes: number; updatedAt: number; live: boolean }): StoredRun | undefined {
  const start = events.find((e) => e.type === 'run_start' && e.runId === runId);
  if (start?.type !== 'run_start') return undefined;
  const end = events.findLastIndex((e) => e.type === 'run_end' && e.runId === runId);
  const resumed = events.findLastIndex((e) => e.type === 'run_resumed' && e.runId === runId);
  const last = events[end];
  // A run resumed after it ended (a cancelled run) and not ended again is interrupted.
  const ended = last?.type === 'run_end' && end > resumed ? last.data.status : undefined;
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
  };
}
