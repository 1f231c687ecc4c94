// Packages the extension for one platform: `npm run package -- --target linux-x64 [--out FILE]`
// (default target: this machine's). Memory needs two native parts at run time, which the bundles
// leave out: LanceDB's platform package (required by dist/workbench.js) and onnxruntime-node (required
// by dist/embeddingWorker.js). They are copied into dist/node_modules, where Node's resolution from
// dist/*.js finds them, for the time `vsce package --target` takes, then removed again so development
// builds keep resolving to the repository's node_modules.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = dirname(dirname(fileURLToPath(import.meta.url)));

/** vsce target → LanceDB's platform package and onnxruntime-node's binary folder (bin/napi-v3/<platform>/<arch>). */
const targets = {
  'linux-x64': { lancedb: '@lancedb/lancedb-linux-x64-gnu', onnx: 'linux/x64' },
  'linux-arm64': { lancedb: '@lancedb/lancedb-linux-arm64-gnu', onnx: 'linux/arm64' },
  'darwin-arm64': { lancedb: '@lancedb/lancedb-darwin-arm64', onnx: 'darwin/arm64' },
  'win32-x64': { lancedb: '@lancedb/lancedb-win32-x64-msvc', onnx: 'win32/x64' },
  'win32-arm64': { lancedb: '@lancedb/lancedb-win32-arm64-msvc', onnx: 'win32/arm64' },
};

function fail(message) {
  console.error(`package: ${message}`);
  process.exit(1);
}

function options() {
  try {
    return parseArgs({ options: { target: { type: 'string', default: `${process.platform}-${process.arch}` }, out: { type: 'string' } } }).values;
  } catch (error) {
    fail(`${error.message} (usage: npm run package -- [--target linux-x64] [--out FILE.vsix])`);
  }
}

/** The folder of package `name` as Node would resolve it from `from` (a folder inside node_modules or the root). */
function packageDir(name, from) {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dirname(dir) === dir) fail(`${name} is not installed (npm installs only this machine's platform packages: package on a ${values.target} machine)`);
  }
}

const values = options();
const target = targets[values.target];
if (!target) fail(`unknown target ${values.target} (supported: ${Object.keys(targets).join(', ')})`);
const out = values.out ?? join(root, `deep-agent-workbench-${values.target}.vsix`);

// Which copies the bundled code would load: found from the packages that require them.
const lancedb = packageDir(target.lancedb, packageDir('@lancedb/lancedb', root));
const onnxNode = packageDir('onnxruntime-node', packageDir('@huggingface/transformers', root));
const onnxCommon = packageDir('onnxruntime-common', onnxNode);
const binaries = join(onnxNode, 'bin', 'napi-v3', target.onnx);
if (!existsSync(binaries)) fail(`onnxruntime-node has no binaries for ${values.target} (no ${binaries})`);

const run = (file, args) => execFileSync(process.execPath, [file, ...args], { cwd: root, stdio: 'inherit' });
const staged = join(root, 'dist', 'node_modules');
const stage = (from, name, parts) => {
  for (const part of parts) cpSync(join(from, part), join(staged, name, part), { recursive: true });
};

run(join(root, 'esbuild.js'), []);
rmSync(staged, { recursive: true, force: true });
try {
  stage(lancedb, target.lancedb, readdirSync(lancedb).filter((file) => file === 'package.json' || file.endsWith('.node')));
  stage(onnxNode, 'onnxruntime-node', ['package.json', 'dist', join('bin', 'napi-v3', target.onnx)]);
  stage(onnxCommon, 'onnxruntime-common', ['package.json', join('dist', 'cjs')]);
  mkdirSync(dirname(out), { recursive: true });
  const vsce = join(packageDir('@vscode/vsce', root), 'vsce');
  run(vsce, ['package', '--target', values.target, '--no-dependencies', '--allow-missing-repository', '-o', out]);
} finally {
  rmSync(staged, { recursive: true, force: true });
}
