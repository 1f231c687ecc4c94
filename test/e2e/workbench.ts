/**
 * A real VS Code (code-server) with this extension loaded from the working tree, driven by
 * playwright-core in Debian's chromium (../shared/notes/real-vscode-e2e.md). Nothing touches $HOME.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { chromium, type BrowserContext, type FrameLocator, type Page } from 'playwright-core';

export const codeServerDir = resolve(
  process.env.CODE_SERVER_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'deep-agent-workbench', 'code-server-4.100.3'),
);
const codeServerBin = join(codeServerDir, 'node_modules', '.bin', 'code-server');
const extensionDir = resolve(__dirname, '..', '..');

export interface Workbench {
  page: Page;
  workspace: string;
  /** Log lines of the browser console (the extension host's console is forwarded there). */
  console: string[];
  /** Lines of the Deep Agent output channel so far, across window reloads. */
  outputLog(): string[];
  shot(name: string): Promise<void>;
  runCommand(title: string): Promise<void>;
  /** The panel's webview document, two iframes deep. */
  panel(): FrameLocator;
  reload(): Promise<void>;
  close(): Promise<void>;
}

export interface WorkbenchOptions {
  files: Record<string, string>;
  settings: Record<string, unknown>;
  shotsDir: string;
  /** Install this VSIX instead of loading the extension from the working tree. */
  vsix?: string;
}

export async function openWorkbench(options: WorkbenchOptions): Promise<Workbench> {
  if (!existsSync(codeServerBin)) throw new Error(`code-server is not installed at ${codeServerDir}: run bash test/e2e/installCodeServer.sh`);
  const scratch = mkdtempSync(join(tmpdir(), 'deep-agent-e2e-'));
  const dir = (p: string) => {
    mkdirSync(join(scratch, p), { recursive: true });
    return join(scratch, p);
  };
  const workspace = dir('workspace');
  for (const [path, content] of Object.entries(options.files)) {
    mkdirSync(dirname(join(workspace, path)), { recursive: true });
    writeFileSync(join(workspace, path), content);
  }
  const userData = dir('user-data');
  mkdirSync(join(userData, 'User'), { recursive: true });
  writeFileSync(
    join(userData, 'User', 'settings.json'),
    JSON.stringify({
      'workbench.startupEditor': 'none',
      'security.workspace.trust.enabled': false,
      'telemetry.telemetryLevel': 'off',
      'workbench.tips.enabled': false,
      'extensions.autoCheckUpdates': false,
      'extensions.autoUpdate': false,
      'update.mode': 'none',
      ...options.settings,
    }),
  );
  const configYaml = join(scratch, 'config.yaml');
  writeFileSync(configYaml, 'auth: none\ncert: false\n');
  const env = { ...process.env, XDG_CONFIG_HOME: dir('xdg/config'), XDG_DATA_HOME: dir('xdg/data'), XDG_CACHE_HOME: dir('xdg/cache') };
  mkdirSync(options.shotsDir, { recursive: true });

  const extensionsDir = dir('extensions');
  if (options.vsix) {
    execFileSync(codeServerBin, ['--config', configYaml, '--user-data-dir', userData, '--extensions-dir', extensionsDir, '--install-extension', options.vsix], { env, stdio: 'ignore' });
  }
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const server: ChildProcess = spawn(
    codeServerBin,
    ['--config', configYaml, '--user-data-dir', userData, '--extensions-dir', extensionsDir, '--bind-addr', `127.0.0.1:${port}`,
      '--auth', 'none', '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust'],
    { env, detached: true, stdio: 'ignore' },
  );
  let context: BrowserContext | undefined;
  const close = async () => {
    await context?.close().catch(() => undefined);
    killGroup(server);
    rmSync(scratch, { recursive: true, force: true });
  };
  try {
    await waitForHealth(origin, server);
    context = await chromium.launchPersistentContext(dir('chrome-profile'), {
      executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
      headless: true,
      viewport: { width: 1400, height: 900 },
      env,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    const page = context.pages()[0] ?? (await context.newPage());
    const consoleLines: string[] = [];
    page.on('console', (m) => consoleLines.push(m.text()));
    const payload = [['extensionDevelopmentPath', `vscode-remote://127.0.0.1:${port}${extensionDir}`]];
    const url = `${origin}/?folder=${encodeURIComponent(workspace)}${options.vsix ? '' : `&payload=${encodeURIComponent(JSON.stringify(payload))}`}`;
    const waitForWorkbench = async () => {
      await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
      await page.locator('.statusbar').waitFor({ timeout: 60_000 });
      await page.locator('.activitybar .action-item a[aria-label^="Deep Agent"]').waitFor({ timeout: 60_000 });
    };
    await page.goto(url);
    await waitForWorkbench();
    return {
      page,
      workspace,
      console: consoleLines,
      outputLog: () => outputChannelLines(join(userData, 'logs')),
      shot: async (name) => void (await page.screenshot({ path: join(options.shotsDir, `${name}.png`) })),
      runCommand: async (title) => {
        await page.keyboard.press('F1');
        const input = page.locator('.quick-input-widget .quick-input-box input');
        await input.waitFor();
        await input.fill(`>${title}`);
        await page.locator('.quick-input-widget .monaco-list-row', { hasText: title }).first().waitFor();
        await input.press('Enter');
      },
      panel: () => page.frameLocator('iframe.webview.ready').frameLocator('#active-frame'),
      reload: async () => {
        await page.reload();
        await waitForWorkbench();
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

function outputChannelLines(logsDir: string): string[] {
  if (!existsSync(logsDir)) return [];
  return (readdirSync(logsDir, { recursive: true }) as string[])
    .filter((file) => file.endsWith('Deep Agent.log'))
    .sort()
    .flatMap((file) => readFileSync(join(logsDir, file), 'utf8').split('\n').filter(Boolean));
}

/** Types into the quick input that is open now (an input box) and presses Enter. */
export async function answerInputBox(page: Page, text: string): Promise<void> {
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor();
  await input.fill(text);
  await input.press('Enter');
}

async function waitForHealth(origin: string, server: ChildProcess): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error('code-server exited during start-up');
    if (await fetch(`${origin}/healthz`).then((r) => r.ok, () => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`code-server did not answer ${origin}/healthz within 30 s`);
}

/** code-server was started in its own process group: end all of it (extension host, watcher). */
function killGroup(server: ChildProcess): void {
  if (server.pid === undefined) return;
  for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
    try {
      process.kill(-server.pid, signal);
    } catch {
      return;
    }
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}
