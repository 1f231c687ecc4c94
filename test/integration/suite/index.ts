/** Runs inside desktop VS Code's extension host (see ../runTests.ts). `run` is what VS Code calls. */
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { WorkspaceFsBackend } from '../../../src/vscode/workspaceBackend';

const tests: [string, () => Promise<void>][] = [
  [
    'the commands are contributed with the titles people look for',
    async () => {
      const ext = vscode.extensions.all.find((e) => e.packageJSON.name === 'deep-agent-workbench');
      assert.ok(ext, 'the extension is loaded');
      const titles = (ext.packageJSON.contributes.commands as { title: string }[]).map((c) => c.title);
      for (const title of ['Run Task', 'Stop Run', 'Open Panel', 'Configure Model', 'Export Trace']) assert.ok(titles.includes(title), title);
    },
  ],
  [
    'Open Panel activates the extension and opens the panel',
    async () => {
      await vscode.commands.executeCommand('deepAgent.openPanel');
      const commands = await vscode.commands.getCommands(true);
      assert.ok(commands.includes('deepAgent.runTask'));
      const tabs = vscode.window.tabGroups.all.flatMap((g) => g.tabs);
      assert.ok(tabs.some((tab) => tab.label === 'Deep Agent'), 'a "Deep Agent" tab is open');
    },
  ],
  [
    'the settings have documented defaults',
    async () => {
      const config = vscode.workspace.getConfiguration('deepAgent');
      assert.equal(config.get('approvalPolicy'), 'ask-for-writes');
      assert.equal(config.get('maxIterations'), 50);
      assert.deepEqual(config.get('trace.exporters'), ['output']);
    },
  ],
  [
    'the workspace backend reads and writes inside the folder and refuses escapes',
    async () => {
      const backend = new WorkspaceFsBackend(vscode.workspace.workspaceFolders ?? []);
      assert.equal(await backend.readFile('src/a.txt'), 'alpha\n');
      await backend.writeFile('src/b.txt', 'beta\n');
      assert.deepEqual(await backend.glob('**/*.txt'), ['src/a.txt', 'src/b.txt']);
      assert.deepEqual((await backend.grep('bet')).map((m) => `${m.path}:${m.line}`), ['src/b.txt:1']);
      await assert.rejects(backend.readFile('../outside.txt'), /outside the workspace/);
    },
  ],
];

export async function run(): Promise<void> {
  let failed = 0;
  for (const [name, fn] of tests) {
    try {
      await fn();
      console.log(`ok - ${name}`);
    } catch (error) {
      failed++;
      console.error(`not ok - ${name}\n${error instanceof Error ? error.stack : String(error)}`);
    }
  }
  console.log(`${tests.length - failed} passed, ${failed} failed`);
  if (failed) throw new Error(`${failed} integration test(s) failed`);
}
