/**
 * The extension's tests inside desktop VS Code, through @vscode/test-electron. It downloads a VS Code
 * build, which machines without internet access (like this project's CI) cannot; there the same
 * behaviour is covered by test/e2e in code-server. Run with: npm run test:integration
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { runTests } from '@vscode/test-electron';

async function main(): Promise<void> {
  const root = resolve(__dirname, '..', '..');
  const out = join(root, '.tmp', 'integration');
  // The suite runs in VS Code's extension host, so it is bundled like the extension.
  await build({ entryPoints: [join(__dirname, 'suite', 'index.ts')], outfile: join(out, 'index.js'), bundle: true, platform: 'node', format: 'cjs', external: ['vscode', '@lancedb/lancedb-*'] });
  const workspace = mkdtempSync(join(tmpdir(), 'deep-agent-integration-'));
  mkdirSync(join(workspace, 'src'));
  writeFileSync(join(workspace, 'src', 'a.txt'), 'alpha\n');
  await runTests({
    version: '1.100.3',
    extensionDevelopmentPath: root,
    extensionTestsPath: join(out, 'index.js'),
    launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust'],
  });
}

main().catch((error: unknown) => {
  console.error(`integration tests: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
