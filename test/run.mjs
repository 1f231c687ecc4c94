// `npm test`: installs dependencies when they are missing, type-checks, then runs every test suite
// with Node's test runner (TypeScript through tsx). `node test/run.mjs unit` runs only the unit suites;
// `node test/run.mjs e2e` only the end-to-end suite in a real VS Code (code-server + chromium).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const suites = { unit: ['test/architecture', 'test/core', 'test/cli', 'test/docs', 'test/lib', 'test/media', 'test/vscode'], e2e: ['test/e2e'] };
const only = process.argv[2];
const roots = only ? suites[only] : Object.values(suites).flat();
if (!roots) {
  console.error(`test/run.mjs: unknown suite "${only}" (known: ${Object.keys(suites).join(', ')})`);
  process.exit(2);
}

const run = (command, args) => {
  const result = spawnSync(command, args, { stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
};

if (!existsSync('node_modules/tsx')) {
  console.log('test/run.mjs: dependencies are missing; running npm ci first');
  run('npm', ['ci', '--no-audit', '--no-fund']);
}
run(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json']);
run(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'media/tsconfig.json']);

if (roots.includes('test/e2e')) {
  // Installs chromium and code-server once (kept under ~/.cache), then builds what VS Code loads.
  run('bash', ['test/e2e/installCodeServer.sh']);
  run(process.execPath, ['esbuild.js']);
}

const find = (dir) =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return find(path);
    return name.endsWith('.test.ts') ? [path] : [];
  });
const files = roots.flatMap(find).sort();
if (files.length === 0) {
  console.error('test/run.mjs: no test files found');
  process.exit(1);
}
run(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=2', ...files]);
