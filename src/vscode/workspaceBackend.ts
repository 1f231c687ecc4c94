/**
 * A FileBackend over vscode.workspace.fs, confined to the open workspace folders. With several
 * folders, a path starts with the folder's name ("api/src/a.ts"); with one, it is relative to it.
 */
import { realpath } from 'node:fs/promises';
import { sep } from 'node:path';
import * as vscode from 'vscode';
import {
  ancestorsOf,
  displayPath,
  globFiles,
  grepFiles,
  looksBinary,
  MAX_GREP_FILE_BYTES,
  normalizePath,
  readDiskRange,
  type SearchFile,
  type SearchSource,
  BinaryFileError,
  FileNotFoundError,
  IsADirectoryError,
  NotADirectoryError,
  PathEscapeError,
  type FileBackend,
  type FileInfo,
  type GlobOptions,
  type GrepMatch,
  type GrepOptions,
  type SearchSettings,
} from '../core';

export class WorkspaceFsBackend implements FileBackend {
  readonly description: string;

  /** `search`: the deadline of grep and glob, and the ripgrep VS Code ships (see bundledRipgrep). */
  constructor(
    private readonly folders: readonly vscode.WorkspaceFolder[],
    private readonly searchSettings: SearchSettings = { ripgrep: false },
  ) {
    if (folders.length === 0) throw new Error('open a folder first: the agent works inside the workspace folders');
    this.description = `workspace ${folders.map((f) => f.name).join(', ')}`;
  }

  /** One level, sorted, with the size of each file (a stat each: VS Code's listing has no sizes). */
  async ls(path: string): Promise<FileInfo[]> {
    const entries = await this.list(path);
    return Promise.all(
      entries.map(async (entry) => {
        if (entry.type === 'dir') return entry;
        const stat = await this.statOf(this.locate(entry.path));
        return stat ? { ...entry, size: stat.size } : entry;
      }),
    );
  }

  /** One level, sorted, without sizes (what a search walk needs). */
  private async list(path: string): Promise<FileInfo[]> {
    const rel = normalizePath(path);
    if (rel === '' && this.folders.length > 1) return this.folders.map((f) => ({ path: f.name, type: 'dir' as const }));
    const uri = await this.uriOf(rel);
    const stat = await this.statOf(uri);
    if (!stat) throw new FileNotFoundError(displayPath(rel));
    if (!(stat.type & vscode.FileType.Directory)) throw new NotADirectoryError(displayPath(rel));
    const entries = await vscode.workspace.fs.readDirectory(uri);
    const infos: FileInfo[] = [];
    for (const [name, type] of entries) {
      // Symlinks are listed only when they stay inside; every use of one leading out is refused anyway.
      if (type & vscode.FileType.SymbolicLink && !(await this.insideWorkspace(vscode.Uri.joinPath(uri, name)))) continue;
      infos.push({ path: rel ? `${rel}/${name}` : name, type: type & vscode.FileType.Directory ? 'dir' : 'file' });
    }
    return infos.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  async readFile(path: string): Promise<string> {
    const rel = normalizePath(path);
    const uri = await this.uriOf(rel);
    const stat = await this.statOf(uri);
    if (!stat) throw new FileNotFoundError(displayPath(rel));
    if (stat.type & vscode.FileType.Directory) throw new IsADirectoryError(displayPath(rel));
    const bytes = await vscode.workspace.fs.readFile(uri);
    if (looksBinary(bytes)) throw new BinaryFileError(rel);
    return new TextDecoder().decode(bytes);
  }

  async writeFile(path: string, content: string): Promise<void> {
    const rel = normalizePath(path);
    if (rel === '' || (this.folders.length > 1 && !rel.includes('/'))) throw new IsADirectoryError(displayPath(rel));
    const uri = await this.uriOf(rel);
    if (((await this.statOf(uri))?.type ?? 0) & vscode.FileType.Directory) throw new IsADirectoryError(displayPath(rel));
    try {
      await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(content));
    } catch (error) {
      throw (await this.fileInTheWay(rel)) ?? error;
    }
  }

  /** The nearest ancestor of `rel` that is a file, which makes writing `rel` impossible. */
  private async fileInTheWay(rel: string): Promise<NotADirectoryError | undefined> {
    for (const ancestor of ancestorsOf(rel)) {
      const stat = await this.statOf(this.locate(ancestor));
      if (stat === undefined) return undefined;
      if (!(stat.type & vscode.FileType.Directory)) return new NotADirectoryError(ancestor);
    }
    return undefined;
  }

  async exists(path: string): Promise<boolean> {
    return (await this.statOf(await this.uriOf(normalizePath(path)))) !== undefined;
  }

  async delete(path: string): Promise<boolean> {
    const rel = normalizePath(path);
    const uri = await this.uriOf(rel);
    const stat = await this.statOf(uri);
    if (!stat) return false;
    if (stat.type & vscode.FileType.Directory) throw new IsADirectoryError(displayPath(rel));
    await vscode.workspace.fs.delete(uri);
    return true;
  }

