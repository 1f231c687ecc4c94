/**
 * Child runs in a real VS Code. A parent run starts two graph tasks through the core's child-run API,
 * each journaled on its own; it is killed with SIGKILL while task B streams and resumed (as the CLI
 * would run it, into the workspace's .deep-agent/runs, which the workbench brings in at start-up).
 * The Runs view nests both tasks under the parent; the panel shows them inside the parent's
 * transcript, and one of them on its own.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { childRunId } from '../../src/core';
import { graphTaskScript, parentAnswer, parentPrompt, runGraphTaskParent, taskPrompts } from '../support/graphTask';
import { bundleGraphTaskChild, runUntilTaskBStreams } from '../support/graphTaskCrash';
import { startScriptedServer } from '../support/scriptedServer';
import { openWorkbench, showRunsView, type Workbench } from './workbench';

const shotsDir = resolve(process.env.E2E_SHOTS_DIR ?? join(__dirname, '..', '..', '.tmp', 'e2e-shots'));

let vscode: Workbench;
let parentRunId = '';

/** Journals of the killed and resumed run, by file name. */
async function killedAndResumedRun(): Promise<Record<string, string>> {
  const dir = await mkdtemp(join(tmpdir(), 'runs-tree-'));
  const server = await startScriptedServer(graphTaskScript(20));
  const child = await bundleGraphTaskChild();
  try {
    const checkpointDir = join(dir, 'runs');
    ({ parentRunId } = await runUntilTaskBStreams(child.script, [server.url, dir, checkpointDir]));
    const result = await runGraphTaskParent({ serverUrl: server.url, workspace: dir, checkpointDir, resume: parentRunId });
    assert.equal(result.output, parentAnswer, 'the resumed run finished');
    const files: Record<string, string> = {};
    for (const name of await readdir(checkpointDir)) if (name.endsWith('.jsonl')) files[`.deep-agent/runs/${name}`] = await readFile(join(checkpointDir, name), 'utf8');
    assert.equal(Object.keys(files).length, 3, 'the parent and its two tasks');
    return files;
  } finally {
    await child.dispose();
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
}

before(async () => {
  vscode = await openWorkbench({ files: { 'README.md': '# nested runs\n', ...(await killedAndResumedRun()) }, settings: {}, shotsDir });
});

after(async () => {
  await vscode?.close();
});

test('graph tasks journaled on their own, killed and resumed with their parent, nest under it in the Runs view', async () => {
  const { page } = vscode;
  const rows = await showRunsView(page);
  const parent = rows.filter({ hasText: parentPrompt });
  // The workbench brings the CLI's journals in one by one: the parent turns collapsible once its children are in.
  await page.locator('.part.sidebar .monaco-list-row[aria-expanded]', { hasText: parentPrompt }).waitFor({ timeout: 30_000 });
  for (const prompt of Object.values(taskPrompts)) assert.equal(await rows.filter({ hasText: prompt }).count(), 0, `${prompt} is not a top-level row`);
  assert.equal(await parent.getAttribute('aria-expanded'), 'false');
  assert.match(await parent.innerText(), /completed/);
  await parent.locator('.monaco-tl-twistie').click();
  for (const prompt of Object.values(taskPrompts)) {
    const child = rows.filter({ hasText: prompt });
    await child.waitFor({ timeout: 30_000 });
    assert.equal(await child.getAttribute('aria-level'), '2', `${prompt} is nested`);
    assert.match(await child.innerText(), /completed/);
  }
  await vscode.shot('r1-nested-graph-tasks');
});

test('the panel shows the graph tasks inside their parent, and a task on its own', async () => {
  const { page } = vscode;
  const rows = await showRunsView(page);
  await rows.filter({ hasText: parentPrompt }).click();
  const panel = vscode.panel();
  const tasks = panel.locator('section.graph-task');
  await tasks.first().waitFor({ timeout: 30_000 });
  assert.equal(await tasks.count(), 2);
  assert.match(await tasks.nth(0).innerText(), /worker · task a[\s\S]*A: three sources found\./);
  assert.match(await tasks.nth(1).innerText(), /worker · task b[\s\S]*b29/);
  await panel.locator('.end.completed').waitFor();
  await vscode.shot('r2-panel-graph-tasks');

  await tasks.nth(1).locator('button.open-run').click();
  await panel.locator('.user', { hasText: taskPrompts.b }).waitFor({ timeout: 30_000 });
  assert.equal(await panel.locator('section.graph-task').count(), 0, 'task B shown on its own');
  assert.ok(childRunId(parentRunId, { kind: 'graph_task', id: 'b' }));
  await vscode.shot('r3-panel-task-on-its-own');
});
