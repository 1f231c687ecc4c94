export * from './types';
export { normalizePath, displayPath } from './paths';
export { StateBackend } from './state';
export { FilesystemBackend, type FilesystemBackendOptions } from './filesystem';
export { DEFAULT_MAX_GREP_RESULTS, MAX_GREP_FILE_BYTES, SKIPPED_DIRS, splitLines } from './search';
