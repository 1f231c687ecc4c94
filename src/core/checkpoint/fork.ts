/**
 * Fork: a new run that starts with an old run's events up to a checkpoint, under new run ids, so
 * resuming it goes on from there while the old run stays as it was (time travel without copies of
 * the workspace: the files are restored separately, from the recorded changes).
 */
import type { IdSource } from '../clock';
import type { RunEvent } from '../events';

/** `renamed`: run ids already decided (a child journaled on its own: its parent's fork). */
export function forkEvents(
  events: readonly RunEvent[],
  end: number,
  source: { runId: string; checkpointId: string },
  newRunId: string,
  ids: IdSource,
  renamed = new Map<string, string>(),
): RunEvent[] {
  renamed.set(source.runId, newRunId);
  const rename = (runId: string) => {
    let to = renamed.get(runId);
    if (!to) renamed.set(runId, (to = ids()));
    return to;
  };
  return events.slice(0, end).map((event) => {
    const copy = { ...event, runId: rename(event.runId), ...(event.parentRunId ? { parentRunId: rename(event.parentRunId) } : {}) } as RunEvent;
    if (copy.type === 'run_start' && event.runId === source.runId) copy.data = { ...copy.data, forkedFrom: source };
    if (copy.type === 'checkpoint') copy.data = { ...copy.data, checkpointId: `${copy.runId}@${copy.seq}` };
    return copy;
  });
}
