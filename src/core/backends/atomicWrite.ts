/** Writes a file so that readers (and a crash) see either the old content or the new, never half of it. */
import { randomBytes } from 'node:crypto';
import { open, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { isProcessAlive } from '../liveProcess';

/** Marks our temp files, so a leftover from a killed process is recognisable. */
const TEMP_FILE_SUFFIX = '.dawtmp';

/** A temp file a killed process left behind mid-write: never shown to the model as a workspace file. */
export const isLeftoverTempFile = (name: string) => name.startsWith('.') && name.endsWith(TEMP_FILE_SUFFIX);

/** No write takes this long: a temp file this old is a leftover whoever wrote it. */
export const STALE_TEMP_FILE_MS = 60 * 60 * 1000;

/**
 * Writes to a temp file in the target's directory (same filesystem, so rename is atomic), flushes it
 * to disk, then renames it over the target. `mode` keeps an existing file's permissions.
 */
export async function writeFileAtomically(target: string, content: string, mode?: number): Promise<void> {
  // The writer's pid tells a leftover from a live write; the random part keeps concurrent writers apart.
  const temp = join(dirname(target), `.${basename(target)}.${process.pid}-${randomBytes(6).toString('hex')}${TEMP_FILE_SUFFIX}`);
  try {
    const handle = await open(temp, 'wx', mode ?? 0o666);
    try {
      await handle.writeFile(content, 'utf8');
      // open()'s mode is reduced by the umask; an existing file's mode must be kept exactly.
      if (mode !== undefined) await handle.chmod(mode);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, target);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/**
 * Deletes the temp files in `dir` that no live write holds: their writer's process is gone, or
 * they are older than STALE_TEMP_FILE_MS (names without a pid, from before pids were in them, go by
 * age alone). Returns the names deleted; a file that cannot be looked at is left alone.
 */
export async function removeStaleTempFiles(dir: string, now = Date.now()): Promise<string[]> {
  const names = (await readdir(dir).catch(() => [])).filter(isLeftoverTempFile);
  const removed: string[] = [];
  for (const name of names) {
    const path = join(dir, name);
    const modified = await stat(path).then((s) => s.mtimeMs, () => undefined);
    if (modified === undefined) continue;
    const pid = writerPid(name);
    if (now - modified < STALE_TEMP_FILE_MS && (pid === undefined || pid === process.pid || isProcessAlive(pid))) continue;
    await rm(path, { force: true }).then(() => removed.push(name), () => undefined);
  }
  return removed;
}

/** The pid in `.<name>.<pid>-<random>.dawtmp`. */
function writerPid(name: string): number | undefined {
  const match = /\.(\d+)-[0-9a-f]{12}\.dawtmp$/.exec(name);
  return match ? Number(match[1]) : undefined;
}
