/**
 * The panel's requests in a real VS Code: a Send that fails says why in the panel and keeps the
 * prompt; and after a window reload the panel comes back by itself, showing the run it showed.
 * The window is reloaded with Developer: Reload Window, which saves the open editors first: after a
 * bare page reload code-server sometimes restores no editor at all (its save raced the unload).
 */
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { startScriptedServer, type ScriptedServer } from '../support/scriptedServer';
import { openWorkbench, showRunsView, type Workbench } from './workbench';

const shotsDir = resolve(process.env.E2E_SHOTS_DIR ?? join(__dirname, '..', '..', '.tmp', 'e2e-shots'));

let server: ScriptedServer;
let vscode: Workbench;

before(async () => {
  server = await startScriptedServer((body) => {
    // The last user message: a follow-up carries the conversation before it.
    const task = body.messages.filter((m) => m.role === 'user').at(-1)!.content!;
    const answered = body.messages.at(-1)!.role === 'tool';
    if (task === 'Delegate the count' && !answered) {
      return { toolCalls: [{ name: 'task', arguments: { subagent_type: 'general-purpose', description: 'Count to three' } }] };
    }
    if (task === 'Count to three') return { text: 'One, two, three.' };
    return { text: `Done: ${task}` };
  });
  vscode = await openWorkbench({
    files: { 'README.md': '# demo workspace\n' },
    settings: { 'deepAgent.baseUrl': server.url, 'deepAgent.model': 'scripted-model', 'deepAgent.maxIterations': -1 },
    shotsDir,
  });
});

after(async () => {
  await vscode?.close();
  await server?.close();
});

test('Send with an invalid setting says why in the panel and keeps the prompt', async () => {
  await vscode.runCommand('Deep Agent: Open Panel');
  let panel = vscode.panel();
  let prompt = panel.locator('#prompt');
  await prompt.fill('Write a haiku about rivers');
  await panel.locator('#send').click();
  const alert = panel.locator('[role="alert"]');
  await alert.waitFor({ timeout: 30_000 });
  assert.match(await alert.innerText(), /^The run did not start: setting deepAgent\.maxIterations is invalid: .+\.$/);
  // The bar says what is wrong with the settings rather than that no model is configured.
  await panel.locator('#bar .notice', { hasText: 'setting deepAgent.maxIterations is invalid' }).waitFor();
  assert.equal(await prompt.inputValue(), 'Write a haiku about rivers', 'the prompt is kept');
  assert.equal(server.requests.length, 0);
  await vscode.shot('panel-protocol-1-invalid-setting');

  // Fixed (a reload picks the settings file up at once): now the prompt goes. The panel comes back
  // after the reload by itself.
  vscode.updateUserSettings({ 'deepAgent.maxIterations': 10 });
  await vscode.reloadWindow();
  panel = vscode.panel();
  prompt = panel.locator('#prompt');
  await panel.locator('.empty').waitFor({ timeout: 30_000 });
  await prompt.fill('Write a haiku about rivers');
  await panel.locator('#send').click();
  await panel.locator('.user', { hasText: 'Write a haiku about rivers' }).waitFor({ timeout: 30_000 });
  await panel.locator('.end.completed').waitFor({ timeout: 30_000 });
  assert.equal(await prompt.inputValue(), '', 'the prompt went to the run');
  assert.equal(await panel.locator('[role="alert"]').isVisible(), false);
  await vscode.shot('panel-protocol-2-sent-after-fix');
});

test('after a window reload the panel comes back by itself, showing the run it showed', async () => {
  const panel = vscode.panel();
  // A second run, so the panel's default (the latest run) is not the one it shows.
  await panel.locator('#prompt').fill('Second task');
  await panel.locator('#send').click();
  await panel.locator('.user', { hasText: 'Second task' }).waitFor({ timeout: 30_000 });
  await panel.locator('.end.completed').waitFor({ timeout: 30_000 });
  const rows = await showRunsView(vscode.page);
  await rows.filter({ hasText: 'Write a haiku about rivers' }).click();
  await panel.locator('.user', { hasText: 'Write a haiku about rivers' }).waitFor({ timeout: 30_000 });
  assert.equal(await panel.locator('.user', { hasText: 'Second task' }).count(), 0);

  await vscode.reloadWindow();
  // No command after the reload: VS Code restores the panel through its serializer.
  const restored = vscode.panel();
  await restored.locator('.user', { hasText: 'Write a haiku about rivers' }).waitFor({ timeout: 60_000 });
  await restored.locator('.assistant', { hasText: 'Done: Write a haiku about rivers' }).waitFor();
  await restored.locator('.end.completed').waitFor();
  assert.equal(await restored.locator('.user', { hasText: 'Second task' }).count(), 0, 'the run it showed, not the latest');
  await vscode.shot('panel-protocol-3-restored-after-reload');
});

test('a subagent can be shown on its own, and the whole run again', async () => {
  const panel = vscode.panel();
  await panel.locator('#prompt').fill('Delegate the count');
  await panel.locator('#send').click();
  await panel.locator('.user', { hasText: 'Delegate the count' }).waitFor({ timeout: 30_000 });
  await panel.locator('.end.completed').waitFor({ timeout: 30_000 });
  await panel.locator('details.tool > summary', { hasText: 'task' }).click(); // opens the call
  const subagent = panel.locator('details.tool section.subagent');
  await subagent.locator('.assistant', { hasText: 'One, two, three.' }).waitFor();
  await subagent.locator('button.open-run').click();
  // The subagent's run as the top run: its task, its steps, its end; a note says whose it is.
  await panel.locator('.child-note').waitFor({ timeout: 30_000 });
  await panel.locator('.user', { hasText: 'Count to three' }).waitFor();
  assert.equal(await panel.locator('.user', { hasText: 'Delegate the count' }).count(), 0);
  await panel.locator('.end.completed').waitFor();
  await vscode.shot('panel-protocol-4-subagent-on-its-own');
  await panel.locator('.child-note button.open-run').click();
  await panel.locator('.user', { hasText: 'Delegate the count' }).waitFor({ timeout: 30_000 });
  assert.equal(await panel.locator('.child-note').count(), 0);
});
