/**
 * Files kept in memory: for tests, and for subagents that must not touch the disk.
 * Directories are implied by file paths, so there are no empty directories.
 */
import { Buffer } from 'node:buffer';
import { ancestorsOf, displayPath, isWithin, joinPath, normalizePath, relativeTo, ROOT } from './paths';
import { globFiles, grepFiles, type SearchSource } from './search';
import { BINARY_SNIFF_BYTES, byCodePoint, MAX_GREP_FILE_BYTES } from './textSearch';
import {
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

export class StateBackend implements FileBackend {
  readonly description = 'in-memory files (nothing is written to disk)';
  private readonly files = new Map<string, string>();
  /** The bytes of the file readRange read last, so paging through a big file encodes it once. */
  private encoded?: { path: string; content: string; bytes: Buffer };
  private readonly search: SearchSource = {
    entry: async (path) => {
      const kind = this.kind(path);
      return kind === undefined ? undefined : { kind };
    },
    listFiles: async (dir, skipDir) =>
      [...this.files.keys()].filter((file) => isWithin(file, dir) && !this.underSkippedDir(file, dir, skipDir)).map((path) => ({ path })),
    readTextForSearch: async (path) => {
      const text = this.files.get(path);
      if (text === undefined || Buffer.byteLength(text) > MAX_GREP_FILE_BYTES) return undefined;
      return text.slice(0, BINARY_SNIFF_BYTES).includes('\0') ? undefined : text;
    },
  };

  /** `files` maps paths (normalised like any other path) to contents; `search` sets the deadline of grep and glob. */
  constructor(
    files: Record<string, string> = {},
    private readonly searchSettings: Pick<SearchSettings, 'timeoutMs'> = {},
  ) {
    for (const [path, content] of Object.entries(files)) this.put(path, content);
  }

  /** Every file, by normalised path, sorted. */
  snapshot(): Record<string, string> {
    const paths = [...this.files.keys()].sort(byCodePoint);
    return Object.fromEntries(paths.map((path) => [path, this.files.get(path)!]));
  }

  async ls(path: string): Promise<FileInfo[]> {
    const dir = normalizePath(path);
    this.requireDirectory(dir);
    const entries = new Map<string, FileInfo>();
    for (const [file, content] of this.files) {
      if (!isWithin(file, dir)) continue;
      const rest = relativeTo(file, dir);
      const slash = rest.indexOf('/');
      if (slash === -1) {
        entries.set(file, { path: file, type: 'file', size: Buffer.byteLength(content) });
      } else {
        const child = joinPath(dir, rest.slice(0, slash));
        entries.set(child, { path: child, type: 'dir' });
      }
    }
    return [...entries.values()].sort((a, b) => byCodePoint(a.path, b.path));
  }

  async readFile(path: string): Promise<string> {
    const file = normalizePath(path);
    const content = this.files.get(file);
    if (content !== undefined) return content;
    if (this.kind(file) === 'dir') throw new IsADirectoryError(displayPath(file));
    throw new FileNotFoundError(displayPath(file));
  }

  async writeFile(path: string, content: string): Promise<void> {
    this.put(path, content);
  }

  async exists(path: string): Promise<boolean> {
    return this.kind(normalizePath(path)) !== undefined;
  }

  async delete(path: string): Promise<boolean> {
    const file = normalizePath(path);
    if (this.kind(file) === 'dir') throw new IsADirectoryError(displayPath(file));
    return this.files.delete(file);
  }

  async stat(path: string): Promise<FileInfo> {
    const file = normalizePath(path);
    const content = this.files.get(file);
    if (content !== undefined) return { path: file, type: 'file', size: Buffer.byteLength(content) };
    if (this.kind(file) === 'dir') return { path: file, type: 'dir' };
    throw new FileNotFoundError(displayPath(file));
  }

  async readRange(path: string, start: number, length: number): Promise<Uint8Array> {
    const file = normalizePath(path);
    const content = await this.readFile(file);
    if (this.encoded?.path !== file || this.encoded.content !== content) this.encoded = { path: file, content, bytes: Buffer.from(content) };
    return this.encoded.bytes.subarray(start, start + length);
  }

  async glob(pattern: string, path?: string, options?: GlobOptions): Promise<string[]> {
    return globFiles(this.search, pattern, path, { ...this.searchSettings, ripgrep: false }, options?.signal);
  }

  async grep(pattern: string, options?: GrepOptions): Promise<GrepMatch[]> {
    return grepFiles(this.search, pattern, options, { ...this.searchSettings, ripgrep: false });
  }

  private put(path: string, content: string): void {
    const file = normalizePath(path);
    if (file === ROOT || this.kind(file) === 'dir') throw new IsADirectoryError(displayPath(file));
    const fileInTheWay = ancestorsOf(file).find((ancestor) => this.files.has(ancestor));
    if (fileInTheWay !== undefined) throw new NotADirectoryError(fileInTheWay);
    this.files.set(file, content);
  }

  private kind(path: string): 'file' | 'dir' | undefined {
    if (this.files.has(path)) return 'file';
    if (path === ROOT) return 'dir';
    for (const file of this.files.keys()) if (file.startsWith(`${path}/`)) return 'dir';
    return undefined;
  }

  private requireDirectory(dir: string): void {
    const kind = this.kind(dir);
    if (kind === undefined) throw new FileNotFoundError(displayPath(dir));
    if (kind === 'file') throw new NotADirectoryError(dir);
  }

  /** The directories between `dir` and the file, checked as a disk walk from `dir` would check them. */
  private underSkippedDir(file: string, dir: string, skipDir: (dirPath: string) => boolean): boolean {
    return ancestorsOf(file).some((ancestor) => ancestor !== dir && isWithin(ancestor, dir) && skipDir(ancestor));
  }
}
