// Bundles the CLI (and, from the workbench issue on, the extension) into dist/.
const esbuild = require('esbuild');
const { version } = require('./package.json');

const watch = process.argv.includes('--watch');

/** @type {import('esbuild').BuildOptions} */
const cli = {
  entryPoints: ['src/cli/main.ts'],
  outfile: 'dist/cli.js',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  banner: { js: '#!/usr/bin/env node' },
  define: { PACKAGE_VERSION: JSON.stringify(version) },
  logLevel: 'warning',
};

async function main() {
  if (watch) {
    const ctx = await esbuild.context(cli);
    await ctx.watch();
    return;
  }
  await esbuild.build(cli);
}

main().catch((error) => {
  console.error(`esbuild: ${error.message}`);
  process.exit(1);
});
