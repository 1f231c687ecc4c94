/**
 * A code-server (the real VS Code server) on 127.0.0.1 with this extension loaded, isolated from
 * $HOME: its own user data, extensions and XDG folders under a scratch directory.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** What the quick start keeps between runs (code-server, the demo project): ~/.cache/deep-agent-workbench. */
export const cacheDir = resolve(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'deep-agent-workbench');
export const codeServerDir = resolve(process.env.CODE_SERVER_DIR ?? join(cacheDir, 'code-server-4.100.3'));
const codeServerBin = join(codeServerDir, 'node_modules', '.bin', 'code-server');
export const extensionDir = resolve(__dirname, '..', '..');

export interface CodeServerOptions {
  workspace: string;
  settings: Record<string, unknown>;
  /** Install this VSIX instead of loading the extension from the working tree. */
  vsix?: string;
  /** Load these extension folders from source instead of this one (a test-only extension). */
  developmentExtensions?: string[];
}

export interface CodeServer {
  /** Opens the workspace with the extension loaded. */
  url: string;
  /** Scratch folder holding user data, logs and the XDG folders (a browser may keep its profile here). */
  scratch: string;
  userData: string;
  env: NodeJS.ProcessEnv;
  stop(): void;
}

export async function startCodeServer(options: CodeServerOptions): Promise<CodeServer> {
  if (!existsSync(codeServerBin)) throw new Error(`code-server is not installed at ${codeServerDir}: run bash test/e2e/installCodeServer.sh`);
  const scratch = mkdtempSync(join(tmpdir(), 'deep-agent-vscode-'));
  const dir = (p: string) => {
    mkdirSync(join(scratch, p), { recursive: true });
    return join(scratch, p);
  };
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
  const common = ['--config', configYaml, '--user-data-dir', userData, '--extensions-dir', dir('extensions')];
  if (options.vsix) execFileSync(codeServerBin, [...common, '--install-extension', options.vsix], { env, stdio: 'ignore' });

  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const server = spawn(
    codeServerBin,
    [...common, '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none', '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', options.workspace],
    { env, detached: true, stdio: 'ignore' },
  );
  const stop = () => {
    killGroup(server);
    rmSync(scratch, { recursive: true, force: true });
  };
  try {
    await waitForHealth(origin, server);
  } catch (error) {
    stop();
    throw error;
  }
  const developed = options.developmentExtensions ?? (options.vsix ? [] : [extensionDir]);
  const payload = developed.map((dir) => ['extensionDevelopmentPath', `vscode-remote://127.0.0.1:${port}${dir}`]);
  const url = `${origin}/?folder=${encodeURIComponent(options.workspace)}${payload.length ? `&payload=${encodeURIComponent(JSON.stringify(payload))}` : ''}`;
  return { url, scratch, userData, env, stop };
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
