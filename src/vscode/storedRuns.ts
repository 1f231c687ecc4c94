/**
 * What the workbench keeps of stored runs: the retention settings that prune old finished runs at
 * start-up, and sizes for people. The runs themselves are listed by the core's checkpoint store.
 */

/** What pruning needs of a run. */
interface PrunableRun {
  status: string;
  /** Epoch ms of the last write. */
  updatedAt: number;
}

export interface RetentionSettings {
  /** Finished runs not written for this many days are deleted; null: no age limit. */
  keepDays: number | null;
  /** At most this many finished runs are kept (the newest); null: no count limit. */
  keepCount: number | null;
}

/** A run that ended (stopped, cancelled, failed or completed): not one that is going or can go on after an interruption. */
const finishedStatuses = new Set(['completed', 'failed', 'cancelled', 'stopped']);

/** Finished runs the retention settings let go of: older than keepDays, or beyond the newest keepCount. */
export function runsToPrune<R extends PrunableRun>(runs: readonly R[], settings: RetentionSettings, now: number): R[] {
  const finished = runs.filter((r) => finishedStatuses.has(r.status)).sort((a, b) => b.updatedAt - a.updatedAt);
  const oldest = settings.keepDays === null ? -Infinity : now - settings.keepDays * 24 * 60 * 60 * 1000;
  return finished.filter((run, index) => (settings.keepCount !== null && index >= settings.keepCount) || run.updatedAt < oldest);
}

/** Size for people: "812 B", "14.2 KB", "3.1 MB". */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}
