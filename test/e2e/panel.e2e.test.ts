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
    const task = body.messages.find((m) => m.role === 'user')!.content!;
    if (task.startsWith('Create SECRET.md')) {
      return turn === 0
        ? { toolCalls: [{ name: 'write_file', arguments: { path: 'SECRET.md', content: 'secret\n' } }] }
        : { text: `Understood. (${body.messages.at(-1)!.content})` };
    }
    if (task.startsWith('Tell a long story')) return { text: Array.from({ length: 400 }, (_, i) => `word${i} `), chunkDelayMs: 25 };
    if (task.startsWith('Think first')) {
      // Slow enough to watch it stream: about 3 s of thinking.
      const reasoning = ['The user wants ', 'a short answer, ', ...Array.from({ length: 20 }, () => 'hmm, '), 'so I will keep it brief.'];
      return { reasoning, text: ['Brief ', 'answer.'], chunkDelayMs: 150, quirks: { reasoningField: 'reasoning_content' } };
    }
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

test('rejecting a write tells the agent why, and nothing is written', async () => {
  await vscode.runCommand('Deep Agent: Run Task');
  await answerInputBox(vscode.page, 'Create SECRET.md');
  const panel = vscode.panel();
  await panel.locator('.approval.pending').waitFor({ timeout: 30_000 });
  await panel.locator('.approval .reason').fill('not in this repository');
  await vscode.shot('3-reject-with-reason');
  await panel.locator('.approval button.reject').click();
  await panel.locator('.approval.rejected', { hasText: 'Rejected: not in this repository' }).waitFor();
  await panel.locator('.assistant', { hasText: 'Rejected by the user: not in this repository' }).waitFor({ timeout: 30_000 });
  await panel.locator('.end.completed').waitFor();
  assert.equal(existsSync(join(vscode.workspace, 'SECRET.md')), false);
});

test('Stop ends a streaming run, and the panel says it was cancelled', async () => {
  await vscode.runCommand('Deep Agent: Run Task');
  await answerInputBox(vscode.page, 'Tell a long story');
  const panel = vscode.panel();
  await panel.locator('.assistant', { hasText: 'word10 ' }).waitFor({ timeout: 30_000 });
  await panel.locator('button.stop').click();
  await panel.locator('.end.cancelled', { hasText: 'Cancelled before it finished.' }).waitFor({ timeout: 30_000 });
  const text = await panel.locator('.assistant').last().innerText();
  assert.doesNotMatch(text, /word399/, 'the stream was cut short');
  await vscode.shot('4-stopped');
});

test("a reasoning model's thinking shows as a collapsible block, apart from the answer", async () => {
  await vscode.runCommand('Deep Agent: Run Task');
  await answerInputBox(vscode.page, 'Think first, then answer');
  const panel = vscode.panel();
  const thinking = panel.locator('details.thinking');
  // While it streams the block is open and says so.
  await thinking.locator('summary', { hasText: 'Thinking…' }).waitFor({ timeout: 30_000 });
  await thinking.locator('.thinking-text', { hasText: 'The user wants' }).waitFor();
  await vscode.shot('5-thinking-streams');
  await panel.locator('.end.completed').waitFor({ timeout: 30_000 });
  // Once the answer came it is folded away, whole, and the answer has none of it.
  await thinking.locator('summary', { hasText: 'Thought' }).waitFor();
  assert.equal(await thinking.getAttribute('open'), null);
  assert.equal(await thinking.locator('.thinking-text').textContent(), `The user wants a short answer, ${'hmm, '.repeat(20)}so I will keep it brief.`);
  const answer = await panel.locator('.assistant').last().innerText();
  assert.equal(answer.trim(), 'Brief answer.');
  await thinking.locator('summary').click();
  assert.equal(await thinking.getAttribute('open'), '');
  await vscode.shot('6-thinking-folded-open-again');
});

test('after a window reload the run is in the Runs view and its transcript is restored', async () => {
  await vscode.reload();
  const runsIcon = vscode.page.locator('.activitybar .action-item:has(a[aria-label^="Deep Agent"])');
  if (!/\bchecked\b/.test((await runsIcon.getAttribute('class')) ?? '')) await runsIcon.click();
  const run = vscode.page.locator('.part.sidebar .monaco-list-row', { hasText: 'Write NOTES.md with a title' });
  await run.waitFor({ timeout: 30_000 });
  assert.match(await run.innerText(), /completed/);
  await vscode.shot('7-runs-view-after-reload');

  await run.click();
  const panel = vscode.panel();
  await panel.locator('.user', { hasText: 'Write NOTES.md with a title' }).waitFor({ timeout: 30_000 });
  await panel.locator('.assistant', { hasText: 'All done: NOTES.md is written.' }).waitFor();
  await panel.locator('.end.completed').waitFor();
  await vscode.shot('8-transcript-restored');
});
