/** The quick start's first command opens a working VS Code on the demo workspace and stops cleanly. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

test('startWorkbench prints a 127.0.0.1 URL of a live VS Code with the demo workspace, and Ctrl-C stops it', async () => {
  const workspace = join(mkdtempSync(join(tmpdir(), 'start-')), 'demo');
  const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'startWorkbench.ts')], {
    env: { ...process.env, DEEP_AGENT_USE_CODE_SERVER: '1', DEEP_AGENT_DEMO_WORKSPACE: workspace },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (data: Buffer) => {
      out += data;
      const match = /(http:\/\/127\.0\.0\.1:\d+\/\?folder=\S+)/.exec(out);
      if (match) resolve(match[1]!);
    });
    child.on('exit', (code) => reject(new Error(`startWorkbench exited with ${code} before printing a URL:\n${out}`)));
  });
  assert.match(readFileSync(join(workspace, 'src', 'cart.ts'), 'utf8'), /TODO: apply discount codes/);
  const page = await fetch(url);
  assert.equal(page.status, 200);
  assert.match(await page.text(), /vscode|workbench/i);
  assert.ok(decodeURIComponent(url).includes('extensionDevelopmentPath'), 'the extension is loaded from the working tree');
  child.kill('SIGINT');
  assert.equal(await exited, 0);
  assert.equal(existsSync(workspace), true, 'the demo workspace is kept');
});
