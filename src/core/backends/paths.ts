/**
 * The one path normaliser every backend uses, so "src/a.ts" and "./src//a.ts" name the same file
 * everywhere and an escape is refused the same way everywhere.
 */
import { PathEscapeError } from './types';

/** The root, as normalised paths spell it. */
export const ROOT = '';

const WINDOWS_DRIVE = /^[a-zA-Z]:/;
// '\\server\share', '//server/share', '\\?\C:\...'
const UNC_OR_DEVICE = /^[\\/]{2}/;

/**
 * Returns the path relative to the root: '/'-separated, no '.' or empty segments, '' for the root.
 * Backslashes count as separators so "..\\x" cannot slip past on Windows. Throws PathEscapeError for
 * absolute paths and paths that leave the root (a backend whose root is a real directory first
 * turns absolute paths inside it into relative ones).
 */
export function normalizePath(path: string): string {
  if (path.includes('\0')) throw new PathEscapeError(path, 'it contains a NUL byte');
  if (WINDOWS_DRIVE.test(path)) throw new PathEscapeError(path, 'Windows drive paths are not allowed');
  if (UNC_OR_DEVICE.test(path)) throw new PathEscapeError(path, 'UNC and device paths are not allowed');
  if (path.startsWith('/') || path.startsWith('\\')) {
    throw new PathEscapeError(path, "absolute paths are not allowed; give a path relative to the workspace root ('.' is the root)");
  }

  const segments: string[] = [];
  for (const segment of path.split(/[\\/]/)) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') {
      if (segments.length === 0) throw new PathEscapeError(path, "'..' leads above the root");
      segments.pop();
    } else {
      segments.push(segment);
    }
  }
  return segments.join('/');
}

/** For messages: the normalised path ('.' for the root), or the path as given when it is refused. */
export function displayPath(path: string): string {
  try {
    return normalizePath(path) || '.';
  } catch {
    return path;
  }
}

/** Joins a normalised directory and a child name or relative path. */
export function joinPath(dir: string, child: string): string {
  if (dir === ROOT) return child;
  if (child === ROOT) return dir;
  return `${dir}/${child}`;
}

/** The normalised parent ('' for top-level entries and for the root itself). */
export function parentPath(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash === -1 ? ROOT : path.slice(0, slash);
}

export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** True when `path` is `dir` or lies under it (both normalised). */
export function isWithin(path: string, dir: string): boolean {
  return dir === ROOT || path === dir || path.startsWith(`${dir}/`);
}

/** `path` relative to `dir`, assuming isWithin(path, dir). */
export function relativeTo(path: string, dir: string): string {
  if (dir === ROOT) return path;
  return path === dir ? ROOT : path.slice(dir.length + 1);
}

/** Ancestors of a normalised path, nearest last: "a/b/c" → ["a", "a/b"]. */
export function ancestorsOf(path: string): string[] {
  const segments = path.split('/');
  return segments.slice(1).map((_, i) => segments.slice(0, i + 1).join('/'));
}
