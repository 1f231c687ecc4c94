/**
 * activate/deactivate. Kept thin on purpose: it registers the commands and views and loads the
 * workbench (dist/workbench.js: the agent core, zod, openai, …) only when one is first used. After
 * start-up it looks at the stored runs with plain fs (storedRuns.ts): runs the CLI journaled in the
 * workspace are brought in (cliRuns.ts), old finished runs are pruned, and runs a reload or crash
 * interrupted are offered for resuming.
 */
import { join } from 'node:path';
import * as vscode from 'vscode';
import { CLI_RUNS_DIR, importCliRuns } from './vscode/cliRuns';
import { deleteRunFiles, retentionFrom, runsToPrune, scanRuns, type ScannedRun } from './vscode/storedRuns';
import type { Workbench } from './vscode/workbench';

const commandIds = [
  'deepAgent.runTask',
  'deepAgent.stopRun',
  'deepAgent.openPanel',
  'deepAgent.openRun',
  'deepAgent.configureModel',
  'deepAgent.exportTrace',
  'deepAgent.resumeRun',
  'deepAgent.forkRun',
  'deepAgent.restoreCheckpoint',
  'deepAgent.deleteRun',
  'deepAgent.exportRun',
];

/** Panel.viewType, said here too so activation need not load the workbench to know it. */
const PANEL_VIEW_TYPE = 'deepAgent.panel';

let workbench: Workbench | undefined;

export function activate(context: vscode.ExtensionContext): void {
  const started = performance.now();
  const log = vscode.window.createOutputChannel('Deep Agent', { log: true });
  const runsDir = join((context.storageUri ?? context.globalStorageUri).fsPath, 'runs');
  // Until the workbench is loaded the start-up scan sets the badge; from then on the workbench does.
  let badgeFromWorkbench = false;
  const load = (): Workbench => {
    if (!workbench) {
      const t = performance.now();
      // A separate bundle, required at run time; a variable path keeps esbuild from inlining it.
      const modulePath = join(__dirname, 'workbench.js');
      const { createWorkbench } = require(modulePath) as typeof import('./vscode/workbench');
      workbench = createWorkbench(context, log, {
        setInterruptedCount: (count) => {
          badgeFromWorkbench = true;
          setBadge(count);
        },
      });
      context.subscriptions.push(workbench);
      log.info(`workbench loaded in ${(performance.now() - t).toFixed(1)} ms`);
    }
    return workbench;
  };

  const runsProvider = lazyTree(() => load().runsView);
  const runsTree = vscode.window.createTreeView('deepAgent.runs', { treeDataProvider: runsProvider });
  const setBadge = (count: number) => {
    runsTree.badge = count > 0 ? { value: count, tooltip: `${count} interrupted run${count === 1 ? '' : 's'}: resume from the run's context menu` } : undefined;
  };

  context.subscriptions.push(
    log,
    runsTree,
    vscode.window.registerTreeDataProvider('deepAgent.memory', lazyTree(() => load().memoryView)),
    // After a window reload VS Code brings the panel back through this; the workbench loads only then.
    vscode.window.registerWebviewPanelSerializer(PANEL_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel, state) => load().restorePanel(panel, state),
    }),
    ...commandIds.map((id) =>
      vscode.commands.registerCommand(id, async (...args: unknown[]) => {
        try {
          // The result goes back to executeCommand's caller (Configure Model says whether a model was set).
          return await load().commands[id]!(...args);
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          log.error(`${id}: ${message}`);
          void vscode.window.showErrorMessage(`Deep Agent: ${message}`);
        }
      }),
    ),
  );
  // Off the activation path: these read files, activate() must not wait for them.
  void (async () => {
    await bringInCliRuns(context, runsDir, log, () => runsProvider.refresh()).catch((error: unknown) => log.warn(`looking for the CLI's runs failed: ${String(error)}`));
    await checkStoredRuns(runsDir, log, (count) => badgeFromWorkbench || setBadge(count)).catch((error: unknown) => log.warn(`looking at stored runs failed: ${String(error)}`));
  })();
  log.info(`activated in ${(performance.now() - started).toFixed(1)} ms`);
}

/** A reload or quit: runs stop journaling before they are aborted, so they stay resumable. */
export function deactivate(): void {
  workbench?.dispose();
  workbench = undefined;
}

