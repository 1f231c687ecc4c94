// Bundles the CLI, the extension and the panel's front end into dist/.
const esbuild = require('esbuild');
const { copyFileSync, mkdirSync } = require('node:fs');
const { version } = require('./package.json');

const watch = process.argv.includes('--watch');

/** @type {import('esbuild').BuildOptions} */
const node = { bundle: true, platform: 'node', target: 'node20', format: 'cjs', sourcemap: true, logLevel: 'warning' };

/** @type {import('esbuild').BuildOptions[]} */
const builds = [
  {
    ...node,
    entryPoints: ['src/cli/main.ts'],
    outfile: 'dist/cli.js',
    banner: { js: '#!/usr/bin/env node' },
    define: { PACKAGE_VERSION: JSON.stringify(version) },
  },
  // `vscode` is provided by the editor at run time. extension.js stays tiny; workbench.js holds the
  // rest and is required on first use (see src/extension.ts).
  { ...node, entryPoints: ['src/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'] },
  { ...node, entryPoints: ['src/vscode/workbench.ts'], outfile: 'dist/workbench.js', external: ['vscode'] },
  // grep and glob match in a worker thread; both bundles above start it from beside themselves.
  { ...node, entryPoints: ['src/core/backends/searchWorker.ts'], outfile: 'dist/searchWorker.js' },
  {
    entryPoints: ['media/panel.ts'],
    outfile: 'dist/media/panel.js',
    bundle: true,
    platform: 'browser',
    target: 'es2022',
    format: 'iife',
    sourcemap: true,
    logLevel: 'warning',
  },
];

function copyStatic() {
  mkdirSync('dist/media', { recursive: true });
  copyFileSync('media/panel.css', 'dist/media/panel.css');
}

async function main() {
  copyStatic();
  if (watch) {
    for (const build of builds) await (await esbuild.context(build)).watch();
    return;
  }
  await Promise.all(builds.map((build) => esbuild.build(build)));
}

main().catch((error) => {
  console.error(`esbuild: ${error.message}`);
  process.exit(1);
});
