/**
 * glob and grep written once over a small SearchSource, so every backend lists, skips, matches and
 * sorts files the same way. Listing is asynchronous I/O; everything that costs CPU in proportion to
 * a pattern (glob matching, sorting, regular expressions) runs in a worker thread or in ripgrep. A
 * search past its deadline is stopped, whatever it is doing, with a SearchTimeoutError that says why.
 */
import { runOffThread, StoppedInWorker, warmUp } from './offThread';
import { baseName, displayPath, normalizePath, parentPath } from './paths';
import { findRipgrep, type DiskFile } from './ripgrep';
import { toRustRegex } from './rustRegex';
import type { GrepFile, PathFilter } from './searchJobs';
import { compileGrepPattern, DEFAULT_MAX_GREP_RESULTS } from './textSearch';
import { FileNotFoundError, NotADirectoryError, SearchTimeoutError, type GrepMatch, type GrepOptions, type SearchSettings } from './types';

/**
 * Directories walked only when the pattern names them: huge, and never what the model is looking
 * for. `.deep-agent` holds the agent's own run journals, which repeat everything a run has seen.
 */
export const SKIPPED_DIRS: readonly string[] = ['node_modules', '.git', '.deep-agent'];
export const DEFAULT_SEARCH_TIMEOUT_MS = 10_000;

export interface SearchFile {
  /** Normalised, root-relative. */
  path: string;
  /** Its real path on disk, when it has one: then it is read there, off the main thread. */
  disk?: string;
}

/** What glob and grep need from a backend. Paths are normalised and root-relative. */
export interface SearchSource {
  entry(path: string): Promise<{ kind: 'dir' } | { kind: 'file'; disk?: string } | undefined>;
  /** Files under the directory `dir`, recursively, not descending into directories for which skipDir is true. */
  listFiles(dir: string, skipDir: (dirPath: string) => boolean, signal: AbortSignal): Promise<SearchFile[]>;
  /** The text of a file that has no `disk` path, or undefined when grep skips it (binary, over MAX_GREP_FILE_BYTES, unreadable). */
  readTextForSearch(path: string): Promise<string | undefined>;
}

export async function globFiles(source: SearchSource, pattern: string, path = '', settings: SearchSettings = {}, signal?: AbortSignal): Promise<string[]> {
  const dir = normalizePath(path);
  let doing = `listing the files under ${displayPath(dir)}; narrow path`;
  return withDeadline('glob', settings, signal, () => doing, async (stop) => {
    const entry = await source.entry(dir);
    if (entry === undefined) throw new FileNotFoundError(displayPath(dir));
    if (entry.kind === 'file') throw new NotADirectoryError(dir);
    // "/src/**" and "./src/**" mean "src/**", as with paths.
    const relativePattern = pattern.replace(/^(\.?\/)+/, '');
    const files = await source.listFiles(dir, skipUnlessNamedIn(relativePattern), stop);
    doing = `matching "${pattern}" against ${count(files.length, 'path')}; simplify the pattern or narrow path`;
    const selected = await select(files, { glob: relativePattern, dot: false, against: { dir } }, stop);
    return selected.map((file) => file.path);
  });
}

export async function grepFiles(source: SearchSource, pattern: string, options: GrepOptions = {}, settings: SearchSettings = {}): Promise<GrepMatch[]> {
  compileGrepPattern(pattern, options); // an invalid pattern is reported before any work
  const maxResults = options.maxResults ?? DEFAULT_MAX_GREP_RESULTS;
  const target = normalizePath(options.path ?? '');
  let doing: (stopped: unknown) => string = () => `listing the files under ${displayPath(target)}; narrow path`;
  return withDeadline('grep', settings, options.signal, (stopped) => doing(stopped), async (stop) => {
    const entry = await source.entry(target);
    if (entry === undefined) throw new FileNotFoundError(displayPath(target));
    const listed = entry.kind === 'file' ? [{ path: target, disk: entry.disk }] : await source.listFiles(target, skipUnlessNamedIn(options.glob ?? ''), stop);
    const filter = options.glob === undefined ? undefined : grepGlobFilter(options.glob, entry.kind === 'file' ? parentPath(target) : target);
    doing = () =>
      options.glob === undefined
        ? `searching ${count(listed.length, 'file')}; narrow path or glob`
        : `matching the glob "${options.glob}" against ${count(listed.length, 'path')}; simplify it or narrow path`;
    const files = await select(listed, filter, stop);
    if (files.length === 0) return [];

    const rg = await findRipgrep(settings.ripgrep);
    const onDisk = files.every((file) => file.disk !== undefined);
    const rustPattern = rg && onDisk ? toRustRegex(pattern, options) : undefined;
    if (rg && rustPattern !== undefined) {
      doing = () => `searching ${count(files.length, 'file')}; narrow path or glob`;
      const disks = (files as DiskFile[]).map((file) => file.disk);
      const job = { type: 'ripgrep' as const, rg, paths: files.map((file) => file.path), disks, pattern: rustPattern, maxResults };
      const found = await runOffThread<GrepMatch[] | null>(job, stop);
      if (found) return found;
    }
    doing = (stopped) => whereMatchingStopped(stopped, files, pattern);
    const job = { type: 'grep' as const, files: await withTexts(source, files, stop), pattern, ignoreCase: options.ignoreCase, literal: options.literal, maxResults };
    return runOffThread<GrepMatch[]>(job, stop);
  });
}

