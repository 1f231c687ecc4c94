/**
 * The quick start's workbench (`npm start`): the CLI replays the demo into a project outside the
 * repository (~/.cache/deep-agent-workbench/demo, or DEEP_AGENT_DEMO_WORKSPACE) and journals the
 * run there; then that very project opens with this extension loaded — in desktop VS Code when
 * `code` is on the PATH, otherwise in code-server on a printed 127.0.0.1 URL — and the workbench
 * shows the demo's run. It lives beside the e2e harness because it starts VS Code the same way the
 * tests do.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { cacheDir, codeServerDir, extensionDir, startCodeServer } from './codeServer';

async function main(): Promise<void> {
  const workspace = resolve(process.env.DEEP_AGENT_DEMO_WORKSPACE ?? join(cacheDir, 'demo'));
  replayDemoUnlessDone(workspace);
  const next = 'The Deep Agent panel and Runs view show the demo run. To run your own task: "Deep Agent: Run Task" (it sets up a model first).';
  if (!process.env.DEEP_AGENT_USE_CODE_SERVER && spawnSync('code', ['--version'], { stdio: 'ignore' }).status === 0) {
    execFileSync('code', ['--new-window', `--extensionDevelopmentPath=${extensionDir}`, workspace], { stdio: 'inherit' });
    console.log(`\nOpened ${workspace} in VS Code with Deep Agent Workbench loaded. ${next}`);
    return;
  }
  execFileSync('bash', [join(__dirname, 'installCodeServer.sh'), codeServerDir], { stdio: 'inherit' });
  const server = await startCodeServer({ workspace, settings: {} });
  const stop = () => {
    server.stop();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  console.log(`\nDeep Agent Workbench is running in VS Code (code-server) on ${workspace}. Open this in a browser:\n\n  ${server.url}\n`);
  console.log(`${next} Ctrl-C stops it.`);
}

/** The demo is replayed into a new or empty folder; one with anything in it (an earlier start, the user's changes) is left as it is. */
function replayDemoUnlessDone(workspace: string): void {
  if (existsSync(workspace) && readdirSync(workspace).length > 0) {
    console.log(`The demo project ${workspace} is there from an earlier start; it opens as it is.`);
    console.log('To replay the demo afresh, delete that folder, or set DEEP_AGENT_DEMO_WORKSPACE to a new one.');
    return;
  }
  const cli = join(extensionDir, 'dist', 'cli.js');
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run "npm run build" first (npm start does)`);
  execFileSync(process.execPath, [cli, 'demo', '--workspace', workspace], { stdio: 'inherit' });
}

main().catch((error: unknown) => {
  console.error(`npm start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
