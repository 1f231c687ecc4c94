/**
 * A new user with nothing configured: Configure Model walks provider → base URL → model (listed by
 * the server) → key; the key reaches the server but never settings.json; a follow-up from the
 * panel's prompt box continues the same conversation.
 */
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { scriptedServer } from '../support/harness';
import { answerInputBox, openWorkbench, pickQuickItem } from './workbench';

const shotsDir = resolve(join(__dirname, '..', '..', '.tmp', 'e2e-shots'));
const secret = 'sk-e2e-secret-never-in-settings';

test('Configure Model, run a task, and ask a follow-up from the panel', async (t) => {
  const server = await scriptedServer(t, (body) => ({ text: `answer #${body.messages.filter((m) => m.role === 'user').length}` }), {
    models: ['other-model', 'scripted-model'],
  });
  const vscode = await openWorkbench({ files: { 'README.md': '# x\n' }, settings: {}, shotsDir });
  t.after(() => vscode.close());

  await vscode.runCommand('Deep Agent: Configure Model');
  await pickQuickItem(vscode.page, 'Other OpenAI-compatible endpoint');
  await answerInputBox(vscode.page, server.url);
  await vscode.page.locator('.quick-input-widget .monaco-list-row', { hasText: 'other-model' }).waitFor({ timeout: 30_000 });
  await vscode.shot('8-configure-model-list');
  await pickQuickItem(vscode.page, 'scripted-model');
  await answerInputBox(vscode.page, secret);
  await vscode.page.locator('.notification-toast', { hasText: 'Deep Agent will use scripted-model' }).waitFor({ timeout: 30_000 });

  await vscode.runCommand('Deep Agent: Run Task');
  await answerInputBox(vscode.page, 'first question');
  const panel = vscode.panel();
  await panel.locator('.assistant', { hasText: 'answer #1' }).waitFor({ timeout: 30_000 });
  await panel.locator('.end.completed').waitFor();
  assert.equal(server.requests[0]!.headers.authorization, `Bearer ${secret}`);
  assert.equal(server.requests[0]!.body.model, 'scripted-model');
  const settings = vscode.userSettingsText();
  assert.match(settings, /"deepAgent.model": "scripted-model"/);
  assert.ok(!settings.includes(secret), 'the API key is in settings.json');

  await panel.locator('#prompt').fill('second question');
  await panel.locator('#prompt').press('Control+Enter');
  await panel.locator('.assistant', { hasText: 'answer #2' }).waitFor({ timeout: 30_000 });
  const followUp = server.requests[1]!.body.messages.map((m) => `${m.role}:${m.content}`).slice(1);
  assert.deepEqual(followUp, ['user:first question', 'assistant:answer #1', 'user:second question']);
  await vscode.shot('9-follow-up');
});
