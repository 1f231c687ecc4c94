/**
 * grep in a real VS Code runs the ripgrep VS Code ships: the hostile pattern, which
 * JavaScript would backtrack on until the (here 120 s) deadline, finds nothing at once, and the
 * panel stays live. The extension says in its log which ripgrep it found.
 */
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { ripgrepUnder } from '../../src/vscode/ripgrepPath';
import { startScriptedServer, type ScriptedServer } from '../support/scriptedServer';
import { codeServerDir } from './codeServer';
import { answerInputBox, openWorkbench, type Workbench } from './workbench';

const shotsDir = resolve(process.env.E2E_SHOTS_DIR ?? join(__dirname, '..', '..', '.tmp', 'e2e-shots'));
const vscodeAppRoot = join(codeServerDir, 'node_modules', 'code-server', 'lib', 'vscode');

let server: ScriptedServer;
let vscode: Workbench;

before(async () => {
  server = await startScriptedServer((body) => {
    const result = body.messages.find((m) => m.role === 'tool');
    return result
      ? { text: `grep said: ${result.content}` }
      : { toolCalls: [{ name: 'grep', arguments: { pattern: '(a+)+$' } }, { name: 'read_file', arguments: { path: 'hostile.txt' } }] };
  });
  vscode = await openWorkbench({
    files: { 'hostile.txt': `${'a'.repeat(40)}b\n` },
    settings: {
      'deepAgent.baseUrl': server.url,
      'deepAgent.model': 'scripted-model',
      'deepAgent.approvalPolicy': 'auto',
      'deepAgent.search.timeoutSeconds': 120,
    },
    shotsDir,
  });
});

after(async () => {
  await vscode?.close();
  await server?.close();
});

test("code-server keeps ripgrep where the extension looks for VS Code's", () => {
  assert.equal(ripgrepUnder(vscodeAppRoot), join(vscodeAppRoot, 'node_modules', '@vscode', 'ripgrep', 'bin', 'rg'));
});

test("a hostile grep in VS Code runs VS Code's ripgrep and finds nothing at once", async () => {
  await vscode.runCommand('Deep Agent: Run Task');
  await answerInputBox(vscode.page, 'Find lines of only a');
  const panel = vscode.panel();
  // 30 s, far below the 120 s deadline a backtracking JavaScript search would run into.
  await panel.locator('.end.completed').waitFor({ timeout: 30_000 });
  await panel.locator('.assistant', { hasText: 'grep said: No matches for "(a+)+$" under .' }).waitFor();
  await vscode.shot('search-1-hostile-grep');
  const toolResults = server.requests.at(-1)!.body.messages.filter((m) => m.role === 'tool').map((m) => m.content);
  assert.deepEqual(toolResults, ['No matches for "(a+)+$" under .', `     1\t${'a'.repeat(40)}b`]);
  const log = vscode.outputLog();
  assert.ok(
    log.some((line) => line.includes(`grep runs VS Code's ripgrep: ${join(vscodeAppRoot, 'node_modules', '@vscode', 'ripgrep', 'bin', 'rg')}`)),
    log.join('\n'),
  );
});
