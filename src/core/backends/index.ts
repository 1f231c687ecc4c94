export * from './types';
export { ancestorsOf, normalizePath, displayPath } from './paths';
export { StateBackend } from './state';
export { FilesystemBackend, type FilesystemBackendOptions } from './filesystem';
export { DEFAULT_SEARCH_TIMEOUT_MS, SKIPPED_DIRS } from './search';
export { DEFAULT_MAX_GREP_RESULTS, MAX_GREP_FILE_BYTES, splitLines } from './textSearch';
// For FileBackend implementations of their own (VS Code's workspace folders): the shared search, off the main thread.
export { globFiles, grepFiles, type SearchFile, type SearchSource } from './search';
export { looksBinary } from './textSearch';
export { readDiskRange } from './diskRange';
