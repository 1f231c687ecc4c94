/**
 * The Runs view in a real VS Code nests a child run journaled on its own under the run that
 * started it. The journals are written as the CLI writes them, into the workspace's
 * .deep-agent/runs, which the workbench brings in at start-up (cliRuns.ts).
 */
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import type { RunEvent } from '../../src/core/events';
import { openWorkbench, showRunsView, type Workbench } from './workbench';

const shotsDir = resolve(process.env.E2E_SHOTS_DIR ?? join(__dirname, '..', '..', '.tmp', 'e2e-shots'));
const usage = { inputTokens: 100, outputTokens: 23, totalTokens: 123 };

function journal(runId: string, prompt: string, ts: number, parentRunId?: string): string {
  const events: RunEvent[] = [
    { runId, parentRunId, seq: 0, ts, type: 'run_start', data: { agentName: 'coder', prompt, model: 'm', maxIterations: 5, depth: parentRunId ? 1 : 0, ...(parentRunId ? { parent: { kind: 'tool_call', id: 'call-1' } } : {}) } as RunEvent['data'] & { agentName: string } },
    { runId, parentRunId, seq: 1, ts: ts + 1, type: 'run_end', data: { status: 'completed', output: 'done', usage, costUsd: 0.0123, steps: 1, durationMs: 1 } },
  ] as RunEvent[];
  return [JSON.stringify({ deepAgentJournal: 2, runId }), ...events.map((e) => JSON.stringify(e))].join('\n') + '\n';
}

let vscode: Workbench;

before(async () => {
  const now = Date.now();
  vscode = await openWorkbench({
    files: {
      'README.md': '# nested runs\n',
      '.deep-agent/runs/run-parent.jsonl': journal('run-parent', 'The parent task', now - 10_000),
      '.deep-agent/runs/run-child.jsonl': journal('run-child', 'The child task', now - 5_000, 'run-parent'),
    },
    settings: {},
    shotsDir,
  });
});

after(async () => {
  await vscode?.close();
});

test('a child run journaled on its own is nested under its parent in the Runs view, with its totals', async () => {
  const { page } = vscode;
  const rows = await showRunsView(page);
  const parent = rows.filter({ hasText: 'The parent task' });
  await parent.waitFor({ timeout: 30_000 });
  assert.equal(await rows.filter({ hasText: 'The child task' }).count(), 0, 'the child is not a top-level row');
  assert.equal(await parent.getAttribute('aria-expanded'), 'false');
  assert.match(await parent.innerText(), /123 tok · \$0\.0123/);
  await parent.locator('.monaco-tl-twistie').click();
  const child = rows.filter({ hasText: 'The child task' });
  await child.waitFor({ timeout: 30_000 });
  assert.equal(await child.getAttribute('aria-level'), '2');
  assert.equal(await parent.getAttribute('aria-level'), '1');
  assert.match(await child.innerText(), /completed/);
  await vscode.shot('r1-nested-child-run');
});
