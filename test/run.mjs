// Runs the test suites with Node's test runner (TypeScript through tsx).
// `node test/run.mjs` runs everything; `node test/run.mjs unit` only the fast suites under test/core and test/cli.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const suites = { unit: ['test/core', 'test/cli'] };
const only = process.argv[2];
const roots = only ? suites[only] : suites.unit;
if (!roots) {
  console.error(`test/run.mjs: unknown suite "${only}" (known: ${Object.keys(suites).join(', ')})`);
  process.exit(2);
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
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=2', ...files],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);
