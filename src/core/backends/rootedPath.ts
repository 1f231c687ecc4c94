/** Turns a root-relative path into a real path on disk that is guaranteed to stay inside the root. */
import { lstat, realpath } from 'node:fs/promises';
import { isAbsolute, join, relative, sep } from 'node:path';
import { normalizePath } from './paths';
import { PathEscapeError } from './types';

/**
 * Resolves `path` against `realRoot` (itself already a real path), following every symlink: the
 * deepest ancestor that exists is passed through fs.realpath, so "link/new.txt" is refused when "link"
 * points outside the root, even though "new.txt" does not exist yet.
 * Returns the absolute path with symlinks resolved; operations use it, never the original path.
 */
export async function resolveInsideRoot(realRoot: string, path: string): Promise<string> {
  const relativePath = normalizePath(path);
  const segments = relativePath === '' ? [] : relativePath.split('/');
  for (let depth = segments.length; depth > 0; depth--) {
    const candidate = join(realRoot, ...segments.slice(0, depth));
    const real = await realpathIfExists(candidate);
    if (real === undefined) {
      // realpath fails on a dangling symlink too; where it would lead cannot be checked, so refuse it.
      if (await isSymlink(candidate)) {
        throw new PathEscapeError(path, `"${segments.slice(0, depth).join('/')}" is a broken symbolic link`);
      }
      continue;
    }
    if (!isInsideRoot(realRoot, real)) throw new PathEscapeError(path, 'it leads through a symbolic link outside the root');
    return join(real, ...segments.slice(depth));
  }
  return join(realRoot, ...segments);
}

/** True when the real path `real` is `realRoot` or lies under it. */
export function isInsideRoot(realRoot: string, real: string): boolean {
  const rel = relative(realRoot, real);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

export async function realpathIfExists(path: string): Promise<string | undefined> {
  try {
    return await realpath(path);
  } catch (error) {
    // ENOTDIR: an ancestor is a file, so this path cannot exist.
    if (hasCode(error, 'ENOENT', 'ENOTDIR')) return undefined;
    throw error;
  }
}

async function isSymlink(path: string): Promise<boolean> {
  try {
    return (await lstat(path)).isSymbolicLink();
  } catch {
    return false;
  }
}

export function hasCode(error: unknown, ...codes: string[]): boolean {
  return error instanceof Error && 'code' in error && codes.includes(String(error.code));
}