/**
 * Runs `search` with a signal that fires at the deadline or when `outer` does. Past the deadline it
 * rejects with SearchTimeoutError ("grep timed out after 10 s " + what it was doing); cancelled, with
 * `outer`'s reason.
 */
async function withDeadline<T>(
  tool: string,
  settings: SearchSettings,
  outer: AbortSignal | undefined,
  doing: (stopped: unknown) => string,
  search: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const timeoutMs = settings.timeoutMs ?? DEFAULT_SEARCH_TIMEOUT_MS;
  warmUp();
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(), timeoutMs);
  try {
    return await search(outer ? AbortSignal.any([outer, deadline.signal]) : deadline.signal);
  } catch (error) {
    if (outer?.aborted) throw outer.reason;
    if (deadline.signal.aborted) throw new SearchTimeoutError(`${tool} timed out after ${timeoutMs / 1000} s ${doing(error)}`);
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

/** What the worker was doing when its deadline passed: one file taking most of the time is the pattern's doing. */
function whereMatchingStopped(stopped: unknown, files: SearchFile[], pattern: string): string {
  if (!(stopped instanceof StoppedInWorker) || stopped.item < 0) return `searching ${count(files.length, 'file')}; narrow path or glob`;
  if (stopped.itemMs >= stopped.jobMs / 2) {
    return `in ${files[stopped.item]!.path}: the pattern "${pattern}" may backtrack catastrophically; simplify it or narrow path/glob`;
  }
  return `having searched ${stopped.item} of ${count(files.length, 'file')}; narrow path or glob`;
}

/** The files that pass the filter, sorted by path, worked out in the worker (a glob can be costly to match). */
async function select<F extends SearchFile>(files: F[], filter: PathFilter | undefined, signal: AbortSignal): Promise<F[]> {
  if (files.length === 0) return [];
  const kept = await runOffThread<number[]>({ type: 'select', paths: files.map((file) => file.path), filter }, signal);
  return kept.map((index) => files[index]!);
}

/** Files not on disk carry their text to the worker. */
async function withTexts(source: SearchSource, files: SearchFile[], signal: AbortSignal): Promise<GrepFile[]> {
  const out: GrepFile[] = [];
  for (const file of files) {
    signal.throwIfAborted();
    out.push(file.disk !== undefined ? file : { path: file.path, text: await source.readTextForSearch(file.path) });
  }
  return out;
}

/**
 * As in ripgrep's --glob: without '/' the glob matches file names at any depth ("*.ts"); with '/' it
 * matches the path relative to the searched directory. Dot files count, since grep searches them.
 */
function grepGlobFilter(glob: string, dir: string): PathFilter {
  const pattern = glob.replace(/^(\.?\/)+/, '');
  return { glob: pattern, dot: true, against: pattern.includes('/') ? { dir } : 'name' };
}

function skipUnlessNamedIn(pattern: string): (dirPath: string) => boolean {
  const named = SKIPPED_DIRS.filter((name) => pattern.includes(name));
  return (dirPath) => {
    const name = baseName(dirPath);
    return SKIPPED_DIRS.includes(name) && !named.includes(name);
  };
}

/** "1 file", "3 files". */
const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;
