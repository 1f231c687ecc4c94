/**
 * Every write a tool makes through the file backend is announced as a `file_change` event, with
 * the content before and after, and made durable before the write happens. That record lets a
 * user restore the workspace to any checkpoint, and lets resume tell whether a write took effect.
 */
import { BinaryFileError, type FileBackend } from '../backends/types';
import { ToolError } from '../tools/types';

type AnnounceChange = (path: string, before: string | null, after: string) => Promise<void>;

export function recordingChanges(backend: FileBackend, announce: AnnounceChange): FileBackend {
  return {
    get description() {
      return backend.description;
    },
    ls: (path) => backend.ls(path),
    readFile: (path) => backend.readFile(path),
    exists: (path) => backend.exists(path),
    glob: (pattern, path, options) => backend.glob(pattern, path, options),
    grep: (pattern, options) => backend.grep(pattern, options),
    ...(backend.stat && { stat: (path: string) => backend.stat!(path) }),
    ...(backend.readRange && { readRange: (path: string, start: number, length: number) => backend.readRange!(path, start, length) }),
    delete: (path) => backend.delete(path),
    async writeFile(path, content) {
      await announce(path, await contentBefore(backend, path), content);
      await backend.writeFile(path, content);
    },
  };
}

async function contentBefore(backend: FileBackend, path: string): Promise<string | null> {
  if (!(await backend.exists(path))) return null;
  try {
    return await backend.readFile(path);
  } catch (error) {
    // What cannot be recorded could not be restored: refuse rather than lose the file.
    if (error instanceof BinaryFileError) throw new ToolError(`"${path}" is a binary file; overwriting it could not be undone, so it was left alone`);
    throw error;
  }
}
