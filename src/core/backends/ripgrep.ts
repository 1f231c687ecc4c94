/**
 * ripgrep as grep's engine for files on disk: a separate process, so it never holds up the event
 * loop, and linear-time matching, so no pattern can make it backtrack. Files are given in the
 * order results must come in, searched one at a time, and the process is killed once enough lines
 * have matched. A file over MAX_GREP_FILE_BYTES or binary (NUL in its first 8 KB) is checked and
 * left out as with the JavaScript engine.
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { readDiskRange } from './diskRange';
import { BINARY_SNIFF_BYTES, looksBinary, MAX_GREP_FILE_BYTES } from './textSearch';
import type { GrepMatch } from './types';

export interface DiskFile {
  path: string;
  /** Its real path on disk. */
  disk: string;
}

const FLAGS = [
  '--no-config',
  // One file at a time, in the order given, so the first results are the first in path order.
  '--threads=1',
  // Binary and size checks are ours; the raw bytes are searched, as JavaScript decodes them.
  '--text',
  '--encoding=none',
  '--crlf',
  '--no-heading',
  '--with-filename',
  '--line-number',
  '--null',
  '--color=never',
  '--no-messages',
];
/** Files per process are limited by command-line length: 32 KB on Windows, far more elsewhere. */
const MAX_ARGS_CHARS = process.platform === 'win32' ? 24_000 : 200_000;

/** Matching lines of `files`, in their order, at most maxResults; undefined when ripgrep cannot run this search. */
export async function ripgrepSearch(rg: string, files: DiskFile[], pattern: string, maxResults: number, signal: AbortSignal): Promise<GrepMatch[] | undefined> {
  const out: GrepMatch[] = [];
  for (const batch of batches(files)) {
    const found = await searchBatch(rg, batch, pattern, maxResults - out.length, signal);
    if (found === undefined) return undefined;
    out.push(...found);
    if (out.length >= maxResults) break;
  }
  return out;
}

function* batches(files: DiskFile[]): Generator<DiskFile[]> {
  let batch: DiskFile[] = [];
  let chars = 0;
  for (const file of files) {
    if (batch.length > 0 && chars + file.disk.length + 1 > MAX_ARGS_CHARS) {
      yield batch;
      batch = [];
      chars = 0;
    }
    batch.push(file);
    chars += file.disk.length + 1;
  }
  if (batch.length > 0) yield batch;
}

async function searchBatch(rg: string, files: DiskFile[], pattern: string, max: number, signal: AbortSignal): Promise<GrepMatch[] | undefined> {
  signal.throwIfAborted();
  const pathOf = new Map(files.map((file) => [file.disk, file.path]));
  const child = spawn(rg, [...FLAGS, `--max-count=${max}`, '--regexp', pattern, '--', ...files.map((file) => file.disk)], {
    stdio: ['ignore', 'pipe', 'ignore'],
    windowsHide: true,
  });
  const exit = new Promise<number | null>((resolve) => {
    child.once('error', () => resolve(-1)); // not there, or not runnable
    child.once('close', (code) => resolve(code));
  });
  const kill = () => child.kill('SIGKILL');
  signal.addEventListener('abort', kill, { once: true });

  const out: GrepMatch[] = [];
  let group: { disk: string; matches: GrepMatch[] } | undefined;
  const flush = async () => {
    if (group && (await searchable(group.disk))) out.push(...group.matches.slice(0, max - out.length));
    group = undefined;
  };
  try {
    let pending: Buffer = Buffer.alloc(0);
    // Reading by async iteration pauses ripgrep (a full pipe) while a file is checked.
    for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
      pending = pending.length > 0 ? Buffer.concat([pending, chunk]) : chunk;
      for (let newline = pending.indexOf(10); newline !== -1; newline = pending.indexOf(10)) {
        const record = parseRecord(pending.subarray(0, newline));
        pending = pending.subarray(newline + 1);
        const path = pathOf.get(record.disk);
        if (path === undefined) continue; // never a path it was not given (a file name with a newline garbles a record)
        if (group && group.disk !== record.disk) await flush();
        if (out.length >= max) break;
        group ??= { disk: record.disk, matches: [] };
        group.matches.push({ path, line: record.line, text: record.text });
      }
      if (out.length >= max) break;
    }
    await flush();
  } finally {
    signal.removeEventListener('abort', kill);
    if (out.length >= max) kill();
  }
  const code = await exit;
  signal.throwIfAborted();
  // 0: matches, 1: none; anything else (a pattern it refused, a crash) hands the search to JavaScript.
  if (out.length >= max || code === 0 || code === 1) return out;
  return undefined;
}

/** `path NUL line : text`, as --null --line-number print it; the text may hold any byte but '\n'. */
function parseRecord(record: Buffer): { disk: string; line: number; text: string } {
  const nul = record.indexOf(0);
  const colon = record.indexOf(58, nul + 1);
  const text = record.subarray(colon + 1).toString('utf8');
  return {
    disk: record.subarray(0, nul).toString('utf8'),
    line: Number(record.subarray(nul + 1, colon).toString('latin1')),
    text: text.endsWith('\r') ? text.slice(0, -1) : text,
  };
}

/** Not over the size limit and not binary, as the JavaScript engine decides. */
async function searchable(disk: string): Promise<boolean> {
  try {
    return (await stat(disk)).size <= MAX_GREP_FILE_BYTES && !looksBinary(await readDiskRange(disk, 0, BINARY_SNIFF_BYTES));
  } catch {
    return false; // vanished or unreadable since ripgrep read it
  }
}

const onPath = new Map<string, Promise<string | undefined>>();

/**
 * The ripgrep to use: `setting` when it is a path to an executable, else `rg` from the PATH
 * (looked up once per PATH); undefined when there is none or `setting` is false.
 */
export function findRipgrep(setting: string | false | undefined, path = process.env.PATH ?? ''): Promise<string | undefined> {
  if (setting === false) return Promise.resolve(undefined);
  if (setting !== undefined) return executable(setting).then((ok) => (ok ? setting : undefined));
  let found = onPath.get(path);
  if (!found) {
    const name = process.platform === 'win32' ? 'rg.exe' : 'rg';
    const candidates = path.split(delimiter).filter(Boolean).map((dir) => join(dir, name));
    found = (async () => {
      for (const candidate of candidates) if (await executable(candidate)) return candidate;
      return undefined;
    })();
    onPath.set(path, found);
  }
  return found;
}

async function executable(file: string): Promise<boolean> {
  try {
    await access(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
