/**
 * `npm run package` makes this platform's VSIX (scripts/package.mjs), once for the file: it holds the
 * bundles and memory's native parts and nothing else, those parts load from the unzipped VSIX away
 * from the working tree, and it installs into a real VS Code and works without the working tree.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { TINY_MODEL_ID, tinyModelFolder } from '../support/tinyModelFolder';
import { openWorkbench } from './workbench';

const root = resolve(__dirname, '..', '..');
const target = `${process.platform}-${process.arch}`;
/** Outside the repository, so its node_modules is not on Node's resolution path. */
const scratch = mkdtempSync(join(tmpdir(), 'vsix-'));
const vsix = join(scratch, `deep-agent-workbench-${target}.vsix`);
const unzipped = join(scratch, 'unzipped');
after(() => rmSync(scratch, { recursive: true, force: true }));

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

test('the VSIX installs into VS Code and opens the panel', async (t) => {
  const vscode = await openWorkbench({ files: { 'README.md': '# x\n' }, settings: {}, shotsDir: join(root, '.tmp', 'e2e-shots'), vsix });
  t.after(() => vscode.close());
  await vscode.runCommand('Deep Agent: Open Panel');
  // Nothing is configured, so the panel says how to configure a model.
  await vscode.panel().locator('.notice button', { hasText: 'Configure Model' }).waitFor({ timeout: 30_000 });
  await vscode.shot('7-installed-vsix-no-model');
});
