/**
 * glob and grep written once over a small SearchSource, so the in-memory and filesystem backends
 * match, skip and sort files the same way.
 */
import picomatch from 'picomatch';
import { baseName, displayPath, normalizePath, parentPath, relativeTo } from './paths';
import { FileNotFoundError, InvalidPatternError, NotADirectoryError, type GrepMatch, type GrepOptions } from './types';

/**
 * Directories walked only when the pattern names them: huge, and never what the model is looking
 * for. `.deep-agent` holds the agent's own run journals, which repeat everything a run has seen.
 */
export const SKIPPED_DIRS: readonly string[] = ['node_modules', '.git', '.deep-agent'];
export const MAX_GREP_FILE_BYTES = 1024 * 1024;
export const DEFAULT_MAX_GREP_RESULTS = 200;
/** Like git, a file with a NUL byte in its first 8 KB is treated as binary. */
export const BINARY_SNIFF_BYTES = 8192;

/** What glob and grep need from a backend. Paths are normalised and root-relative. */
export interface SearchSource {
  kind(path: string): Promise<'file' | 'dir' | undefined>;
  /** Files under the directory `dir`, recursively, not descending into directories for which skipDir is true. */
  listFiles(dir: string, skipDir: (dirPath: string) => boolean): Promise<string[]>;
  /** The file's text, or undefined when grep should skip it (binary, over MAX_GREP_FILE_BYTES, unreadable). */
  readTextForSearch(path: string): Promise<string | undefined>;
}

export async function globFiles(source: SearchSource, pattern: string, path = ''): Promise<string[]> {
  const dir = await requireDirectory(source, path);
  // "/src/**" and "./src/**" mean "src/**", as with paths.
  const relativePattern = pattern.replace(/^(\.?\/)+/, '');
  const matches = picomatch(relativePattern);
  const files = await source.listFiles(dir, skipUnlessNamedIn(relativePattern));
  return files.filter((file) => matches(relativeTo(file, dir))).sort(byCodePoint);
}

export async function grepFiles(source: SearchSource, pattern: string, options: GrepOptions = {}): Promise<GrepMatch[]> {
  const regex = compileGrepPattern(pattern, options);
  const maxResults = options.maxResults ?? DEFAULT_MAX_GREP_RESULTS;
  const target = normalizePath(options.path ?? '');
  const kind = await source.kind(target);
  if (kind === undefined) throw new FileNotFoundError(displayPath(target));

  let files = kind === 'file' ? [target] : await source.listFiles(target, skipUnlessNamedIn(options.glob ?? ''));
  if (options.glob !== undefined) {
    const inGlob = grepGlobFilter(options.glob, kind === 'file' ? parentPath(target) : target);
    files = files.filter(inGlob);
  }

  const matches: GrepMatch[] = [];
  for (const file of files.sort(byCodePoint)) {
    if (matches.length >= maxResults) break;
    const text = await source.readTextForSearch(file);
    if (text === undefined) continue;
    splitLines(text).forEach((line, index) => {
      if (matches.length < maxResults && regex.test(line)) matches.push({ path: file, line: index + 1, text: line });
    });
  }
  return matches;
}

/** Throws InvalidPatternError with the engine's reason, e.g. `invalid regular expression "(": Unterminated group`. */
export function compileGrepPattern(pattern: string, options: Pick<GrepOptions, 'ignoreCase' | 'literal'> = {}): RegExp {
  const source = options.literal ? escapeRegExp(pattern) : pattern;
  try {
    // No 'g' flag: test() must not carry lastIndex from one line to the next.
    return new RegExp(source, options.ignoreCase ? 'i' : '');
  } catch (error) {
    const reason = error instanceof Error ? error.message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /s, '') : String(error);
    throw new InvalidPatternError(pattern, reason);
  }
}

/** Lines without their endings; a final newline does not start another line. */
export function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines.map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line));
}

export function looksBinary(bytes: Uint8Array): boolean {
  return bytes.subarray(0, BINARY_SNIFF_BYTES).includes(0);
}

/** Plain code-point order, the same on every machine and locale. */
export function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

async function requireDirectory(source: SearchSource, path: string): Promise<string> {
  const dir = normalizePath(path);
  const kind = await source.kind(dir);
  if (kind === undefined) throw new FileNotFoundError(displayPath(dir));
  if (kind === 'file') throw new NotADirectoryError(dir);
  return dir;
}

/**
 * As in ripgrep's --glob: without '/' the glob matches file names at any depth ("*.ts"); with '/' it
 * matches the path relative to the searched directory. Dot files count, since grep searches them.
 */
function grepGlobFilter(glob: string, dir: string): (file: string) => boolean {
  const pattern = glob.replace(/^(\.?\/)+/, '');
  const matches = picomatch(pattern, { dot: true });
  if (!pattern.includes('/')) return (file) => matches(baseName(file));
  return (file) => matches(relativeTo(file, dir));
}

function skipUnlessNamedIn(pattern: string): (dirPath: string) => boolean {
  const named = SKIPPED_DIRS.filter((name) => pattern.includes(name));
  return (dirPath) => {
    const name = baseName(dirPath);
    return SKIPPED_DIRS.includes(name) && !named.includes(name);
  };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
