/**
 * Run Task before any model is configured: the task is asked first, then Configure Model comes up
 * for it; cancelled, the task is kept and offered again; walked through against a scripted server,
 * the task runs and the server receives it.
 */
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { scriptedServer } from '../support/harness';
import { answerInputBox, clickNotificationButton, openWorkbench, pickQuickItem } from './workbench';

const shotsDir = resolve(join(__dirname, '..', '..', '.tmp', 'e2e-shots'));

test('Run Task with no model: task asked, Configure Model walked through (after a cancel, offered again), then the task runs', async (t) => {
  const server = await scriptedServer(t, () => ({ text: 'README.md says: x.' }));
  const vscode = await openWorkbench({ files: { 'README.md': '# x\n' }, settings: {}, shotsDir });
  t.after(() => vscode.close());
  const task = 'Summarise README.md in one line';

  await vscode.runCommand('Deep Agent: Run Task');
  await answerInputBox(vscode.page, task);
  // No model yet: Configure Model comes up, for this task.
  const providerStep = vscode.page.locator('.quick-input-widget .quick-input-box input[placeholder*="needs a model to run your task"]');
  await providerStep.waitFor({ timeout: 30_000 });
  await vscode.page.locator('.quick-input-widget .monaco-list-row', { hasText: 'Ollama' }).waitFor();
  await vscode.shot('run-task-no-model-1-configure');
  await providerStep.press('Escape');
  // Cancelled: the task is not lost.
  // Faded in (for the screenshot), with its button.
  const offer = vscode.page.locator('.notification-toast.notification-fade-in-done', { hasText: `"${task}" did not run: no model is configured` });
  await offer.locator('.monaco-button', { hasText: 'Configure Model and Run' }).waitFor({ timeout: 30_000 });
  await vscode.shot('run-task-no-model-2-offered-again');
  assert.equal(server.requests.length, 0);
  await clickNotificationButton(vscode.page, `"${task}" did not run`, 'Configure Model and Run');

  await pickQuickItem(vscode.page, 'Other OpenAI-compatible endpoint');
  await answerInputBox(vscode.page, server.url);
  await pickQuickItem(vscode.page, 'scripted-model');
  await answerInputBox(vscode.page, ''); // no key: the server needs none
  const panel = vscode.panel();
  await panel.locator('.user', { hasText: task }).waitFor({ timeout: 30_000 });
  await panel.locator('.assistant', { hasText: 'README.md says: x.' }).waitFor({ timeout: 30_000 });
  await panel.locator('.end.completed').waitFor();
  assert.equal(server.requests.length, 1);
  assert.equal(server.requests[0]!.body.model, 'scripted-model');
  assert.deepEqual(
    server.requests[0]!.body.messages.filter((m) => m.role === 'user').map((m) => m.content),
    [task],
  );
  await vscode.shot('run-task-no-model-3-ran');
});
