/**
 * Restoring files to a checkpoint: every write after it was recorded with the content before
 * (file_change), so each file touched since goes back to what it held then — a new file is
 * deleted. A file whose content is not what the run left (someone edited it since) is a conflict,
 * left alone unless forced.
 */
import { normalizePath } from '../backends/paths';
import type { FileBackend } from '../backends/types';
import type { RunEvent } from '../events';

export interface FileRestore {
  path: string;
  /** null: the file does not exist now. */
  current: string | null;
  /** What the checkpoint had; null: the file did not exist, so restoring deletes it. */
  target: string | null;
  /** The file was changed by something else after the run last wrote it. */
  conflict: boolean;
}

export interface RestoreResult {
  restored: string[];
  /** Conflicts left alone. */
  skipped: string[];
}

/** The files to change, from the journal's events after position `from`. Files already as they were are left out. */
export async function planRestore(events: readonly RunEvent[], from: number, backend: FileBackend): Promise<FileRestore[]> {
  const touched = new Map<string, { target: string | null; lastAfter: string }>();
  for (let i = from; i < events.length; i++) {
    const event = events[i]!;
    if (event.type !== 'file_change') continue;
    const key = sameFileKey(event.data.path);
    const seen = touched.get(key);
    touched.set(key, { target: seen ? seen.target : event.data.before, lastAfter: event.data.after });
  }
  const plan: FileRestore[] = [];
  for (const [path, { target, lastAfter }] of touched) {
    const current = (await backend.exists(path)) ? await backend.readFile(path) : null;
    if (current === target) continue;
    plan.push({ path, current, target, conflict: current !== lastAfter });
  }
  return plan.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** "./a.ts" and "a.ts" are one file; a path the backend resolves itself (absolute inside the root) stays as it is. */
function sameFileKey(path: string): string {
  try {
    return normalizePath(path);
  } catch {
    return path;
  }
}

export async function applyRestore(plan: readonly FileRestore[], backend: FileBackend, options: { force?: boolean } = {}): Promise<RestoreResult> {
  const result: RestoreResult = { restored: [], skipped: [] };
  for (const file of plan) {
    if (file.conflict && !options.force) {
      result.skipped.push(file.path);
      continue;
    }
    if (file.target === null) await backend.delete(file.path);
    else await backend.writeFile(file.path, file.target);
    result.restored.push(file.path);
  }
  return result;
}
