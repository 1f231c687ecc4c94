/**
 * Checkpoints and resume in a real VS Code: a multi-step run that writes files is cut off by a
 * window reload in the middle of a streamed step; after the reload the editor offers it (a
 * notification and a badge), Resume continues it in the panel with its transcript restored and
 * each step once, the workspace ends right, and the model server saw no side-effecting call twice.
 * Then Restore Files to Checkpoint puts the files back as they were after the first step.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { startScriptedServer, type ChatCompletionBody, type ScriptedServer } from '../support/scriptedServer';
import { activityBadge, answerDialog, answerInputBox, clickNotificationButton, contextMenu, openWorkbench, pickQuickItem, showRunsView, type Workbench } from './workbench';

const shotsDir = resolve(process.env.E2E_SHOTS_DIR ?? join(__dirname, '..', '..', '.tmp', 'e2e-shots'));
const task = 'Write the book into chapters.txt, one chapter per step';
/** A second task, stopped and resumed. */
const countTask = 'Count to three slowly';
/** A third task, reloaded while its write waits for approval. */
const approvalTask = 'Write approved.txt';

/** The model's answer per turn (assistant messages so far): the same conversation always gets the same answer. */
const steps = [
  { text: 'Planning the chapters: the outline first.', toolCalls: [{ id: 'w1', name: 'write_file', arguments: { path: 'chapters.txt', content: '# Chapters\nEND\n' } }] },
  { text: 'Adding chapter one to the outline.', toolCalls: [{ id: 'e1', name: 'edit_file', arguments: { path: 'chapters.txt', old_string: 'END', new_string: 'one\nEND' } }] },
  {
    text: `Adding chapter two, the long one:${' and then'.repeat(40)} done.`,
    toolCalls: [
      { id: 'e2', name: 'edit_file', arguments: { path: 'chapters.txt', old_string: 'END', new_string: 'two\nEND' } },
      { id: 'w2', name: 'write_file', arguments: { path: 'two.txt', content: 'chapter two\n' } },
    ],
  },
  { text: 'Adding chapter three.', toolCalls: [{ id: 'e3', name: 'edit_file', arguments: { path: 'chapters.txt', old_string: 'END', new_string: 'three\nEND' } }] },
  { text: 'All three chapters are written.', toolCalls: [] },
];
/** The step the reload lands in: it streams slowly the first time it is asked. */
const LONG = 2;

const turnOf = (body: ChatCompletionBody) => body.messages.filter((m) => m.role === 'assistant').length;

let server: ScriptedServer;
let vscode: Workbench;

before(async () => {
  const asked = new Map<number, number>();
  server = await startScriptedServer((body) => {
    const turn = turnOf(body);
    if (body.messages.some((m) => m.role === 'user' && m.content === approvalTask)) {
      if (turn > 0) return { text: 'approved.txt is written.' };
      return { text: 'Writing approved.txt.', toolCalls: [{ id: 'a1', name: 'write_file', arguments: { path: 'approved.txt', content: 'approved\n' } }] };
    }
    if (body.messages.some((m) => m.role === 'user' && m.content === countTask)) {
      if (turn > 0) return { text: 'Counted to three.' };
      // Slow enough to be stopped while it streams.
      return { text: `Counting:${' one two three'.repeat(20)}`.match(/.{1,8}/gs)!, toolCalls: [{ id: 'c1', name: 'write_file', arguments: { path: 'count.txt', content: '1 2 3\n' } }], chunkDelayMs: 100 };
    }
    asked.set(turn, (asked.get(turn) ?? 0) + 1);
    const step = steps[turn] ?? { text: 'nothing more', toolCalls: [] };
    // Asked again after the resume, the long step comes at once.
    const slow = turn === LONG && asked.get(turn) === 1;
    return { text: step.text.match(/.{1,8}/gs)!, toolCalls: step.toolCalls, chunkDelayMs: slow ? 150 : 20 };
  });
  vscode = await openWorkbench({
    files: { 'README.md': '# a book\n' },
    settings: { 'deepAgent.baseUrl': server.url, 'deepAgent.model': 'scripted-model', 'deepAgent.approvalPolicy': 'auto' },
    shotsDir,
  });
});

