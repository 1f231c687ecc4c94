/**
 * A real VS Code (code-server) with this extension loaded from the working tree, driven by
 * playwright-core in Debian's chromium (../shared/notes/real-vscode-e2e.md). Nothing touches $HOME.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { chromium, type BrowserContext, type FrameLocator, type Page } from 'playwright-core';
import { startCodeServer } from './codeServer';

export interface Workbench {
  page: Page;
  workspace: string;
  /** Log lines of the browser console (the extension host's console is forwarded there). */
  console: string[];
  /** Lines of the Deep Agent output channel so far, across window reloads. */
  outputLog(): string[];
  /** The user's settings.json as VS Code wrote it. */
  userSettingsText(): string;
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
  const workspace = mkdtempSync(join(tmpdir(), 'deep-agent-workspace-'));
  for (const [path, content] of Object.entries(options.files)) {
    mkdirSync(dirname(join(workspace, path)), { recursive: true });
    writeFileSync(join(workspace, path), content);
  }
  mkdirSync(options.shotsDir, { recursive: true });
  const server = await startCodeServer({ workspace, settings: options.settings, vsix: options.vsix });
  let context: BrowserContext | undefined;
  const close = async () => {
    await context?.close().catch(() => undefined);
    server.stop();
    rmSync(workspace, { recursive: true, force: true });
  };
  try {
    context = await chromium.launchPersistentContext(join(server.scratch, 'chrome-profile'), {
      executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
      headless: true,
      viewport: { width: 1400, height: 900 },
      env: server.env,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    const page = context.pages()[0] ?? (await context.newPage());
    const consoleLines: string[] = [];
    page.on('console', (m) => consoleLines.push(m.text()));
    const waitForWorkbench = async () => {
      await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
      await page.locator('.statusbar').waitFor({ timeout: 60_000 });
      await page.locator('.activitybar .action-item a[aria-label^="Deep Agent"]').waitFor({ timeout: 60_000 });
    };
    await page.goto(server.url);
    await waitForWorkbench();
    return {
      page,
      workspace,
      console: consoleLines,
      outputLog: () => outputChannelLines(join(server.userData, 'logs')),
      userSettingsText: () => readFileSync(join(server.userData, 'User', 'settings.json'), 'utf8'),
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

/** Picks the row of the open quick pick that shows this text. */
export async function pickQuickItem(page: Page, text: string): Promise<void> {
  const row = page.locator('.quick-input-widget .monaco-list-row', { hasText: text }).first();
  await row.waitFor();
  await row.click();
}

/** Types into the quick input that is open now (an input box) and presses Enter. */
export async function answerInputBox(page: Page, text: string): Promise<void> {
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor();
  await input.fill(text);
  await input.press('Enter');
}
