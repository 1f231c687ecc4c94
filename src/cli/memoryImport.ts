/**
 * `memory import FILE.jsonl`: one memory a line ({"content", "type", "metadata", "timestamp",
 * "importance"}, only content required; blank lines are skipped). Every line is checked before
 * anything is stored: with a bad line nothing is imported (exit 1, the first bad lines named as
 * FILE:LINE), unless --skip-invalid imports the good ones and names what it skipped.
 */
import { MemoryError, parseMemoryRecord, type MemoryInput, type MemoryManager } from '../core';
import { fileLines } from './fileLines';
import type { CliIO } from './runTask';

export interface ImportOptions {
  skipInvalid: boolean;
  /** Progress on stderr; default: when stderr is a terminal. */
  progress?: boolean;
}

/** Records per MemoryManager.add call: a failure loses at most the batch being written, and progress moves. */
const IMPORT_BATCH = 250;
/** Records between progress lines. */
const PROGRESS_EVERY = 1000;
/** Bad lines named one by one; the rest are counted. */
const BAD_LINES_SHOWN = 5;

interface Checked {
  records: { line: number; input: MemoryInput }[];
  bad: string[];
  lines: number;
}

export async function importMemories(file: string, manager: MemoryManager, options: ImportOptions, io: CliIO): Promise<number> {
  const { records, bad, lines } = await checkedRecords(file);
  for (const message of bad.slice(0, BAD_LINES_SHOWN)) io.err.write(`deep-agent: ${message}\n`);
  if (bad.length > BAD_LINES_SHOWN) io.err.write(`deep-agent: … and ${bad.length - BAD_LINES_SHOWN} more bad lines\n`);
  if (bad.length > 0 && !options.skipInvalid) {
    const rest = records.length > 0 ? `, or give --skip-invalid to import the ${records.length} good ones` : '';
    io.err.write(`deep-agent: ${bad.length} of ${lines} lines of ${file} are not memories; nothing was imported (fix them${rest})\n`);
    return 1;
  }
  if (bad.length > 0) io.err.write(`deep-agent: skipped ${bad.length} bad ${bad.length === 1 ? 'line' : 'lines'} of ${file} (--skip-invalid)\n`);

  const progress = options.progress ?? io.err.isTTY === true;
  let stored = 0;
  for (let at = 0; at < records.length; at += IMPORT_BATCH) {
    const batch = records.slice(at, at + IMPORT_BATCH);
    try {
      stored += (await manager.add(batch.map((r) => r.input), { signal: io.signal })).length;
    } catch (error) {
      // What is stored stays stored; say how far the import got, so it can go on from there.
      const [first, last] = [batch[0]!.line, batch.at(-1)!.line];
      const before = at === 0 ? 'nothing before them' : `the ${at} records before them`;
      throw new MemoryError(`import of ${file} stopped in lines ${first}–${last}: ${(error as Error).message}; ${before} were imported, some of these lines may have been`);
    }
    const done = at + batch.length;
    if (progress && done < records.length && Math.floor(done / PROGRESS_EVERY) > Math.floor(at / PROGRESS_EVERY)) {
      io.err.write(`deep-agent: imported ${done.toLocaleString('en-US')} of ${records.length.toLocaleString('en-US')} memories\n`);
    }
  }
  const split = stored > records.length ? ` (${stored} after splitting long ones)` : '';
  io.out.write(`imported ${records.length} ${records.length === 1 ? 'memory' : 'memories'}${split} from ${file}\n`);
  return 0;
}

async function checkedRecords(file: string): Promise<Checked> {
  const checked: Checked = { records: [], bad: [], lines: 0 };
  for await (const line of fileLines(file)) {
    checked.lines = line.number;
    const where = `${file}:${line.number}`;
    if ('error' in line) {
      checked.bad.push(`${where}: ${line.error}`);
      continue;
    }
    if (!line.text.trim()) continue;
    try {
      checked.records.push({ line: line.number, input: parseMemoryRecord(line.text, where) });
    } catch (error) {
      if (!(error instanceof MemoryError)) throw error;
      checked.bad.push(error.message);
    }
  }
  return checked;
}
