/** The ripgrep VS Code ships for its own search: grep uses it, so the extension brings no rg of its own. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** Where an editor installed at `appRoot` (vscode.env.appRoot) keeps ripgrep; desktop builds unpack it from the asar. */
export function ripgrepUnder(appRoot: string): string | undefined {
  const exe = process.platform === 'win32' ? 'rg.exe' : 'rg';
  return ['node_modules', 'node_modules.asar.unpacked']
    .map((modules) => join(appRoot, modules, '@vscode', 'ripgrep', 'bin', exe))
    .find((candidate) => existsSync(candidate));
}
