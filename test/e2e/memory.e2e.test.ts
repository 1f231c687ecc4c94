/**
 * Memory in a real VS Code, in the default store (LanceDB in the extension's global storage) with the
 * hashing embedder. A memory is added from the editor's selection, shows in the Memory view, is found
 * by Search Memory, opened and edited as JSON (a bad edit is refused and loses nothing), pinned and
 * deleted. A run with memory on shows the "Recalled memories" block, and the model's request carries
 * the recalled text; memories outlive a window reload; a store that cannot open leaves runs without
 * memory, and the view says why.
 */
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { startScriptedServer, type ScriptedServer } from '../support/scriptedServer';
import { answerDialog, answerInputBox, contextMenu, openWorkbench, pickQuickItem, showView, type Workbench } from './workbench';

const shotsDir = resolve(process.env.E2E_SHOTS_DIR ?? join(__dirname, '..', '..', '.tmp', 'e2e-shots'));
const fact = 'Deploys go out on Fridays with blue-green releases.';

const monthAgo = new Date(Date.now() - 30 * 86_400_000).toISOString();
/** Two episodes a month old, and a line that is not a memory. */
const oldEpisodes = [
  JSON.stringify({ content: 'Shipped release 1.2 on a Friday', type: 'episodic', timestamp: monthAgo }),
  JSON.stringify({ content: 'A hotfix went out after two reviews', type: 'episodic', timestamp: monthAgo }),
  JSON.stringify({ content: 'no type', type: 'anecdote' }),
].join('\n');

let server: ScriptedServer;
let vscode: Workbench;

before(async () => {
  server = await startScriptedServer((body) =>
    String(body.messages[0]?.content).startsWith('You consolidate') ? { text: '- The team ships on Fridays.\n- Hotfixes need two reviews.' } : { text: 'The release train leaves at noon.' },
  );
  vscode = await openWorkbench({
    files: { 'NOTES.md': `${fact}\n`, 'old-episodes.jsonl': oldEpisodes },
    settings: {
      'deepAgent.baseUrl': server.url,
      'deepAgent.model': 'scripted-model',
      'deepAgent.approvalPolicy': 'auto',
      'deepAgent.memory.enabled': true,
      'deepAgent.memory.embedder': 'hashing',
      // The test types whole JSON documents: brackets and quotes must not be closed for it.
      'editor.autoClosingBrackets': 'never',
      'editor.autoClosingQuotes': 'never',
    },
    shotsDir,
  });
});

after(async () => {
  await vscode?.close();
  await server?.close();
});

/** The Memory view's rows, with the groups down to this workspace's facts expanded. */
async function memoryRows(page: Page) {
  const rows = await showView(page, 'Memory');
  for (const group of ['Facts (semantic)', 'This workspace']) {
    const row = rows.filter({ hasText: group }).first();
    await row.waitFor({ timeout: 30_000 });
    if ((await row.getAttribute('aria-expanded')) === 'false') await row.click();
  }
  return rows;
}

/** The text of the editor that has focus (Monaco draws it line by line). */
const editorText = async (page: Page) => (await page.locator('.editor-group-container.active .monaco-editor .view-lines').innerText()).replace(/\u00a0/g, ' ');

async function replaceEditorText(page: Page, text: string): Promise<void> {
  await page.locator('.editor-group-container.active .monaco-editor .view-lines').click();
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Backspace');
  await page.keyboard.insertText(text);
}

test('a memory added from the selection shows in the Memory view, with the keyword fallback marked', async () => {
  const { page } = vscode;
  await vscode.runCommand('Go to File...');
  await page.locator('.quick-input-widget .quick-input-box input').fill('NOTES.md');
  await pickQuickItem(page, 'NOTES.md');
  await page.locator('.editor-group-container.active .monaco-editor .view-lines', { hasText: 'blue-green' }).waitFor();
  await page.locator('.editor-group-container.active .monaco-editor .view-lines').click();
  await page.keyboard.press('Control+A');
  await vscode.runCommand('Deep Agent: Add Memory');
  await page.locator('.notification-toast', { hasText: 'Remembered: Deploys go out on Fridays' }).waitFor({ timeout: 30_000 });

  const rows = await memoryRows(page);
  await rows.filter({ hasText: 'keyword fallback, no language model' }).waitFor();
  assert.match(await rows.filter({ hasText: 'Facts (semantic)' }).innerText(), /Facts \(semantic\)\s*1/);
  await rows.filter({ hasText: fact }).waitFor({ timeout: 30_000 });
  await vscode.shot('memory-1-added-from-selection');
});

