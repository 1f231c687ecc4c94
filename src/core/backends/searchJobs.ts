/**
 * The work a search does that could take unbounded time on the CPU, or hold up the event loop:
 * matching paths against a glob, lines against a regular expression, and starting ripgrep. It runs
 * in the search worker (searchWorker.ts), never on the main thread, and writes which item it is on
 * into `progress` so a timeout can say where it was.
 */
import { readFileSync, statSync } from 'node:fs';
import picomatch from 'picomatch';
import { baseName, relativeTo } from './paths';
import { ripgrepSearch, type DiskFile } from './ripgrep';
import { byCodePoint, compileGrepPattern, looksBinary, matchLines, MAX_GREP_FILE_BYTES } from './textSearch';
import type { GrepMatch } from './types';

/** A glob over paths: against the file name alone, or the path relative to `dir`. */
export interface PathFilter {
  glob: string;
  dot: boolean;
  against: 'name' | { dir: string };
}

/** A file to grep: its real path on disk (read in the worker) or its text. Neither: skipped. */
export interface GrepFile {
  path: string;
  disk?: string;
  text?: string;
}

export type SearchJob =
  /** The indices of `paths` that pass the filter, in code-point order of the paths. */
  | { type: 'select'; paths: string[]; filter?: PathFilter }
  /** Matching lines of the files, in the files' order, at most maxResults. */
  | { type: 'grep'; files: GrepFile[]; pattern: string; ignoreCase?: boolean; literal?: boolean; maxResults: number }
  /** The same through ripgrep, with a pattern in its syntax; null when ripgrep cannot run it. Two lists clone faster than objects. */
  | { type: 'ripgrep'; rg: string; paths: string[]; disks: string[]; pattern: string; maxResults: number };

/** progress[0]: the item being worked on; progress[1]: when it was started; progress[2]: when the job was (Date.now()). */
export type Progress = Float64Array;
export const PROGRESS_SLOTS = 3;

/** `signal` stops a ripgrep job (a matching job runs to its end, or until its worker is terminated). */
export async function runJob(job: SearchJob, progress: Progress, signal: AbortSignal): Promise<number[] | GrepMatch[] | null> {
  progress[2] = Date.now();
  if (job.type === 'select') return select(job.paths, job.filter, progress);
  if (job.type === 'grep') return grep(job, progress);
  const files = job.paths.map((path, i): DiskFile => ({ path, disk: job.disks[i]! }));
  return (await ripgrepSearch(job.rg, files, job.pattern, job.maxResults, signal)) ?? null;
}

function select(paths: string[], filter: PathFilter | undefined, progress: Progress): number[] {
  const matches = filter ? pathMatcher(filter) : () => true;
  const kept: number[] = [];
  for (let i = 0; i < paths.length; i++) {
    mark(progress, i);
    if (matches(paths[i]!)) kept.push(i);
  }
  return kept.sort((a, b) => byCodePoint(paths[a]!, paths[b]!));
}

function pathMatcher({ glob, dot, against }: PathFilter): (path: string) => boolean {
  const matches = picomatch(glob, { dot });
  if (against === 'name') return (path) => matches(baseName(path));
  return (path) => matches(relativeTo(path, against.dir));
}

function grep(job: Extract<SearchJob, { type: 'grep' }>, progress: Progress): GrepMatch[] {
  const regex = compileGrepPattern(job.pattern, job);
  const out: GrepMatch[] = [];
  for (let i = 0; i < job.files.length && out.length < job.maxResults; i++) {
    mark(progress, i);
    const file = job.files[i]!;
    const text = file.text ?? (file.disk === undefined ? undefined : readText(file.disk));
    if (text !== undefined) matchLines(file.path, text, regex, job.maxResults, out);
  }
  return out;
}

/** The file's text, or undefined when grep skips it: binary, over MAX_GREP_FILE_BYTES, vanished or unreadable. */
function readText(disk: string): string | undefined {
  try {
    if (statSync(disk).size > MAX_GREP_FILE_BYTES) return undefined;
    const bytes = readFileSync(disk);
    return looksBinary(bytes) ? undefined : bytes.toString('utf8');
  } catch {
    return undefined;
  }
}

function mark(progress: Progress, item: number): void {
  if (progress[0] === item) return;
  progress[0] = item;
  progress[1] = Date.now();
}
