/** The packaged VSIX installs into a real VS Code and works without the working tree. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { openWorkbench } from './workbench';

const root = resolve(__dirname, '..', '..');

test('npm run package makes a VSIX that installs and opens the panel', async (t) => {
  const vsix = join(mkdtempSync(join(tmpdir(), 'vsix-')), 'deep-agent-workbench.vsix');
  execFileSync(process.execPath, [join(root, 'node_modules/@vscode/vsce/vsce'), 'package', '--no-dependencies', '--allow-missing-repository', '-o', vsix], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const size = statSync(vsix).size;
  assert.ok(size < 5 * 1024 * 1024, `VSIX of ${size} bytes: sources or node_modules leaked into it`);
  const vscode = await openWorkbench({ files: { 'README.md': '# x\n' }, settings: {}, shotsDir: join(root, '.tmp', 'e2e-shots'), vsix });
  t.after(() => vscode.close());
  await vscode.runCommand('Deep Agent: Open Panel');
  // Nothing is configured, so the panel says how to configure a model.
  await vscode.panel().locator('.notice button', { hasText: 'Configure Model' }).waitFor({ timeout: 30_000 });
  await vscode.shot('7-installed-vsix-no-model');
});