/** The ids of the CLI runs brought in so far, so one deleted here is not brought back. */
const IMPORTED_CLI_RUNS = 'deepAgent.importedCliRuns';

/**
 * Brings in the runs the CLI journaled in the workspace. When the workbench had nothing here
 * before (the folder `npm start` opens on the demo, say), it shows the newest of them: the Runs
 * view and its transcript in the panel.
 */
async function bringInCliRuns(context: vscode.ExtensionContext, runsDir: string, log: vscode.LogOutputChannel, refresh: () => void): Promise<void> {
  const folders = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath);
  if (!folders.length) return;
  const known = context.workspaceState.get<string[]>(IMPORTED_CLI_RUNS);
  const nothingHereBefore = known === undefined && (await scanRuns(runsDir)).length === 0;
  const { imported, problems } = await importCliRuns(folders, runsDir, new Set(known));
  for (const problem of problems) log.warn(problem);
  if (!imported.length) return;
  await context.workspaceState.update(IMPORTED_CLI_RUNS, [...(known ?? []), ...imported.map((r) => r.runId)]);
  log.info(`${imported.length} run(s) the CLI journaled in ${CLI_RUNS_DIR} added to the Runs view`);
  refresh();
  if (!nothingHereBefore) return;
  await vscode.commands.executeCommand('deepAgent.runs.focus');
  await vscode.commands.executeCommand('deepAgent.openRun', imported[0]!.runId);
}

/** Prunes old finished runs, then offers the interrupted ones (a notification and the Runs view's badge). */
async function checkStoredRuns(dir: string, log: vscode.LogOutputChannel, setBadge: (count: number) => void): Promise<void> {
  const t = performance.now();
  let runs = await scanRuns(dir);
  const config = vscode.workspace.getConfiguration('deepAgent');
  const retention = retentionFrom({ keepDays: config.get('runs.keepDays', 30), keepCount: config.get('runs.keepCount', 100) });
  if (typeof retention === 'string') log.warn(`${retention}; no runs were pruned`);
  else {
    const pruned = new Set(runsToPrune(runs, retention, Date.now()));
    for (const run of pruned) await deleteRunFiles(dir, run.runId);
    if (pruned.size) log.info(`pruned ${pruned.size} finished run(s) (deepAgent.runs.keepDays ${retention.keepDays}, keepCount ${retention.keepCount})`);
    runs = runs.filter((r) => !pruned.has(r));
  }
  const interrupted = runs.filter((r) => r.state === 'interrupted').sort((a, b) => b.updatedAt - a.updatedAt);
  log.info(`${runs.length} stored run(s), ${interrupted.length} interrupted, looked at in ${(performance.now() - t).toFixed(1)} ms`);
  setBadge(interrupted.length);
  if (interrupted.length) await offerResume(interrupted);
}

async function offerResume(interrupted: ScannedRun[]): Promise<void> {
  const only = interrupted.length === 1 ? interrupted[0]! : undefined;
  const what = only?.prompt ? `: "${only.prompt.length > 60 ? `${only.prompt.slice(0, 60)}…` : only.prompt}"` : '';
  const message = only ? `1 Deep Agent run was interrupted${what}` : `${interrupted.length} Deep Agent runs were interrupted`;
  const choice = await vscode.window.showInformationMessage(message, 'Resume', 'Show Runs');
  if (choice === 'Resume') await vscode.commands.executeCommand('deepAgent.resumeRun', only?.runId);
  else if (choice === 'Show Runs') await vscode.commands.executeCommand('deepAgent.runs.focus');
}

/** A tree whose real provider is created when the view first asks for its items; `refresh` asks the view again. */
function lazyTree(provider: () => vscode.TreeDataProvider<unknown>): vscode.TreeDataProvider<unknown> & { refresh(): void } {
  const changed = new vscode.EventEmitter<void>();
  let real: vscode.TreeDataProvider<unknown> | undefined;
  const get = () => {
    if (!real) {
      real = provider();
      real.onDidChangeTreeData?.(() => changed.fire());
    }
    return real;
  };
  return {
    onDidChangeTreeData: changed.event,
    getChildren: (element) => get().getChildren(element),
    getTreeItem: (element) => get().getTreeItem(element),
    refresh: () => changed.fire(),
  };
}
