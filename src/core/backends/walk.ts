/** Directory walking on disk that never follows a symlink out of the root and never loops. */
import type { Dirent, Stats } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { isLeftoverTempFile } from './atomicWrite';
import { join } from 'node:path';
import { pace } from './pace';
import { joinPath } from './paths';
import { isInsideRoot, realpathIfExists } from './rootedPath';
import type { SearchFile } from './search';

interface EntryInside {
  /** The entry's real path (a symlink's target). */
  real: string;
  stats: Stats;
}

/**
 * Stats a directory entry, following a symlink only when its target stays inside the root.
 * Undefined for entries a listing leaves out: broken or escaping symlinks, sockets, FIFOs, devices.
 */
export async function statEntryInside(realRoot: string, absolutePath: string, entry: Dirent): Promise<EntryInside | undefined> {
  try {
    const real = entry.isSymbolicLink() ? await realpathIfExists(absolutePath) : absolutePath;
    if (real === undefined || !isInsideRoot(realRoot, real)) return undefined;
    const stats = await stat(real);
    return stats.isFile() || stats.isDirectory() ? { real, stats } : undefined;
  } catch {
    return undefined; // vanished meanwhile, a symlink loop, no permission: not listable
  }
}

/**
 * The files under `realDir` (a real path whose root-relative name is `dir`): root-relative paths with
 * their real paths. Unreadable directories are skipped. A symlink back to an ancestor is not followed
 * (it would loop); other symlinked directories are walked under their link's name, like `find -L`.
 * Directories are read in parallel, but every few milliseconds the event loop gets a turn, so
 * listing many thousands of files never holds it up. Stops with the signal's reason when it fires.
 */
export async function listFilesInside(
  realRoot: string,
  realDir: string,
  dir: string,
  skipDir: (dirPath: string) => boolean,
  signal?: AbortSignal,
): Promise<SearchFile[]> {
  const files: SearchFile[] = [];
  const turn = pace();

  async function walk(realPath: string, relativePath: string, ancestors: ReadonlySet<string>): Promise<void> {
    signal?.throwIfAborted();
    let entries: Dirent[];
    try {
      entries = await readdir(realPath, { withFileTypes: true });
    } catch {
      return;
    }
    const subdirectories: Promise<void>[] = [];
    for (const entry of entries) {
      const nextTurn = turn();
      if (nextTurn) await nextTurn;
      if (isLeftoverTempFile(entry.name)) continue;
      const childPath = joinPath(relativePath, entry.name);
      const child = await classifyEntry(realRoot, join(realPath, entry.name), entry);
      if (child?.kind === 'file') {
        files.push({ path: childPath, disk: child.real });
      } else if (child?.kind === 'dir' && !skipDir(childPath) && !ancestors.has(child.real)) {
        subdirectories.push(walk(child.real, childPath, new Set([...ancestors, child.real])));
      }
    }
    await Promise.all(subdirectories);
  }

  await walk(realDir, dir, new Set([realDir]));
  return files;
}

/** File or directory, following symlinks that stay inside the root; plain entries need no stat. */
async function classifyEntry(
  realRoot: string,
  absolutePath: string,
  entry: Dirent,
): Promise<{ kind: 'file' | 'dir'; real: string } | undefined> {
  if (!entry.isSymbolicLink()) {
    if (entry.isFile()) return { kind: 'file', real: absolutePath };
    if (entry.isDirectory()) return { kind: 'dir', real: absolutePath };
    return undefined;
  }
  const target = await statEntryInside(realRoot, absolutePath, entry);
  if (target === undefined) return undefined;
  return { kind: target.stats.isDirectory() ? 'dir' : 'file', real: target.real };
}
