/**
 * The quick start (`npm start` after its build): the CLI replays the demo into a project outside
 * the repository, and VS Code opens on that very project showing the demo's run — in the Runs view
 * and, transcript and all, in the panel — with no model configured. A second start leaves the
 * project as the user left it. Ctrl-C stops VS Code cleanly.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { test, type TestContext } from 'node:test';
import { demoPrompt } from '../../src/cli/demo/workspace';
import { codeServerDir, extensionDir } from './codeServer';
import { openBrowser, showRunsView } from './workbench';

const shotsDir = resolve(join(__dirname, '..', '..', '.tmp', 'e2e-shots'));

interface Started {
  url: string;
  /** What it printed before the URL: the demo's replay, or why there was none. */
  output: string;
  stop(): Promise<number | null>;
}

/** Runs startWorkbench.ts (what `npm start` runs after its build) with code-server, and waits for its URL. */
async function start(t: TestContext, env: NodeJS.ProcessEnv): Promise<Started> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'startWorkbench.ts')], {
    env: { ...env, DEEP_AGENT_USE_CODE_SERVER: '1', CODE_SERVER_DIR: codeServerDir },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<number | null>((resolvePromise) => child.on('exit', (code) => resolvePromise(code)));
  t.after(() => void (child.exitCode === null && child.kill('SIGINT')));
  let output = '';
  const url = await new Promise<string>((resolvePromise, reject) => {
    child.stdout.on('data', (data: Buffer) => {
      output += data;
      const match = /(http:\/\/127\.0\.0\.1:\d+\/\?folder=\S+)/.exec(output);
      if (match) resolvePromise(match[1]!);
    });
    child.on('exit', (code) => reject(new Error(`startWorkbench exited with ${code} before printing a URL:\n${output}`)));
  });
  return {
    url,
    output,
    stop: () => {
      child.kill('SIGINT');
      return exited;
    },
  };
}

test('npm start: the demo replayed outside the repository, its run in the Runs view and the panel with no model configured; a second start keeps the project', async (t) => {
  const scratch = mkdtempSync(join(tmpdir(), 'start-'));
  t.after(() => rmSync(scratch, { recursive: true, force: true }));
  // The default location, under a cache folder of this test's own.
  const env: NodeJS.ProcessEnv = { ...process.env, XDG_CACHE_HOME: join(scratch, 'cache') };
  delete env.DEEP_AGENT_DEMO_WORKSPACE;
  const workspace = join(scratch, 'cache', 'deep-agent-workbench', 'demo');

  const first = await start(t, env);
  assert.match(first.output, /Replayed demo: /);
  assert.match(readFileSync(join(workspace, 'src', 'cart.ts'), 'utf8'), /TODO: apply discount codes/);
  assert.match(readFileSync(join(workspace, 'TODO.md'), 'utf8'), /3 open items in 2 files/);
  assert.equal(readdirSync(join(workspace, '.deep-agent', 'runs')).filter((f) => f.endsWith('.jsonl')).length, 1, 'the demo journaled its run in the project');
  assert.ok(relative(extensionDir, workspace).startsWith('..'), 'the demo project is outside the repository');
  const page = await fetch(first.url);
  assert.equal(page.status, 200);
  assert.match(await page.text(), /vscode|workbench/i);
  assert.ok(decodeURIComponent(first.url).includes('extensionDevelopmentPath'), 'the extension is loaded from the working tree');
  assert.ok(decodeURIComponent(first.url).includes(`folder=${workspace}`), 'VS Code opens the project the demo changed');

  const vscode = await openBrowser(first.url, { profileDir: join(scratch, 'chrome-profile'), env: { ...process.env, XDG_CONFIG_HOME: join(scratch, 'xdg-config') }, shotsDir });
  t.after(() => vscode.close());
  // With nothing clicked: the panel shows the demo's transcript, and says no model is configured.
  const panel = vscode.panel();
  await panel.locator('.user', { hasText: demoPrompt }).waitFor({ timeout: 60_000 });
  await panel.locator('.end.completed').waitFor({ timeout: 30_000 });
  await panel.locator('.assistant', { hasText: 'a subagent checked it against the code' }).waitFor();
  await panel.locator('#bar .notice', { hasText: 'No model is configured' }).waitFor();
  const rows = await showRunsView(vscode.page);
  await rows.filter({ hasText: demoPrompt.slice(0, 40) }).first().waitFor({ timeout: 30_000 });
  assert.equal(await rows.count(), 1);
  await vscode.shot('start-1-demo-run');
  const notices = await vscode.page.locator('.notification-toast').allInnerTexts();
  assert.ok(!notices.some((n) => /git repository.*parent/i.test(n)), `no prompt about a parent git repository: ${notices.join(' | ')}`);
  await vscode.close();
  assert.equal(await first.stop(), 0);
  assert.equal(existsSync(workspace), true, 'the demo project is kept');

  // The user changed the project; npm start again opens it as it is, without replaying the demo
  // (named by DEEP_AGENT_DEMO_WORKSPACE this time, the cache folder being elsewhere).
  writeFileSync(join(workspace, 'README.md'), '# shop\n\nMy notes.\n');
  const second = await start(t, { ...env, XDG_CACHE_HOME: join(scratch, 'other-cache'), DEEP_AGENT_DEMO_WORKSPACE: workspace });
  assert.doesNotMatch(second.output, /Replayed demo: /);
  assert.match(second.output, new RegExp(`The demo project ${workspace.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is there from an earlier start; it opens as it is`));
  assert.equal(readFileSync(join(workspace, 'README.md'), 'utf8'), '# shop\n\nMy notes.\n');
  assert.equal(readdirSync(join(workspace, '.deep-agent', 'runs')).filter((f) => f.endsWith('.jsonl')).length, 1);
  assert.equal(await second.stop(), 0);
});
