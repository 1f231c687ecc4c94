/**
 * Files on disk under one root directory. Every path is resolved inside the root (symlinks included)
 * before it is used, and writes are atomic.
 */
import type { Stats } from 'node:fs';
import { mkdir, readdir, readFile, realpath, rm, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { isLeftoverTempFile, removeStaleTempFiles, writeFileAtomically } from './atomicWrite';
import { readDiskRange } from './diskRange';
import { ancestorsOf, displayPath, joinPath, normalizePath, ROOT } from './paths';
import { hasCode, resolveInsideRoot } from './rootedPath';
import { globFiles, grepFiles, type SearchSource } from './search';
import { byCodePoint, looksBinary } from './textSearch';
import {
  BinaryFileError,
  FileNotFoundError,
  IsADirectoryError,
  NotADirectoryError,
  type FileBackend,
  type FileInfo,
  type GlobOptions,
  type GrepMatch,
  type GrepOptions,
  type SearchSettings,
} from './types';
import { listFilesInside, statEntryInside } from './walk';

export interface FilesystemBackendOptions {
  /** The directory every path is relative to. Resolved against the current directory if relative. */
  root: string;
  /** Deadline of grep and glob, and whether grep uses ripgrep (by default when `rg` is on the PATH). */
  search?: SearchSettings;
}

export class FilesystemBackend implements FileBackend {
  /** Absolute, as given (symlinks in it are resolved only when used). */
  readonly root: string;
  readonly description: string;
  private readonly searchSettings: SearchSettings;
  private realRootPromise?: Promise<string>;
  /** Folders this backend has rid of temp files a killed write left, once each, at the first write there. */
  private readonly sweptDirs = new Set<string>();
  private readonly search: SearchSource = {
    entry: async (path) => {
      const absolute = await this.resolve(path);
      const stats = await this.statIfExists(absolute);
      if (stats === undefined) return undefined;
      if (stats.isDirectory()) return { kind: 'dir' };
      // A FIFO or a device is a file to name, but never read: it could block forever.
      return { kind: 'file', disk: stats.isFile() ? absolute : undefined };
    },
    listFiles: async (dir, skipDir, signal) => listFilesInside(await this.realRoot(), await this.resolve(dir), dir, skipDir, signal),
    readTextForSearch: async () => undefined, // every regular file is read on disk
  };

  constructor(options: FilesystemBackendOptions) {
    this.root = resolve(options.root);
    this.description = `filesystem at ${this.root}`;
    this.searchSettings = options.search ?? {};
  }

  async ls(path: string): Promise<FileInfo[]> {
    const dir = normalizePath(this.relativeToRoot(path));
    const absolute = await this.resolve(dir);
    const stats = await this.statIfExists(absolute);
    if (stats === undefined) throw new FileNotFoundError(displayPath(dir));
    if (!stats.isDirectory()) throw new NotADirectoryError(dir);

    const realRoot = await this.realRoot();
    const entries = await readdir(absolute, { withFileTypes: true }).catch((error: unknown) => {
      throw failure(error, 'list', dir);
    });
    const infos = await Promise.all(
      entries.map(async (entry): Promise<FileInfo | undefined> => {
        if (isLeftoverTempFile(entry.name)) return undefined;
        // Symlinks that lead outside the root (or nowhere) are left out: every use of them would be refused.
        const inside = await statEntryInside(realRoot, join(absolute, entry.name), entry);
        if (inside === undefined) return undefined;
        const isDir = inside.stats.isDirectory();
        return {
          path: joinPath(dir, entry.name),
          type: isDir ? 'dir' : 'file',
          ...(isDir ? {} : { size: inside.stats.size }),
          modifiedMs: inside.stats.mtimeMs,
        };
      }),
    );
    return infos.filter((info) => info !== undefined).sort((a, b) => byCodePoint(a.path, b.path));
  }

  async readFile(path: string): Promise<string> {
    const { file, absolute } = await this.regularFile(path);
    const bytes = await readFile(absolute).catch((error: unknown) => {
      throw failure(error, 'read', file);
    });
    if (looksBinary(bytes)) throw new BinaryFileError(file);
    return bytes.toString('utf8');
  }

  async writeFile(path: string, content: string): Promise<void> {
    const file = normalizePath(this.relativeToRoot(path));
    if (file === ROOT) throw new IsADirectoryError('.');
    const absolute = await this.resolve(file);
    const existing = await this.statIfExists(absolute);
    if (existing === undefined) {
      const blocker = await this.fileInTheWay(file);
      if (blocker) throw blocker;
    }
    if (existing?.isDirectory()) throw new IsADirectoryError(file);
    try {
      await mkdir(dirname(absolute), { recursive: true });
      await this.sweepOnce(dirname(absolute));
      await writeFileAtomically(absolute, content, existing ? existing.mode & 0o7777 : undefined);
    } catch (error) {
      throw failure(error, 'write', file);
    }
  }

  async exists(path: string): Promise<boolean> {
    return (await this.statIfExists(await this.resolve(this.relativeToRoot(path)))) !== undefined;
  }

  async delete(path: string): Promise<boolean> {
    const file = normalizePath(this.relativeToRoot(path));
    const absolute = await this.resolve(file);
    const stats = await this.statIfExists(absolute);
    if (stats === undefined) return false;
    if (stats.isDirectory()) throw new IsADirectoryError(file === ROOT ? '.' : file);
    await rm(absolute).catch((error: unknown) => {
      throw failure(error, 'delete', file);
    });
    return true;
  }

  async stat(path: string): Promise<FileInfo> {
    const file = normalizePath(this.relativeToRoot(path));
    const stats = await this.statIfExists(await this.resolve(file));
    if (stats === undefined) throw new FileNotFoundError(displayPath(file));
    if (stats.isDirectory()) return { path: file, type: 'dir', modifiedMs: stats.mtimeMs };
    return { path: file, type: 'file', size: stats.size, modifiedMs: stats.mtimeMs };
  }

  async readRange(path: string, start: number, length: number): Promise<Uint8Array> {
    const { file, absolute } = await this.regularFile(path);
    return readDiskRange(absolute, start, length).catch((error: unknown) => {
      throw failure(error, 'read', file);
    });
  }

  async glob(pattern: string, path?: string, options?: GlobOptions): Promise<string[]> {
    return globFiles(this.search, pattern, path === undefined ? undefined : this.relativeToRoot(path), this.searchSettings, options?.signal);
  }

  async grep(pattern: string, options?: GrepOptions): Promise<GrepMatch[]> {
    const inRoot = options?.path === undefined ? options : { ...options, path: this.relativeToRoot(options.path) };
    return grepFiles(this.search, pattern, inRoot, this.searchSettings);
  }

  /** A file that can be read: it exists, is no directory, and is no FIFO or device (reading one could block forever). */
  private async regularFile(path: string): Promise<{ file: string; absolute: string }> {
    const file = normalizePath(this.relativeToRoot(path));
    const absolute = await this.resolve(file);
    const stats = await this.statIfExists(absolute);
    if (stats === undefined) throw new FileNotFoundError(displayPath(file));
    if (stats.isDirectory()) throw new IsADirectoryError(displayPath(file));
    if (!stats.isFile()) throw new Error(`"${file}" is not a regular file`);
    return { file, absolute };
  }

  private async sweepOnce(dir: string): Promise<void> {
    if (this.sweptDirs.has(dir)) return;
    this.sweptDirs.add(dir);
    await removeStaleTempFiles(dir);
  }

  /** An absolute path inside the root becomes relative; any other path is left for normalizePath to judge. */
  private relativeToRoot(path: string): string {
    if (!isAbsolute(path)) return path;
    const inside = relative(this.root, resolve(path));
    return inside === '' ? '.' : inside.startsWith('..') || isAbsolute(inside) ? path : inside.split(sep).join('/');
  }

  private async resolve(path: string): Promise<string> {
    return resolveInsideRoot(await this.realRoot(), path);
  }

  /** The root with its own symlinks resolved (e.g. macOS /tmp → /private/tmp), so containment checks compare real paths. */
  private realRoot(): Promise<string> {
    this.realRootPromise ??= realpath(this.root).catch((error: unknown) => {
      this.realRootPromise = undefined; // the root may be created later; try again then
      throw new Error(`workspace root ${this.root} is not available: ${reason(error)}`);
    });
    return this.realRootPromise;
  }

  private async statIfExists(absolute: string): Promise<Stats | undefined> {
    try {
      return await stat(absolute);
    } catch (error) {
      if (hasCode(error, 'ENOENT', 'ENOTDIR')) return undefined;
      throw error;
    }
  }

  /** The nearest ancestor of `file` that is a file, which makes writing `file` impossible. */
  private async fileInTheWay(file: string): Promise<NotADirectoryError | undefined> {
    for (const ancestor of ancestorsOf(file)) {
      const stats = await this.statIfExists(await this.resolve(ancestor));
      if (stats === undefined) return undefined;
      if (!stats.isDirectory()) return new NotADirectoryError(ancestor);
    }
    return undefined;
  }
}

/** A one-line error naming the root-relative path, not the absolute one node puts in its messages. */
function failure(error: unknown, action: string, path: string): Error {
  return new Error(`cannot ${action} "${displayPath(path)}": ${reason(error)}`);
}

const REASONS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOSPC: 'no space left on device',
  EROFS: 'read-only file system',
  EMFILE: 'too many open files',
  ENAMETOOLONG: 'name too long',
};

function reason(error: unknown): string {
  if (error instanceof Error && 'code' in error && typeof error.code === 'string') {
    return REASONS[error.code] ?? error.code;
  }
  return error instanceof Error ? error.message : String(error);
}
