/**
 * The FileBackend contract against WorkspaceFsBackend inside a real VS Code (code-server): a
 * test-only extension (backendContract/extension.ts), loaded in place of this one, runs it in the
 * extension host over the real vscode.workspace.fs and reports each case here. The browser only
 * opens the workbench: that is what starts the extension host.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { build } from 'esbuild';
import { backendContract } from '../support/backendContract';
import { sequentialSuite } from '../support/contractSuite';
import { RESULTS_FILE, SUBJECT, type ContractReport } from './backendContract/report';
import { startCodeServer } from './codeServer';
import { openBrowser } from './workbench';

const shotsDir = resolve(join(__dirname, '..', '..', '.tmp', 'e2e-shots'));

/** The test extension, bundled with the search worker beside it (as dist/ holds it), and its manifest. */
async function bundleContractExtension(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'daw-contract-extension-'));
  const node = { bundle: true, platform: 'node', target: 'node20', format: 'cjs', logLevel: 'error' } as const;
  await Promise.all([
    build({ ...node, entryPoints: [join(__dirname, 'backendContract', 'extension.ts')], outfile: join(dir, 'extension.js'), external: ['vscode', '@lancedb/lancedb-*'] }),
    build({ ...node, entryPoints: [join(__dirname, '..', '..', 'src', 'core', 'backends', 'searchWorker.ts')], outfile: join(dir, 'searchWorker.js') }),
  ]);
  const manifest = {
    name: 'backend-contract',
    publisher: 'deep-agent-tests',
    version: '0.0.0',
    engines: { vscode: '^1.100.0' },
    main: './extension.js',
    activationEvents: ['onStartupFinished'],
  };
  writeFileSync(join(dir, 'package.json'), JSON.stringify(manifest));
  return dir;
}

/** Waits for the extension's report: it appears whole (written, then renamed). */
async function report(path: string, timeoutMs: number): Promise<ContractReport> {
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(path)) {
    if (Date.now() > deadline) throw new Error(`the contract extension wrote no ${RESULTS_FILE} within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return JSON.parse(readFileSync(path, 'utf8')) as ContractReport;
}

test('WorkspaceFsBackend keeps the FileBackend contract inside VS Code', async (t) => {
  const extension = await bundleContractExtension();
  t.after(() => rmSync(extension, { recursive: true, force: true }));
  const workspace = mkdtempSync(join(tmpdir(), 'daw-contract-workspace-'));
  const server = await startCodeServer({ workspace, settings: {}, developmentExtensions: [extension] });
  let browser: Awaited<ReturnType<typeof openBrowser>> | undefined;
  t.after(async () => {
    await browser?.close();
    server.stop();
    rmSync(workspace, { recursive: true, force: true });
  });
  browser = await openBrowser(server.url, { profileDir: join(server.scratch, 'chrome-profile'), env: server.env, shotsDir, deepAgent: false });

  const { results, error } = await report(join(workspace, RESULTS_FILE), 60_000);
  assert.equal(error, undefined, `the contract did not run: ${error}`);
  // Every case of the contract ran: none dropped on the way.
  const contract = sequentialSuite();
  backendContract(contract, SUBJECT, () => Promise.reject(new Error('only the names are wanted here')), 'ripgrep');
  assert.deepEqual(results?.map((r) => r.name), contract.names());
  const failed = results!.filter((r) => r.outcome === 'fail');
  assert.deepEqual(
    failed.map((r) => r.name),
    [],
    `WorkspaceFsBackend broke the contract in ${failed.length} of ${results!.length} cases:\n\n${failed.map((r) => `${r.name}\n${r.detail}`).join('\n\n')}`,
  );
});
