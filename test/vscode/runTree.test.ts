/** How the Runs view nests runs (runTree.ts), without VS Code. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nest } from '../../src/vscode/runTree';

const run = (runId: string, parentRunId?: string) => ({ summary: { runId }, parentRunId });
const shape = (runs: ReturnType<typeof run>[]) => {
  const { roots, children } = nest(runs);
  return { roots: roots.map((r) => r.summary.runId), children: Object.fromEntries([...children].map(([k, v]) => [k, v.map((r) => r.summary.runId)])) };
};

test('a child run goes under its listed parent; a child whose parent is gone stays at the top', () => {
  assert.deepEqual(shape([run('p'), run('c1', 'p'), run('c2', 'p'), run('g', 'c1'), run('orphan', 'deleted')]), {
    roots: ['p', 'orphan'],
    children: { p: ['c1', 'c2'], c1: ['g'] },
  });
});

test('runs whose parents lead back to themselves (damaged journals) stay in sight at the top', () => {
  assert.deepEqual(shape([run('a', 'b'), run('b', 'a'), run('self', 'self')]).roots, ['a', 'b', 'self']);
});
