/** The machine's ripgrep, which the ripgrep half of the search tests needs (.ci/run installs Debian's). */
import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export function ripgrepPath(): string {
  try {
    return execFileSync('sh', ['-c', 'command -v rg'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error('ripgrep (rg) is not on the PATH: install it (apt-get install ripgrep) to run the search tests');
  }
}

/**
 * A stand-in for ripgrep that never answers (a fake: real ripgrep is too fast to be caught by a
 * deadline in a test), so a test can see a search through ripgrep stopped and the process killed.
 */
export async function hangingRipgrep(dir: string): Promise<string> {
  const path = join(dir, 'hanging-rg');
  await writeFile(path, '#!/bin/sh\nexec sleep 120\n', { mode: 0o755 });
  return path;
}
