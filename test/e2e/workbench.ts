/**
 * A real VS Code (code-server) with this extension loaded from the working tree, driven by
 * playwright-core in Debian's chromium (../shared/notes/real-vscode-e2e.md). Nothing touches $HOME.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { chromium, type BrowserContext, type FrameLocator, type Page } from 'playwright-core';
import { startCodeServer } from './codeServer';

/** A browser on a VS Code page. */
export interface BrowserWorkbench {
  page: Page;
  /** Log lines of the browser console (the extension host's console is forwarded there). */
  console: string[];
  shot(name: string): Promise<void>;
  runCommand(title: string): Promise<void>;
  /** The panel's webview document, two iframes deep. */
  panel(): FrameLocator;
  reload(): Promise<void>;
  /**
   * Developer: Reload Window. Unlike a page reload it lets VS Code save the window's state first
   * (open editors, webview state); a page reload in the browser can beat that save.
   */
  reloadWindow(): Promise<void>;
  close(): Promise<void>;
}

/** A VS Code of this test's own, on a workspace of these files. */
export interface Workbench extends BrowserWorkbench {
  workspace: string;
  /** Lines of the Deep Agent output channel so far, across window reloads. */
  outputLog(): string[];
  /** The user's settings.json as VS Code wrote it. */
  userSettingsText(): string;
  /** Merges these into the user's settings.json (VS Code picks the change up). */
  updateUserSettings(settings: Record<string, unknown>): void;
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
  const server = await startCodeServer({ workspace, settings: options.settings, vsix: options.vsix });
  const stop = () => {
    server.stop();
    rmSync(workspace, { recursive: true, force: true });
  };
  let browser: BrowserWorkbench;
  try {
    browser = await openBrowser(server.url, { profileDir: join(server.scratch, 'chrome-profile'), env: server.env, shotsDir: options.shotsDir });
  } catch (error) {
    stop();
    throw error;
  }
  return {
    ...browser,
    workspace,
    outputLog: () => outputChannelLines(join(server.userData, 'logs')),
    userSettingsText: () => readFileSync(join(server.userData, 'User', 'settings.json'), 'utf8'),
    updateUserSettings: (settings) => {
      const path = join(server.userData, 'User', 'settings.json');
      writeFileSync(path, JSON.stringify({ ...(JSON.parse(readFileSync(path, 'utf8')) as object), ...settings }, null, 2));
    },
    close: async () => {
      await browser.close();
      stop();
    },
  };
}

/** Debian's chromium (headless, a fresh profile) on a VS Code page, once the workbench and the Deep Agent icon are up. */
export async function openBrowser(
  url: string,
  options: { profileDir: string; env: NodeJS.ProcessEnv; shotsDir: string; /** false: this extension is not loaded, wait for the workbench only. */ deepAgent?: boolean },
): Promise<BrowserWorkbench> {
  mkdirSync(options.shotsDir, { recursive: true });
  const context: BrowserContext = await chromium.launchPersistentContext(options.profileDir, {
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1400, height: 900 },
    env: options.env,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const close = () => context.close().catch(() => undefined);
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    const consoleLines: string[] = [];
    page.on('console', (m) => consoleLines.push(m.text()));
    const waitForWorkbench = async () => {
      await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
      await page.locator('.statusbar').waitFor({ timeout: 60_000 });
      if (options.deepAgent !== false) await page.locator('.activitybar .action-item a[aria-label^="Deep Agent"]').waitFor({ timeout: 60_000 });
    };
    await page.goto(url);
    await waitForWorkbench();
    const runCommand = async (title: string) => {
      await page.keyboard.press('F1');
      const input = page.locator('.quick-input-widget .quick-input-box input');
      await input.waitFor();
      await input.fill(`>${title}`);
      await page.locator('.quick-input-widget .monaco-list-row', { hasText: title }).first().waitFor();
      await input.press('Enter');
    };
    return {
      page,
      console: consoleLines,
      shot: async (name) => void (await page.screenshot({ path: join(options.shotsDir, `${name}.png`) })),
      runCommand,
      panel: () => page.frameLocator('iframe.webview.ready').frameLocator('#active-frame'),
      reload: async () => {
        await page.reload();
        await waitForWorkbench();
      },
      reloadWindow: async () => {
        const reloaded = page.waitForEvent('framenavigated', { predicate: (frame) => frame === page.mainFrame(), timeout: 60_000 });
        await runCommand('Developer: Reload Window');
        await reloaded;
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

/** Waits for the notification toast that shows this text and clicks one of its buttons. */
export async function clickNotificationButton(page: Page, text: string, button: string): Promise<void> {
  const toast = page.locator('.notification-toast', { hasText: text });
  await toast.waitFor({ timeout: 30_000 });
  await toast.locator('.monaco-button').filter({ hasText: exactly(button) }).click();
}

/** Waits for the modal dialog, clicks one of its buttons, and returns the dialog's text. */
export async function answerDialog(page: Page, button: string): Promise<string> {
  const dialog = page.locator('.monaco-dialog-box');
  await dialog.waitFor({ timeout: 30_000 });
  const text = await dialog.innerText();
  await dialog.locator('.dialog-buttons .monaco-button').filter({ hasText: exactly(button) }).click();
  await dialog.waitFor({ state: 'detached' });
  return text;
}

/** The badge on the Deep Agent icon of the activity bar (the Runs view's TreeView.badge); hidden when there is none. */
export function activityBadge(page: Page) {
  return page.locator('.activitybar .action-item:has(a[aria-label^="Deep Agent"]) .badge-content');
}

const exactly = (text: string) => new RegExp(`^\\s*${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`);

/**
 * Shows a Deep Agent view (Runs, Memory) unless it is shown, through its Focus command (clicking the
 * activity bar icon hides the side bar when it is already open, which right after a reload is hard to
 * tell). Right after a reload, under load, the command palette can come up before it lists the
 * command, or lose what was typed: then it is closed and opened again. Returns the view's rows.
 */
export async function showView(page: Page, name: string) {
  const header = page.locator(`.part.sidebar .pane-header[aria-label^="${name}"]`);
  const input = page.locator('.quick-input-widget .quick-input-box input');
  const title = `Deep Agent: Focus on ${name} View`;
  for (let attempt = 1; !(await header.isVisible()); attempt++) {
    if (attempt > 5) throw new Error(`"${title}" did not show the ${name} view`);
    await page.keyboard.press('F1');
    await input.waitFor();
    await input.fill(`>${title}`);
    const listed = await page
      .locator('.quick-input-widget .monaco-list-row', { hasText: `Focus on ${name} View` })
      .first()
      .waitFor({ timeout: 5_000 })
      .then(() => true, () => false);
    await input.press(listed ? 'Enter' : 'Escape');
    await input.waitFor({ state: 'hidden' });
    if (listed) await header.waitFor({ timeout: 5_000 }).catch(() => undefined);
  }
  return page.locator(`.part.sidebar .pane:has(.pane-header[aria-label^="${name}"]) .monaco-list-row`);
}

export const showRunsView = (page: Page) => showView(page, 'Runs');

/** Right-clicks an element and picks an entry of its context menu. */
export async function contextMenu(page: Page, target: ReturnType<Page['locator']>, entry: string): Promise<void> {
  await target.click({ button: 'right' });
  const item = page.locator('.context-view .monaco-menu .action-item .action-label').filter({ hasText: exactly(entry) });
  await item.waitFor();
  // The menu ignores a click that comes right after it opened (the right button's release); hovering
  // focuses the entry, and Enter runs it.
  await item.hover();
  await page.keyboard.press('Enter');
  await item.waitFor({ state: 'detached' });
}
