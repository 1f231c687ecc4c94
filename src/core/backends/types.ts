/** Where file tools read and write. Paths are relative to the backend's root, with '/' separators. */

export interface FileInfo {
  /** Relative to the root, '/'-separated. */
  path: string;
  type: 'file' | 'dir';
  size?: number;
  modifiedMs?: number;
}

export interface GrepMatch {
  path: string;
  /** 1-based. */
  line: number;
  /** The whole line, without its line ending. */
  text: string;
}

export interface GrepOptions {
  /** Directory (or single file) to search under (default: the root). */
  path?: string;
  /** Only files whose path matches this glob; a glob without '/' matches the file name ("*.ts"). */
  glob?: string;
  ignoreCase?: boolean;
  /** Treat the pattern as a literal string rather than a regular expression. */
  literal?: boolean;
  /** Stop after this many matches (default 200). */
  maxResults?: number;
  /** Stops the search (a cancelled run); it then rejects with the signal's reason. */
  signal?: AbortSignal;
}

export interface GlobOptions {
  /** Stops the search (a cancelled run); it then rejects with the signal's reason. */
  signal?: AbortSignal;
}

/** How searches run; every backend takes these. */
export interface SearchSettings {
  /** A grep or glob still running after this many ms ends with SearchTimeoutError (default 10,000). */
  timeoutMs?: number;
  /**
   * For files on disk, grep runs ripgrep: this executable, or by default `rg` from the PATH when there is one.
   * false: never; JavaScript matches in a worker thread instead.
   */
  ripgrep?: string | false;
}

/**
 * Every method takes root-relative paths: '' or '.' is the root and a leading '/' means the root too.
 * Paths that leave the root are refused with PathEscapeError; missing paths give FileNotFoundError.
 */
export interface FileBackend {
  /** For prompts and messages, e.g. "filesystem at /home/me/project". */
  readonly description: string;
  /** The absolute directory on disk the paths are relative to, when there is one; recorded with a run so a resume works there again. */
  readonly root?: string;
  /** One directory's entries, sorted by name. */
  ls(path: string): Promise<FileInfo[]>;
  readFile(path: string): Promise<string>;
  /** Creates or overwrites the file, creating parent directories. */
  writeFile(path: string, content: string): Promise<void>;
  exists(path: string): Promise<boolean>;
  /** Removes a file (not a directory); false when there was none. Used to restore a checkpoint. */
  delete(path: string): Promise<boolean>;
  /**
   * Files under `path` (default: the root) whose path relative to `path` matches; root-relative, sorted.
   * Matching runs off the main thread; past the deadline it rejects with SearchTimeoutError.
   */
  glob(pattern: string, path?: string, options?: GlobOptions): Promise<string[]>;
  /** Matching lines, sorted by path then line. Off the main thread, with a deadline, like glob. */
  grep(pattern: string, options?: GrepOptions): Promise<GrepMatch[]>;
  /** The file or directory at `path` (files with their size in bytes). Optional: read_file then reads whole files. */
  stat?(path: string): Promise<FileInfo>;
  /** Up to `length` bytes of a file from byte `start` (fewer at its end), without reading the rest. Optional, like stat. */
  readRange?(path: string, start: number, length: number): Promise<Uint8Array>;
}

/** A path that would resolve outside the backend's root. */
export class PathEscapeError extends Error {
  constructor(readonly path: string, reason: string) {
    super(`path "${path}" is outside the workspace root: ${reason}`);
    this.name = 'PathEscapeError';
  }
}

/** A path that does not exist. */
export class FileNotFoundError extends Error {
  constructor(readonly path: string) {
    super(`no such file or directory: "${path}"`);
    this.name = 'FileNotFoundError';
  }
}

/** A file operation on a directory, e.g. readFile("src"). */
export class IsADirectoryError extends Error {
  constructor(readonly path: string) {
    super(`"${path}" is a directory, not a file`);
    this.name = 'IsADirectoryError';
  }
}

/** A directory operation on a file, e.g. ls("a.ts"), or writing "a.ts/b" when "a.ts" is a file. */
export class NotADirectoryError extends Error {
  constructor(readonly path: string) {
    super(`"${path}" is a file, not a directory`);
    this.name = 'NotADirectoryError';
  }
}

/** readFile of a file that is not text (it has NUL bytes). */
export class BinaryFileError extends Error {
  constructor(readonly path: string) {
    super(`"${path}" is a binary file; only text files can be read`);
    this.name = 'BinaryFileError';
  }
}

/** A grep or glob that did not finish within its deadline; the message says what to change. */
export class SearchTimeoutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SearchTimeoutError';
  }
}

/** A grep pattern that is not a valid JavaScript regular expression. */
export class InvalidPatternError extends Error {
  constructor(readonly pattern: string, reason: string) {
    super(`invalid regular expression "${pattern}": ${reason}`);
    this.name = 'InvalidPatternError';
  }
}
