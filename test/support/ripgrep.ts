/** The machine's ripgrep, which the ripgrep half of the search tests needs (.ci/run installs Debian's). */
import { execFileSync } from 'node:child_process';

export function ripgrepPath(): string {
  try {
    return execFileSync('sh', ['-c', 'command -v rg'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error('ripgrep (rg) is not on the PATH: install it (apt-get install ripgrep) to run the search tests');
  }
}
