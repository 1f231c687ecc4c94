/** Writes a file so that readers (and a crash) see either the old content or the new, never half of it. */
import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Marks our temp files, so a leftover from a killed process is recognisable. */
export const TEMP_FILE_SUFFIX = '.dawtmp';

/** A temp file a killed process left behind mid-write: never shown to the model as a workspace file. */
export const isLeftoverTempFile = (name: string) => name.startsWith('.') && name.endsWith(TEMP_FILE_SUFFIX);

/**
 * Writes to a temp file in the target's directory (same filesystem, so rename is atomic), flushes it
 * to disk, then renames it over the target. `mode` keeps an existing file's permissions.
 */
export async function writeFileAtomically(target: string, content: string, mode?: number): Promise<void> {
  // The random part only keeps concurrent writers apart; it never reaches a run's events.
  const temp = join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}${TEMP_FILE_SUFFIX}`);
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
