/**
 * Which process writes a run: a `<runId>.lock` file beside the journal names it. A lock whose
 * process is gone (killed, crashed, a reloaded window's old extension host) is stale, and the run
 * it names is interrupted.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { parseJsonOrUndefined } from '../json';
import { isProcessAlive } from '../liveProcess';

/** Runs this process has open, so its own live runs are told apart from stale locks of an earlier pid. */
const openHere = new Set<string>();

interface LockOwner {
  pid: number;
  host: string;
}

export function isLockedByLiveWriter(lockPath: string): boolean {
  if (openHere.has(lockPath)) return true;
  let text: string;
  try {
    text = readFileSync(lockPath, 'utf8');
  } catch {
    return false;
  }
  const owner = parseJsonOrUndefined(text) as Partial<LockOwner> | undefined;
  if (typeof owner?.pid !== 'number' || owner.host !== hostname() || owner.pid === process.pid) return false;
  return isProcessAlive(owner.pid);
}

export function takeLock(lockPath: string): void {
  writeFileSync(lockPath, JSON.stringify({ pid: process.pid, host: hostname() } satisfies LockOwner));
  openHere.add(lockPath);
}

export function releaseLock(lockPath: string): void {
  openHere.delete(lockPath);
  rmSync(lockPath, { force: true });
}