after(async () => {
  await vscode?.close();
  await server?.close();
});

test('a run cut off by a window reload is offered, resumes in the panel, and shows each step once', async () => {
  const { page, workspace } = vscode;
  await vscode.runCommand('Deep Agent: Run Task');
  await answerInputBox(page, task);
  let panel = vscode.panel();
  // The reload lands while step 3 streams: steps 1 and 2 are done, their files written.
  await panel.locator('.assistant', { hasText: 'Adding chapter two' }).waitFor({ timeout: 30_000 });
  assert.equal(readFileSync(join(workspace, 'chapters.txt'), 'utf8'), '# Chapters\none\nEND\n');
  await vscode.shot('c1-before-reload');
  const reloadedAt = Date.now();
  await vscode.reload();

  // The editor offers the interrupted run: a badge on the Runs view and a notification.
  await activityBadge(page).waitFor({ timeout: 30_000 });
  assert.equal((await activityBadge(page).innerText()).trim(), '1');
  await vscode.shot('c2-offered-after-reload');
  await clickNotificationButton(page, 'Deep Agent run was interrupted', 'Resume');
  panel = vscode.panel();
  await panel.locator('.end.completed').waitFor({ timeout: 60_000 });
  console.log(`reload to completed run: ${Date.now() - reloadedAt} ms`);
  await vscode.shot('c3-resumed-and-completed');

  // Each step once, in order; the steps from before the reload are still there; one resume marker.
  const headers = await panel.locator('.step').evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-step')));
  assert.deepEqual(headers, ['1', '2', '3', '4', '5']);
  assert.equal(await panel.locator('.resumed').count(), 1);
  assert.equal(await panel.locator('.user').count(), 1);
  for (const step of steps) assert.equal(await panel.locator('.assistant', { hasText: step.text.slice(0, 30) }).count(), 1, step.text);
  assert.equal(await panel.locator('.assistant', { hasText: steps[LONG]!.text }).count(), 1, 'the long step is shown whole');
  const tools = await panel.locator('details.tool > summary').allInnerTexts();
  assert.equal(tools.length, 5, tools.join('\n'));
  assert.equal(await panel.locator('details.tool.ok').count(), 5);
  assert.equal(await panel.locator('.end').count(), 1);
  await activityBadge(page).waitFor({ state: 'hidden' });

  // The workspace is right: every edit applied exactly once.
  assert.equal(readFileSync(join(workspace, 'chapters.txt'), 'utf8'), '# Chapters\none\ntwo\nthree\nEND\n');
  assert.equal(readFileSync(join(workspace, 'two.txt'), 'utf8'), 'chapter two\n');

  // The model was asked each turn once, except the one cut off mid-stream, asked again with the same conversation.
  const turns = server.requests.map((r) => turnOf(r.body));
  assert.deepEqual(turns, [0, 1, 2, 2, 3, 4]);
  const [cut, again] = server.requests.filter((r) => turnOf(r.body) === LONG);
  assert.deepEqual(again!.body.messages, cut!.body.messages);
  // No side-effecting call was carried out twice: each call and its one result appear once in the conversation.
  const last = server.requests.at(-1)!.body.messages;
  const calls = last.flatMap((m) => (m.tool_calls ?? []) as { id: string }[]).map((c) => c.id);
  const results = last.filter((m) => m.role === 'tool').map((m) => m.tool_call_id);
  assert.deepEqual(calls, ['w1', 'e1', 'e2', 'w2', 'e3']);
  assert.deepEqual(results, calls);
});

