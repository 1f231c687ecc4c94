/**
 * End to end in a real VS Code: run a task from the command palette against a scripted
 * OpenAI-compatible server, watch it stream in the panel, approve a write, reload the window
 * and find the transcript and the run again. Screenshots of each stage go to the printed folder.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { startScriptedServer, type ScriptedServer } from '../support/scriptedServer';
import { answerInputBox, openWorkbench, type Workbench } from './workbench';

const shotsDir = resolve(process.env.E2E_SHOTS_DIR ?? join(__dirname, '..', '..', '.tmp', 'e2e-shots'));

let server: ScriptedServer;
let vscode: Workbench;

before(async () => {
  server = await startScriptedServer((body) => {
    const turn = body.messages.filter((m) => m.role === 'assistant').length;
    return [
      { text: 'Planning the notes.', toolCalls: [{ name: 'write_todos', arguments: { todos: [{ content: 'Write NOTES.md', status: 'in_progress' }] } }] },
      { text: ['Writing ', 'the file ', 'now.'], toolCalls: [{ name: 'write_file', arguments: { path: 'NOTES.md', content: '# Notes\n\nWritten by the agent.\n' } }] },
      { text: ['All ', 'done: ', 'NOTES.md is written.'] },
    ][turn] ?? { text: 'nothing more' };
  });
  vscode = await openWorkbench({
    files: { 'README.md': '# demo workspace\n' },
    settings: { 'deepAgent.baseUrl': server.url, 'deepAgent.model': 'scripted-model', 'deepAgent.approvalPolicy': 'ask-for-writes' },
    shotsDir,
  });
  console.log(`e2e screenshots: ${shotsDir}`);
});

after(async () => {
  await vscode?.close();
  await server?.close();
});

test('a task runs from the command palette, streams into the panel, and a write waits for approval', async () => {
  await vscode.runCommand('Deep Agent: Run Task');
  await answerInputBox(vscode.page, 'Write NOTES.md with a title');
  const panel = vscode.panel();
  await panel.locator('.user', { hasText: 'Write NOTES.md with a title' }).waitFor({ timeout: 30_000 });
  await panel.locator('.assistant', { hasText: 'Writing the file now.' }).waitFor();
  await panel.locator('.todos li.in_progress', { hasText: 'Write NOTES.md' }).waitFor();
  await panel.locator('details.tool summary', { hasText: 'write_file' }).waitFor();
  await panel.locator('.approval.pending').waitFor();
  assert.equal(existsSync(join(vscode.workspace, 'NOTES.md')), false, 'nothing is written before approval');
  await vscode.shot('1-approval-pending');

  await panel.locator('.approval button.approve').click();
  await panel.locator('.end.completed').waitFor({ timeout: 30_000 });
  assert.equal(readFileSync(join(vscode.workspace, 'NOTES.md'), 'utf8'), '# Notes\n\nWritten by the agent.\n');
  await panel.locator('.assistant', { hasText: 'All done: NOTES.md is written.' }).waitFor();
  await vscode.shot('2-completed');
});

test('after a window reload the run is in the Runs view and its transcript is restored', async () => {
  await vscode.reload();
  const runsIcon = vscode.page.locator('.activitybar .action-item:has(a[aria-label^="Deep Agent"])');
  if (!/\bchecked\b/.test((await runsIcon.getAttribute('class')) ?? '')) await runsIcon.click();
  const run = vscode.page.locator('.part.sidebar .monaco-list-row', { hasText: 'Write NOTES.md with a title' });
  await run.waitFor({ timeout: 30_000 });
  assert.match(await run.innerText(), /completed/);
  await vscode.shot('3-runs-view-after-reload');

  await run.click();
  const panel = vscode.panel();
  await panel.locator('.user', { hasText: 'Write NOTES.md with a title' }).waitFor({ timeout: 30_000 });
  await panel.locator('.assistant', { hasText: 'All done: NOTES.md is written.' }).waitFor();
  await panel.locator('.end.completed').waitFor();
  await vscode.shot('4-transcript-restored');
});