test('Search Memory finds it as you type, with score and type, and opens it', async () => {
  const { page } = vscode;
  await page.keyboard.press('Escape');
  await vscode.runCommand('Deep Agent: Search Memory');
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor();
  await input.pressSequentially('when do deploys go out', { delay: 20 });
  const row = page.locator('.quick-input-widget .monaco-list-row', { hasText: fact });
  await row.waitFor({ timeout: 30_000 });
  assert.match(await row.innerText(), /semantic · score \d\.\d{3}/);
  await vscode.shot('memory-2-search');
  await row.click();
  await page.locator('.tab.active', { hasText: '.json' }).waitFor({ timeout: 30_000 });
  const shown = await editorText(page);
  assert.match(shown, /"content": "Deploys go out on Fridays with blue-green releases\."/);
  assert.match(shown, /"type": "semantic"/);
});

test('an edit that is not valid is refused and kept in the editor; a valid one updates the memory', async () => {
  const { page } = vscode;
  await replaceEditorText(page, '{ "content": "Deploys go out on Mondays.", "type": "fact", "importance": 0.5, "metadata": {} }');
  await page.keyboard.press('Control+S');
  const failure = page.locator('.notification-toast', { hasText: 'was not saved: "type"' });
  await failure.waitFor({ timeout: 30_000 });
  await vscode.shot('memory-3-bad-edit-refused');
  assert.match(await editorText(page), /"type": "fact"/, 'the edit is still in the editor');
  assert.ok(await page.locator('.tab.active.dirty').isVisible(), 'and still unsaved');
  await failure.locator('.codicon-notifications-clear').click().catch(() => undefined);

  await replaceEditorText(page, '{ "content": "Deploys go out on Mondays.", "type": "semantic", "importance": 0.5, "metadata": { "team": "ops" } }');
  await page.keyboard.press('Control+S');
  await page.locator('.tab.active:not(.dirty)').waitFor({ timeout: 30_000 });
  const rows = await memoryRows(page);
  await rows.filter({ hasText: 'Deploys go out on Mondays.' }).waitFor({ timeout: 30_000 });
  assert.equal(await rows.filter({ hasText: fact }).count(), 0);
  await vscode.shot('memory-4-edited');
});

test('a memory is pinned, then deleted after a confirmation', async () => {
  const { page } = vscode;
  const rows = await memoryRows(page);
  const row = rows.filter({ hasText: 'Deploys go out on Mondays.' });
  await contextMenu(page, row, 'Pin Memory');
  await rows.filter({ hasText: 'pinned' }).filter({ hasText: 'Deploys go out on Mondays.' }).waitFor({ timeout: 30_000 });
  await vscode.shot('memory-5-pinned');

  await contextMenu(page, rows.filter({ hasText: 'Deploys go out on Mondays.' }), 'Delete Memory');
  assert.match(await answerDialog(page, 'Delete'), /Deploys go out on Mondays\./);
  await rows.filter({ hasText: 'No memories yet' }).waitFor({ timeout: 30_000 });
  assert.equal(await rows.filter({ hasText: 'Deploys go out on Mondays.' }).count(), 0);
  await vscode.shot('memory-6-deleted');
});

test('a run recalls the memory into its prompt and shows it at the top of the transcript', async () => {
  const { page } = vscode;
  await vscode.runCommand('View: Close All Editors');
  await vscode.runCommand('Deep Agent: Add Memory');
  await answerInputBox(page, 'The release train leaves on Fridays at noon.');
  await page.locator('.notification-toast', { hasText: 'Remembered: The release train' }).waitFor({ timeout: 30_000 });

  await vscode.runCommand('Deep Agent: Run Task');
  await answerInputBox(page, 'When does the release train leave?');
  const panel = vscode.panel();
  await panel.locator('.end.completed').waitFor({ timeout: 60_000 });
  const recalled = panel.locator('details.recalled-memories');
  assert.match(await recalled.locator('summary').innerText(), /^Recalled memories \(1\) · keyword fallback, no language model$/);
  await recalled.locator('summary').click();
  const memory = recalled.locator('.recalled-memory');
  assert.match(await memory.innerText(), /semantic · \d{4}-\d\d-\d\d · score \d\.\d\d[\s\S]*The release train leaves on Fridays at noon\./);
  // Right after the task, before the first step.
  assert.equal(await panel.locator('#transcript > :nth-child(2).recalled-memories').count(), 1);
  await vscode.shot('memory-7-recalled-in-panel');

  const system = server.requests[0]!.body.messages.find((m) => m.role === 'system')!.content!;
  assert.match(system, /The release train leaves on Fridays at noon\./);
});