test('Restore Files to Checkpoint previews the changes and puts the files back as they were after step 1', async () => {
  const { page, workspace } = vscode;
  await vscode.runCommand('Deep Agent: Restore Files to Checkpoint');
  await pickQuickItem(page, task);
  await pickQuickItem(page, 'Step 1 · after write_file chapters.txt');
  // A diff per file: the file now against what the restore makes of it.
  await page.locator('.tab', { hasText: 'chapters.txt: now ↔' }).waitFor({ timeout: 30_000 });
  await page.locator('.tab', { hasText: 'two.txt: now ↔' }).waitFor();
  await page.locator('.monaco-dialog-box').waitFor();
  await vscode.shot('c4-restore-preview');
  const question = await answerDialog(page, 'Restore');
  assert.match(question, /Restore 2 file\(s\) to step 1/);
  assert.match(question, /chapters\.txt: changed back/);
  assert.match(question, /two\.txt: deleted/);
  await page.locator('.notification-toast', { hasText: 'Restored 2 file(s)' }).waitFor({ timeout: 30_000 });
  assert.equal(readFileSync(join(workspace, 'chapters.txt'), 'utf8'), '# Chapters\nEND\n');
  assert.equal(existsSync(join(workspace, 'two.txt')), false);
  assert.equal(await page.locator('.tab', { hasText: 'now ↔' }).count(), 0, 'the previews are closed');
  await vscode.shot('c5-restored');
});

test('Fork Run goes on from a checkpoint of the run as a new run; the old run stays as it was', async () => {
  const { page, workspace } = vscode;
  const asked = server.requests.length;
  await vscode.runCommand('Deep Agent: Fork Run');
  await pickQuickItem(page, task);
  await pickQuickItem(page, 'Step 1 · after write_file chapters.txt');
  // The files are already as they were at step 1 (restored above), so the fork starts at once.
  const panel = vscode.panel();
  await panel.locator('.resumed', { hasText: 'Forked from run' }).waitFor({ timeout: 30_000 });
  await panel.locator('.end.completed').waitFor({ timeout: 30_000 });
  const headers = await panel.locator('.step').evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-step')));
  assert.deepEqual(headers, ['1', '2', '3', '4', '5']);
  // The fork asked the model from turn 1 on, with the conversation of the checkpoint.
  assert.deepEqual(server.requests.slice(asked).map((r) => turnOf(r.body)), [1, 2, 3, 4]);
  assert.equal(readFileSync(join(workspace, 'chapters.txt'), 'utf8'), '# Chapters\none\ntwo\nthree\nEND\n');
  const rows = await showRunsView(page);
  await rows.nth(1).waitFor();
  assert.equal(await rows.filter({ hasText: task }).count(), 2, 'the fork is a run of its own, beside the original');
  await vscode.shot('c6-forked');
});

