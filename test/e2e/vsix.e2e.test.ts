/**
 * `npm run package` makes this platform's VSIX (scripts/package.mjs), once for the file: it holds the
 * bundles and memory's native parts and nothing else, those parts load from the unzipped VSIX away
 * from the working tree, and it installs into a real VS Code and works without the working tree:
 * the panel opens, and memory keeps a memory in LanceDB and embeds it with a local model (onnxruntime).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { writeTinyBert } from '../support/tinyBert';
import { TINY_MODEL_ID, tinyModelFolder } from '../support/tinyModelFolder';
import { openWorkbench, pickQuickItem, showView, type Workbench } from './workbench';

const root = resolve(__dirname, '..', '..');
const target = `${process.platform}-${process.arch}`;
/** Outside the repository, so its node_modules is not on Node's resolution path. */
const scratch = mkdtempSync(join(tmpdir(), 'vsix-'));
const vsix = join(scratch, `deep-agent-workbench-${target}.vsix`);
const unzipped = join(scratch, 'unzipped');
/** The model the extension asks for by default, generated tiny: loading it needs onnxruntime. */
const defaultModel = 'Xenova/all-MiniLM-L6-v2';
const fact = 'Deploys go out on Fridays with blue-green releases.';
let vscode: Workbench | undefined;
after(async () => {
  await vscode?.close();
  rmSync(scratch, { recursive: true, force: true });
});

before(() => {
  const started = Date.now();
  execFileSync(process.execPath, [join(root, 'scripts', 'package.mjs'), '--out', vsix], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  console.log(JSON.stringify({ vsix: target, bytes: statSync(vsix).size, packagingMs: Date.now() - started }));
  execFileSync('unzip', ['-q', vsix, '-d', unzipped]);
});

test('the VSIX holds the bundles and only this platform\'s native parts of memory', () => {
  const files = execFileSync('unzip', ['-Z1', vsix], { encoding: 'utf8' }).trim().split('\n');
  const allowed = [
    /^extension\.vsixmanifest$/,
    /^\[Content_Types\]\.xml$/,
    /^extension\/(package\.json|readme\.md|changelog\.md|LICENSE\.txt)$/,
    /^extension\/media\/[^/]+$/,
    /^extension\/dist\/(extension|workbench|searchWorker|embeddingWorker)\.js$/,
    /^extension\/dist\/media\/panel\.(js|css)$/,
    /^extension\/dist\/node_modules\/@lancedb\/lancedb-[^/]+\/(package\.json|[^/]+\.node)$/,
    /^extension\/dist\/node_modules\/onnxruntime-(node|common)\/package\.json$/,
    /^extension\/dist\/node_modules\/onnxruntime-node\/dist\/[^/]+\.js$/,
    /^extension\/dist\/node_modules\/onnxruntime-common\/dist\/cjs\/[^/]+\.js(on)?$/,
    new RegExp(`^extension/dist/node_modules/onnxruntime-node/bin/napi-v3/${process.platform}/${process.arch}/[^/]+$`),
  ];
  assert.deepEqual(files.filter((file) => !allowed.some((pattern) => pattern.test(file))), []);
  assert.ok(files.some((file) => /^extension\/dist\/node_modules\/@lancedb\/lancedb-[^/]+\/[^/]+\.node$/.test(file)), 'LanceDB\'s binary is missing');
  assert.ok(files.some((file) => /onnxruntime-node\/bin\/.*onnxruntime_binding\.node$/.test(file)), 'onnxruntime\'s binding is missing');
  const manifest = execFileSync('unzip', ['-p', vsix, 'extension.vsixmanifest'], { encoding: 'utf8' });
  assert.match(manifest, new RegExp(`TargetPlatform="${target}"`));
});

test('LanceDB and onnxruntime load from the unzipped VSIX outside the repository', () => {
  const model = tinyModelFolder();
  const lance = join(scratch, 'lance');
  const env = { ...process.env };
  delete env.NODE_PATH;
  const output = execFileSync(process.execPath, [join(root, 'test', 'support', 'vsixNativeProbe.cjs'), join(unzipped, 'extension'), model, TINY_MODEL_ID, lance], {
    cwd: unzipped,
    env,
    encoding: 'utf8',
  });
  const probe = JSON.parse(output) as { resolved: Record<string, string>; tables: string[]; embedding: { dimension?: number; norms?: number[]; error?: string } };
  for (const [part, file] of Object.entries(probe.resolved)) assert.ok(file.startsWith(join(unzipped, 'extension', 'dist', 'node_modules')), `${part} resolved to ${file}`);
  assert.deepEqual(probe.tables, []);
  assert.equal(probe.embedding.error, undefined);
  assert.equal(probe.embedding.dimension, 64);
  for (const norm of probe.embedding.norms!) assert.ok(Math.abs(norm - 1) < 1e-6, `embedding of length ${norm}`);
});

test('the installed VSIX opens the panel', async () => {
  const models = join(scratch, 'models');
  writeTinyBert(models, defaultModel);
  vscode = await openWorkbench({
    files: { 'NOTES.md': `${fact}\n` },
    settings: { 'deepAgent.memory.enabled': true, 'deepAgent.memory.embedder': 'transformers', 'deepAgent.memory.modelPath': models },
    shotsDir: join(root, '.tmp', 'e2e-shots'),
    vsix,
  });
  await vscode.runCommand('Deep Agent: Open Panel');
  // No chat model is configured, so the panel says how to configure one.
  await vscode.panel().locator('.notice button', { hasText: 'Configure Model' }).waitFor({ timeout: 30_000 });
  await vscode.shot('7-installed-vsix-no-model');
});

test('the installed VSIX keeps a memory in LanceDB, embedded by the local model', async () => {
  const { page } = vscode!;
  await vscode!.runCommand('Go to File...');
  await page.locator('.quick-input-widget .quick-input-box input').fill('NOTES.md');
  await pickQuickItem(page, 'NOTES.md');
  const lines = page.locator('.editor-group-container.active .monaco-editor .view-lines');
  await lines.filter({ hasText: 'blue-green' }).waitFor();
  await lines.click();
  await page.keyboard.press('Control+A');
  await vscode!.runCommand('Deep Agent: Add Memory');
  await page.locator('.notification-toast', { hasText: 'Remembered: Deploys go out on Fridays' }).waitFor({ timeout: 60_000 });

  const rows = await showView(page, 'Memory');
  // The model's name and the LanceDB store, not the keyword fallback or "could not be opened".
  const header = rows.filter({ hasText: `Embedder: ${defaultModel}` });
  await header.waitFor({ timeout: 30_000 });
  assert.match(await header.innerText(), /lancedb store/);
  assert.doesNotMatch(await header.innerText(), /keyword fallback/);
  for (const group of ['Facts (semantic)', 'This workspace']) {
    const row = rows.filter({ hasText: group }).first();
    await row.waitFor({ timeout: 30_000 });
    if ((await row.getAttribute('aria-expanded')) === 'false') await row.click();
  }
  await rows.filter({ hasText: fact }).waitFor({ timeout: 30_000 });
  await vscode!.shot('7-installed-vsix-memory');
});
