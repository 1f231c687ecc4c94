/**
 * What a run list needs from a journal file, read from its ends: the head (header and run_start)
 * and the tail (the last whole lines, further back only until the run's last progress or run_end
 * turns up). A journal of any size lists after reading a few kilobytes of it, usually; no index
 * file is kept, so there is nothing that could disagree with the journals.
 */
import { open, readdir, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunEvent } from '../events';
import { parseJsonOrUndefined } from '../json';
import { parseEvent } from './eventSchema';
import { checkHeader, isHeader } from './journalFormat';
import { isValidRunId } from './store';
import { carriesTotals, type ListedEvents } from './summary';

const FIRST_READ_BYTES = 16 * 1024;
/** Reads grow fourfold up to this; a line longer than that is read in several. */
const MAX_READ_BYTES = 1024 * 1024;
/** The run_start is the first event: after a header, or (version 1) first. A damaged header may come before it. */
const HEAD_LINES = 3;

export interface JournalFile {
  runId: string;
  path: string;
}

/** The journals in a directory: `<runId>.jsonl` files with a valid run id; none when the directory is missing. */
export async function journalFiles(dir: string): Promise<JournalFile[]> {
  const names = await readdir(dir).catch((): string[] => []);
  return names
    .filter((name) => name.endsWith('.jsonl'))
    .map((name) => ({ runId: name.slice(0, -'.jsonl'.length), path: join(dir, name) }))
    .filter((file) => isValidRunId(file.runId));
}

/** The file's size and last write, and the events a listing needs. Throws for a newer or invalid journal version. */
export async function readListedEvents(path: string, runId: string): Promise<ListedEvents & { bytes: number; updatedAt: number }> {
  const file = await open(path, 'r');
  try {
    const { size, mtimeMs } = await file.stat();
    const start = await runStart(file, size, runId, path);
    let last: RunEvent | undefined;
    let totals: RunEvent | undefined;
    if (start) {
      for await (const line of linesFromTheEnd(file, size)) {
        // Only a possible totals line is parsed once the last event is known: most lines are not.
        if (last && !line.includes('"progress"') && !line.includes('"run_end"')) continue;
        // A torn last line after a crash, or damage: skipped, as reading the journal skips it.
        const event = parseEvent(parseJsonOrUndefined(line));
        if (!event) continue;
        last ??= event;
        if (carriesTotals(event, runId)) {
          totals = event;
          break;
        }
      }
    }
    return { start, last, totals, bytes: size, updatedAt: mtimeMs };
  } finally {
    await file.close();
  }
}

/** The run's run_start from the head of the file; undefined when the file is not a journal of this run. */
async function runStart(file: FileHandle, size: number, runId: string, where: string): Promise<RunEvent | undefined> {
  for (let span = FIRST_READ_BYTES; ; span *= 4) {
    const whole = span >= size;
    const lines = (await readAt(file, 0, Math.min(span, size))).split('\n');
    if (!whole) lines.pop(); // cut by the read
    const head = lines.filter((line) => line.trim()).slice(0, HEAD_LINES);
    const first = parseJsonOrUndefined(head[0] ?? '');
    if (isHeader(first)) checkHeader(first, where);
    const start = head.map((line) => parseEvent(parseJsonOrUndefined(line))).find((e) => e?.type === 'run_start' && e.runId === runId);
    if (start || whole || head.length === HEAD_LINES) return start;
  }
}

/** The file's lines, last first (the text after the last newline included), read in growing pieces. */
async function* linesFromTheEnd(file: FileHandle, size: number): AsyncGenerator<string> {
  let end = size;
  let span = FIRST_READ_BYTES;
  // The start of a line whose beginning lies before what was read so far.
  let pending = Buffer.alloc(0);
  while (end > 0) {
    const from = Math.max(0, end - span);
    span = Math.min(span * 4, MAX_READ_BYTES);
    const buffer = Buffer.concat([await readBytes(file, from, end - from), pending]);
    end = from;
    let stop = buffer.length;
    for (let i = buffer.length - 1; i >= 0; i--) {
      if (buffer[i] !== 0x0a) continue;
      if (i + 1 < stop) yield buffer.toString('utf8', i + 1, stop);
      stop = i;
    }
    pending = buffer.subarray(0, stop);
  }
  if (pending.length) yield pending.toString('utf8');
}

async function readBytes(file: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  const { bytesRead } = await file.read(buffer, 0, length, position);
  return buffer.subarray(0, bytesRead);
}

const readAt = async (file: FileHandle, position: number, length: number) => (await readBytes(file, position, length)).toString('utf8');
