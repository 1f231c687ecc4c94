// Bundles the CLI, the extension, the panel's front end and the library into dist/ (or --outdir DIR),
// and writes the library's type declarations (tsconfig.lib.json) beside it.
const esbuild = require('esbuild');
const { spawn } = require('node:child_process');
const { copyFileSync, mkdirSync } = require('node:fs');
const { join } = require('node:path');
const { version } = require('./package.json');

const watch = process.argv.includes('--watch');
const outdirAt = process.argv.indexOf('--outdir');
const out = outdirAt === -1 ? 'dist' : process.argv[outdirAt + 1];
if (!out) {
  console.error('esbuild: --outdir needs a directory');
  process.exit(2);
}

/** LanceDB's native binary (a platform package holding a .node file) is loaded from node_modules at run time. */
const native = ['@lancedb/lancedb-*'];
/** @type {import('esbuild').BuildOptions} */
const node = { bundle: true, platform: 'node', target: 'node20', format: 'cjs', sourcemap: true, logLevel: 'warning', external: native };
/**
 * The library: one CommonJS file that `require` and `import` both load (esbuild lists its export
 * names for Node's ES module loader), so a program that uses both gets one copy of every class.
 * Dependencies stay npm dependencies. The search worker sits beside it, where offThread.ts looks.
 */
const library = { ...node, sourcemap: false, packages: 'external' };

/** @type {import('esbuild').BuildOptions[]} */
const builds = [
  {
    ...node,
    entryPoints: ['src/cli/main.ts'],
    outfile: join(out, 'cli.js'),
    banner: { js: '#!/usr/bin/env node' },
    define: { PACKAGE_VERSION: JSON.stringify(version) },
  },
  // `vscode` is provided by the editor at run time. extension.js stays tiny; workbench.js holds the
  // rest and is required on first use (see src/extension.ts).
  { ...node, entryPoints: ['src/extension.ts'], outfile: join(out, 'extension.js'), external: ['vscode', ...native] },
  { ...node, entryPoints: ['src/vscode/workbench.ts'], outfile: join(out, 'workbench.js'), external: ['vscode', ...native] },
  // grep and glob match in a worker thread; both bundles above start it from beside themselves.
  { ...node, entryPoints: ['src/core/backends/searchWorker.ts'], outfile: join(out, 'searchWorker.js') },
  { ...library, entryPoints: ['src/core/index.ts'], outfile: join(out, 'lib', 'index.js') },
  { ...library, entryPoints: ['src/core/backends/searchWorker.ts'], outfile: join(out, 'lib', 'searchWorker.js') },
  {
    entryPoints: ['media/panel.ts'],
    outfile: join(out, 'media', 'panel.js'),
    bundle: true,
    platform: 'browser',
    target: 'es2022',
    format: 'iife',
    sourcemap: true,
    logLevel: 'warning',
  },
];

function copyStatic() {
  mkdirSync(join(out, 'media'), { recursive: true });
  copyFileSync('media/panel.css', join(out, 'media', 'panel.css'));
}

/** The library's .d.ts files, from tsc (esbuild writes no types). */
function declarations() {
  const tsc = require.resolve('typescript/bin/tsc');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [tsc, '-p', 'tsconfig.lib.json', '--outDir', join(out, 'lib', 'types')], { stdio: 'inherit' });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`tsc -p tsconfig.lib.json exited with ${code}`))));
  });
}

async function main() {
  copyStatic();
  if (watch) {
    // Types are written by a full build only; watching rebuilds the JavaScript.
    for (const build of builds) await (await esbuild.context(build)).watch();
    return;
  }
  await Promise.all([...builds.map((build) => esbuild.build(build)), declarations()]);
}

main().catch((error) => {
  console.error(`esbuild: ${error.message}`);
  process.exit(1);
});