test('Stop records the run as cancelled (not interrupted); Resume Run from its context menu finishes it', async () => {
  const { page, workspace } = vscode;
  await vscode.runCommand('Deep Agent: Run Task');
  await answerInputBox(page, countTask);
  const panel = vscode.panel();
  await panel.locator('.assistant', { hasText: 'Counting' }).waitFor({ timeout: 30_000 });
  await panel.locator('button.stop').click();
  await panel.locator('.end.cancelled').waitFor({ timeout: 30_000 });
  assert.equal(existsSync(join(workspace, 'count.txt')), false);

  const rows = await showRunsView(page);
  const row = rows.filter({ hasText: countTask });
  await row.filter({ hasText: 'cancelled' }).waitFor({ timeout: 30_000 });
  // Each run shows what it takes on disk.
  assert.match(await row.innerText(), /\d+(\.\d)? (B|KB)/);
  assert.equal(await activityBadge(page).isVisible(), false, 'a cancelled run is not offered as interrupted');
  await contextMenu(page, row, 'Resume Run');
  await panel.locator('.end.completed').waitFor({ timeout: 30_000 });
  await panel.locator('.resumed').waitFor();
  assert.deepEqual(await panel.locator('.step').evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-step'))), ['1', '2']);
  assert.equal(await panel.locator('.assistant', { hasText: 'Counting' }).count(), 1, 'the step cut off by Stop is shown once');
  assert.equal(readFileSync(join(workspace, 'count.txt'), 'utf8'), '1 2 3\n');
  await row.filter({ hasText: 'completed' }).waitFor();
  await vscode.shot('c7-stopped-then-resumed');
});

test('Export Run writes the journal as JSONL; Delete Run asks, then removes the run', async () => {
  const { page, workspace } = vscode;
  const rows = await showRunsView(page);
  await contextMenu(page, rows.filter({ hasText: countTask }), 'Export Run');
  // code-server's save dialog is a path in the quick input, proposed in the workspace folder.
  const path = page.locator('.quick-input-widget .quick-input-box input');
  await page.waitForFunction("document.querySelector('.quick-input-widget .quick-input-box input')?.value.endsWith('.jsonl')");
  assert.match(await path.inputValue(), new RegExp(`${workspace}/run-[\\w-]+\\.jsonl$`));
  await path.press('Enter');
  await page.locator('.notification-toast', { hasText: 'Run exported to' }).waitFor({ timeout: 30_000 });
  const exported = readdirSync(workspace).find((name) => name.startsWith('run-') && name.endsWith('.jsonl'))!;
  const lines = readFileSync(join(workspace, exported), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { type?: string; deepAgentJournal?: number; data?: { status?: string } });
  assert.equal(lines[0]!.deepAgentJournal, 2, 'a journal header first');
  assert.deepEqual(lines.filter((e) => e.type === 'run_end').map((e) => e.data!.status), ['cancelled', 'completed']);
  assert.equal(lines.filter((e) => e.type === 'run_resumed').length, 1);

  assert.equal(await rows.count(), 3);
  const fork = rows.filter({ hasText: task }).first();
  await contextMenu(page, fork, 'Delete Run');
  assert.match(await answerDialog(page, 'Delete'), /Its transcript and checkpoints \(\d+(\.\d)? (B|KB)\) are deleted/);
  await rows.nth(2).waitFor({ state: 'detached' });
  assert.equal(await rows.filter({ hasText: task }).count(), 1);
});

test('at start-up, finished runs beyond deepAgent.runs.keepCount are pruned, oldest first', async () => {
  const { page } = vscode;
  // The next test needs approvals; the reload applies both settings.
  vscode.updateUserSettings({ 'deepAgent.runs.keepCount': 1, 'deepAgent.approvalPolicy': 'ask-for-writes' });
  await vscode.reload();
  const rows = await showRunsView(page);
  await rows.first().waitFor({ timeout: 30_000 });
  // The view may list once before the start-up look at stored runs has pruned; the pruned row then goes.
  await rows.nth(1).waitFor({ state: 'detached', timeout: 30_000 });
  const texts = await rows.allInnerTexts();
  assert.equal(texts.length, 1, texts.join('\n'));
  assert.ok(texts[0]!.startsWith(countTask), texts[0]);
  assert.ok(vscode.outputLog().some((line) => line.includes('pruned 1 finished run(s)')), vscode.outputLog().join('\n'));
});

test('a reload while a write waits for approval: after Resume the same call asks again, and its entry shows once', async () => {
  const { page, workspace } = vscode;
  await vscode.runCommand('Deep Agent: Run Task');
  await answerInputBox(page, approvalTask);
  let panel = vscode.panel();
  await panel.locator('.approval.pending').waitFor({ timeout: 30_000 });
  const asked = server.requests.length;
  await vscode.reload();

  await clickNotificationButton(page, 'Deep Agent run was interrupted', 'Resume');
  panel = vscode.panel();
  // The call had started but written nothing: it runs again, so approval is asked again, on the same entry.
  await panel.locator('.resumed', { hasText: 'write_file: runs again' }).waitFor({ timeout: 30_000 });
  await panel.locator('.approval.pending').waitFor();
  assert.equal(await panel.locator('details.tool').count(), 1);
  assert.equal(await panel.locator('.approval').count(), 1);
  assert.equal(existsSync(join(workspace, 'approved.txt')), false);
  await vscode.shot('c8-approval-asked-again-after-resume');
  await panel.locator('.approval button.approve').click();
  await panel.locator('.end.completed').waitFor({ timeout: 30_000 });
  assert.equal(readFileSync(join(workspace, 'approved.txt'), 'utf8'), 'approved\n');
  assert.equal(await panel.locator('details.tool.ok').count(), 1);
  // The model's answer with the call was recorded before the reload: it was not asked again.
  assert.deepEqual(server.requests.slice(asked).map((r) => turnOf(r.body)), [1]);
});