test('Import keeps the good records and names the bad line; Consolidate sums the old episodes up into facts', async () => {
  const { page } = vscode;
  await vscode.runCommand('Deep Agent: Import Memories…');
  // code-server's own file dialog: a quick input that takes a path.
  await answerInputBox(page, join(vscode.workspace, 'old-episodes.jsonl'));
  const warning = page.locator('.notification-toast', { hasText: 'Imported 2 memories from old-episodes.jsonl' });
  await warning.waitFor({ timeout: 30_000 });
  assert.match(await warning.innerText(), /1 bad record was skipped: old-episodes\.jsonl:3: "type" /);
  await vscode.shot('memory-8-imported');

  await vscode.runCommand('Deep Agent: Consolidate Memory');
  await page.locator('.notification-toast', { hasText: 'Consolidated 2 episodes into 2 facts' }).waitFor({ timeout: 30_000 });
  const asked = server.requests.at(-1)!.body.messages.map((m) => m.content).join('\n');
  // Episodes of the same time may come in either order.
  assert.match(asked, /^- \(\d{4}-\d\d-\d\d\) Shipped release 1\.2 on a Friday$/m);
  assert.match(asked, /^- \(\d{4}-\d\d-\d\d\) A hotfix went out after two reviews$/m);
  const rows = await memoryRows(page);
  await rows.filter({ hasText: 'The team ships on Fridays.' }).waitFor({ timeout: 30_000 });
  await rows.filter({ hasText: 'Hotfixes need two reviews.' }).waitFor();
  await vscode.shot('memory-9-consolidated');
});

test('memories are on disk: after a window reload the view shows them again', async () => {
  await vscode.reloadWindow();
  const rows = await memoryRows(vscode.page);
  await rows.filter({ hasText: 'The release train leaves on Fridays at noon.' }).waitFor({ timeout: 30_000 });
  assert.match(await rows.filter({ hasText: 'Embedder:' }).innerText(), /lancedb store/);
  await vscode.shot('memory-10-after-reload');
});

test('a memory that cannot be opened is named in one line in the view, and a run goes on without it', async () => {
  const { page } = vscode;
  // Nothing listens there: the store cannot be reached (or, in a build without that backend, is refused).
  vscode.updateUserSettings({ 'deepAgent.memory.store': 'postgres://127.0.0.1:9/nowhere' });
  // A reload picks the settings file up at once.
  await vscode.reloadWindow();
  const rows = await showView(page, 'Memory');
  const problem = rows.filter({ hasText: 'Memory could not be opened' });
  await problem.waitFor({ timeout: 30_000 });
  // The reason, in one line, beside it (and whole in its tooltip).
  assert.match(await problem.innerText(), /Memory could not be opened\s*\S.*\(click to try again\)$/);
  await vscode.shot('memory-11-cannot-open');

  const asked = server.requests.length;
  await vscode.runCommand('Deep Agent: Run Task');
  await answerInputBox(page, 'Say hello without memory');
  await page.locator('.notification-toast', { hasText: 'this run starts without memory' }).waitFor({ timeout: 30_000 });
  const panel = vscode.panel();
  await panel.locator('.user', { hasText: 'Say hello without memory' }).waitFor({ timeout: 30_000 });
  await panel.locator('.end.completed').waitFor({ timeout: 30_000 });
  assert.equal(await panel.locator('details.recalled-memories').count(), 0);
  const system = server.requests[asked]!.body.messages.find((m) => m.role === 'system')!.content!;
  assert.doesNotMatch(system, /release train/);
});
