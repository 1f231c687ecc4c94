/**
 * Text, lines and patterns as grep sees them: pure functions, the same on the main thread and in
 * the search worker, so every backend and both engines agree on what a line and a match are.
 */
import { InvalidPatternError, type GrepMatch, type GrepOptions } from './types';

export const MAX_GREP_FILE_BYTES = 1024 * 1024;
export const DEFAULT_MAX_GREP_RESULTS = 200;
/** Like git, a file with a NUL byte in its first 8 KB is treated as binary. */
export const BINARY_SNIFF_BYTES = 8192;

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

/** Appends the lines of `text` that match to `out`, until it holds `max`. */
export function matchLines(path: string, text: string, regex: RegExp, max: number, out: GrepMatch[]): void {
  const lines = splitLines(text);
  for (let index = 0; index < lines.length && out.length < max; index++) {
    if (regex.test(lines[index]!)) out.push({ path, line: index + 1, text: lines[index]! });
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

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