  async stat(path: string): Promise<FileInfo> {
    const rel = normalizePath(path);
    if (rel === '' && this.folders.length > 1) return { path: rel, type: 'dir' };
    const stat = await this.statOf(await this.uriOf(rel));
    if (!stat) throw new FileNotFoundError(displayPath(rel));
    if (stat.type & vscode.FileType.Directory) return { path: rel, type: 'dir', modifiedMs: stat.mtime };
    return { path: rel, type: 'file', size: stat.size, modifiedMs: stat.mtime };
  }

  /** On disk only the range is read; other file systems (remote, virtual) have no ranged read, so the file is read whole. */
  async readRange(path: string, start: number, length: number): Promise<Uint8Array> {
    const rel = normalizePath(path);
    const uri = await this.uriOf(rel);
    const stat = await this.statOf(uri);
    if (!stat) throw new FileNotFoundError(displayPath(rel));
    if (stat.type & vscode.FileType.Directory) throw new IsADirectoryError(displayPath(rel));
    if (uri.scheme !== 'file') return (await vscode.workspace.fs.readFile(uri)).subarray(start, start + length);
    return readDiskRange(uri.fsPath, start, length);
  }

  glob(pattern: string, path?: string, options?: GlobOptions): Promise<string[]> {
    return globFiles(this.search, pattern, path, this.searchSettings, options?.signal);
  }

  grep(pattern: string, options?: GrepOptions): Promise<GrepMatch[]> {
    return grepFiles(this.search, pattern, options, this.searchSettings);
  }

  private readonly search: SearchSource = {
    entry: async (path) => {
      const uri = await this.uriOf(normalizePath(path));
      const stat = await this.statOf(uri);
      if (!stat) return undefined;
      if (stat.type & vscode.FileType.Directory) return { kind: 'dir' };
      return { kind: 'file', disk: uri.scheme === 'file' ? uri.fsPath : undefined };
    },
    listFiles: async (dir, skipDir, signal) => {
      const files: SearchFile[] = [];
      const walk = async (rel: string): Promise<void> => {
        signal.throwIfAborted();
        for (const entry of await this.list(rel)) {
          if (entry.type === 'dir') {
            if (!skipDir(entry.path)) await walk(entry.path);
          } else files.push({ path: entry.path, disk: this.diskPathOf(entry.path) });
        }
      };
      await walk(normalizePath(dir));
      return files;
    },
    readTextForSearch: async (path) => {
      try {
        const uri = await this.uriOf(normalizePath(path));
        const stat = await this.statOf(uri);
        if (!stat || stat.size > MAX_GREP_FILE_BYTES) return undefined;
        const bytes = await vscode.workspace.fs.readFile(uri);
        return looksBinary(bytes) ? undefined : new TextDecoder().decode(bytes);
      } catch {
        return undefined;
      }
    },
  };

  /** Where a listed file is on disk, for searching it there; undefined off disk. ls checked its symlinks already. */
  private diskPathOf(rel: string): string | undefined {
    const uri = this.locate(rel);
    return uri.scheme === 'file' ? uri.fsPath : undefined;
  }

  /** The URI of a backend path (for showing the file in the editor). */
  uriFor(path: string): Promise<vscode.Uri> {
    return this.uriOf(normalizePath(path));
  }

  /** The URI of a normalised path; refuses one that leads out of its folder through a symlink. */
  private async uriOf(rel: string): Promise<vscode.Uri> {
    const uri = this.locate(rel);
    if (!(await this.insideWorkspace(uri))) throw new PathEscapeError(rel, 'a symbolic link leads outside the workspace folder');
    return uri;
  }

  /** The URI a normalised path names, before any symlink in it is checked. */
  private locate(rel: string): vscode.Uri {
    let folder = this.folders[0]!;
    let inFolder = rel;
    if (this.folders.length > 1) {
      const [name, ...rest] = rel.split('/');
      const match = this.folders.find((f) => f.name === name);
      if (!match) throw new FileNotFoundError(`${name} (workspace folders: ${this.folders.map((f) => f.name).join(', ')})`);
      folder = match;
      inFolder = rest.join('/');
    }
    return inFolder ? vscode.Uri.joinPath(folder.uri, ...inFolder.split('/')) : folder.uri;
  }

  /** On disk, resolve symlinks of the deepest existing ancestor; other file systems have none to follow. */
  private async insideWorkspace(uri: vscode.Uri): Promise<boolean> {
    if (uri.scheme !== 'file') return true;
    const folder = vscode.workspace.getWorkspaceFolder(uri) ?? this.folders.find((f) => uri.fsPath.startsWith(f.uri.fsPath));
    if (!folder) return false;
    const root = await realpath(folder.uri.fsPath);
    let probe = uri.fsPath;
    for (;;) {
      try {
        const real = await realpath(probe);
        return real === root || real.startsWith(root + sep);
      } catch {
        const parent = probe.slice(0, probe.lastIndexOf(sep));
        if (!parent || parent === probe) return false;
        probe = parent;
      }
    }
  }

  private async statOf(uri: vscode.Uri): Promise<vscode.FileStat | undefined> {
    try {
      return await vscode.workspace.fs.stat(uri);
    } catch {
      return undefined;
    }
  }
}
