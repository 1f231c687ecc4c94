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
  text: string;
}

export interface GrepOptions {
  /** Directory to search under (default: the root). */
  path?: string;
  /** Only files whose path matches this glob. */
  glob?: string;
  ignoreCase?: boolean;
  /** Treat the pattern as a literal string rather than a regular expression. */
  literal?: boolean;
  maxResults?: number;
}

export interface FileBackend {
  /** For prompts and messages, e.g. "filesystem at /home/me/project". */
  readonly description: string;
  ls(path: string): Promise<FileInfo[]>;
  readFile(path: string): Promise<string>;
  writeFile(path: string, content: string): Promise<void>;
  exists(path: string): Promise<boolean>;
  glob(pattern: string, path?: string): Promise<string[]>;
  grep(pattern: string, options?: GrepOptions): Promise<GrepMatch[]>;
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
