/**
 * The quick start's workbench (`npm start`): the demo workspace opened with this extension loaded —
 * in desktop VS Code when `code` is on the PATH, otherwise in code-server on a printed 127.0.0.1 URL.
 * It lives beside the e2e harness because it starts VS Code the same way the tests do.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { writeDemoWorkspace } from '../../src/cli/demo/workspace';
import { extensionDir, startCodeServer } from './codeServer';

async function main(): Promise<void> {
  const workspace = process.env.DEEP_AGENT_DEMO_WORKSPACE ?? join(extensionDir, '.tmp', 'demo-workspace');
  // Made once; later starts keep whatever was done in it.
  if (!existsSync(workspace)) await writeDemoWorkspace(workspace);
  if (!process.env.DEEP_AGENT_USE_CODE_SERVER && spawnSync('code', ['--version'], { stdio: 'ignore' }).status === 0) {
    execFileSync('code', ['--new-window', `--extensionDevelopmentPath=${extensionDir}`, workspace], { stdio: 'inherit' });
    console.log(`Opened ${workspace} in VS Code with Deep Agent Workbench loaded. Start with "Deep Agent: Configure Model".`);
    return;
  }
  execFileSync('bash', [join(__dirname, 'installCodeServer.sh')], { stdio: 'inherit' });
  const server = await startCodeServer({ workspace, settings: {} });
  const stop = () => {
    server.stop();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  console.log(`\nDeep Agent Workbench is running in VS Code (code-server). Open this in a browser:\n\n  ${server.url}\n`);
  console.log('Then: the Deep Agent icon in the activity bar, "Deep Agent: Configure Model", and "Deep Agent: Run Task". Ctrl-C stops it.');
}

main().catch((error: unknown) => {
  console.error(`npm start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
