/**
 * A cheap look at the runs on disk at start-up, bundled into extension.js: plain fs, no zod or
 * openai, so activation stays fast. It reads only each journal's first and last lines: a run whose
 * last event is its own run_end finished; one without, whose writer is gone, was interrupted (the
 * same rule the checkpoint store lists runs by). Old finished runs are pruned here too.
 */
import { open, readdir, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { isLockedByLiveWriter } from '../core/checkpoint/fileLock';

export interface ScannedRun {
  runId: string;
  state: 'finished' | 'interrupted' | 'running';
  /** The first line of the prompt, when the journal's head holds it. */
  prompt?: string;
  /** Epoch ms of the last write. */
  updatedAt: number;
  bytes: number;
}

export interface RetentionSettings {
  /** Finished runs not written for this many days are deleted; null: no age limit. */
  keepDays: number | null;
  /** At most this many finished runs are kept (the newest); null: no count limit. */
  keepCount: number | null;
}

const HEAD_BYTES = 16 * 1024;
const TAIL_BYTES = 16 * 1024;
const MAX_TAIL_BYTES = 4 * 1024 * 1024;

/** The runs in a journal directory; files that are not journals are left out. */
export async function scanRuns(dir: string): Promise<ScannedRun[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const runs: ScannedRun[] = [];
  for (const name of names) {
    if (!name.endsWith('.jsonl')) continue;
    const run = await scanRun(dir, name.slice(0, -'.jsonl'.length)).catch(() => undefined);
    if (run) runs.push(run);
  }
  return runs;
}

/** One journal's run, or undefined when the file is not a journal. */
export async function scanRun(dir: string, runId: string): Promise<ScannedRun | undefined> {
  const path = join(dir, `${runId}.jsonl`);
  const file = await open(path, 'r');
  try {
    const { size, mtimeMs } = await file.stat();
    const head = await readAt(file, 0, Math.min(size, HEAD_BYTES));
    const headLines = head.split('\n');
    // A journal starts with its header (version 2) or with the run's run_start (version 1).
    const first = parse(headLines[0]!);
    if (!first || !(isObject(first) && ('deepAgentJournal' in first || (first.type === 'run_start' && first.runId === runId)))) return undefined;
    const start = headLines.slice(0, 3).map(parse).find((e) => isObject(e) && e.type === 'run_start' && e.runId === runId);
    const prompt = isObject(start) && isObject(start.data) && typeof start.data.prompt === 'string' ? start.data.prompt.split('\n', 1)[0] : undefined;
    const last = await lastEvent(file, size);
    const finished = isObject(last) && last.type === 'run_end' && last.runId === runId && last.parentRunId === undefined;
    const live = isLockedByLiveWriter(join(dir, `${runId}.lock`));
    return { runId, state: live ? 'running' : finished ? 'finished' : 'interrupted', prompt, updatedAt: mtimeMs, bytes: size };
  } finally {
    await file.close();
  }
}

/** The last whole, readable line of the file (a torn last line after a crash is skipped). */
async function lastEvent(file: FileHandle, size: number): Promise<unknown> {
  for (let span = TAIL_BYTES; ; span *= 4) {
    const from = Math.max(0, size - span);
    const lines = (await readAt(file, from, size - from)).split('\n');
    // Unless the read began at the start, its first line may be cut.
    const whole = from === 0 ? lines : lines.slice(1);
    for (let i = whole.length - 1; i >= 0; i--) {
      if (!whole[i]!.trim()) continue;
      const value = parse(whole[i]!);
      if (value !== undefined) return value;
    }
    if (from === 0 || span >= MAX_TAIL_BYTES) return undefined;
  }
}

async function readAt(file: FileHandle, position: number, length: number): Promise<string> {
  const buffer = Buffer.alloc(length);
  const { bytesRead } = await file.read(buffer, 0, length, position);
  return buffer.toString('utf8', 0, bytesRead);
}

/** Finished runs the retention settings let go of: older than keepDays, or beyond the newest keepCount. */
export function runsToPrune(runs: readonly ScannedRun[], settings: RetentionSettings, now: number): ScannedRun[] {
  const finished = runs.filter((r) => r.state === 'finished').sort((a, b) => b.updatedAt - a.updatedAt);
  const oldest = settings.keepDays === null ? -Infinity : now - settings.keepDays * 24 * 60 * 60 * 1000;
  return finished.filter((run, index) => (settings.keepCount !== null && index >= settings.keepCount) || run.updatedAt < oldest);
}

export async function deleteRunFiles(dir: string, runId: string): Promise<void> {
  await rm(join(dir, `${runId}.jsonl`), { force: true });
  await rm(join(dir, `${runId}.lock`), { force: true });
}

/** Reads deepAgent.runs.keepDays/keepCount as plain values; a bad one is reported, not guessed at. */
export function retentionFrom(raw: { keepDays: unknown; keepCount: unknown }): RetentionSettings | string {
  const valid = (v: unknown) => v === null || (typeof v === 'number' && Number.isInteger(v) && v >= 1);
  if (!valid(raw.keepDays)) return `setting deepAgent.runs.keepDays is invalid: expected a whole number of days (1 or more) or null, got ${JSON.stringify(raw.keepDays)}`;
  if (!valid(raw.keepCount)) return `setting deepAgent.runs.keepCount is invalid: expected a whole number (1 or more) or null, got ${JSON.stringify(raw.keepCount)}`;
  return { keepDays: raw.keepDays as number | null, keepCount: raw.keepCount as number | null };
}

/** Size for people: "812 B", "14.2 KB", "3.1 MB". */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

function parse(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Record<string, unknown> & { data?: unknown } {
  return typeof value === 'object' && value !== null;
}
