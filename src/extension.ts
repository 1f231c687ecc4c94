/**
 * activate/deactivate. Kept thin on purpose: it registers the commands and views; the workbench
 * (dist/workbench.js: the agent core, zod, openai, …) is loaded after activation returns, to look at
 * the stored runs (startUpRuns.ts: CLI runs brought in, old runs pruned, interrupted runs offered),
 * or at once when a command or view is used first.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import * as vscode from 'vscode';
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
  'deepAgent.searchMemory',
  'deepAgent.addMemory',
  'deepAgent.refreshMemory',
  'deepAgent.importMemory',
  'deepAgent.exportMemory',
  'deepAgent.consolidateMemory',
  'deepAgent.openMemory',
  'deepAgent.pinMemory',
  'deepAgent.unpinMemory',
  'deepAgent.deleteMemory',
  'deepAgent.openMemoryRun',
  'deepAgent.loadMoreMemories',
];

/** Panel.viewType, said here too so activation need not load the workbench to know it. */
const PANEL_VIEW_TYPE = 'deepAgent.panel';
/** MEMORY_SCHEME (memoryFileSystem.ts), likewise: an editor restored after a reload asks for it. */
const MEMORY_SCHEME = 'deep-agent-memory';

let workbench: Workbench | undefined;

export function activate(context: vscode.ExtensionContext): void {
  const started = performance.now();
  const log = vscode.window.createOutputChannel('Deep Agent', { log: true });
  const load = (): Workbench => {
    if (!workbench) {
      const t = performance.now();
      // A separate bundle, required at run time; a variable path keeps esbuild from inlining it.
      const modulePath = join(__dirname, 'workbench.js');
      const { createWorkbench } = require(modulePath) as typeof import('./vscode/workbench');
      workbench = createWorkbench(context, log, {
        setInterruptedCount: (count) => setBadge(count),
      });
      context.subscriptions.push(workbench);
      log.info(`workbench loaded in ${(performance.now() - t).toFixed(1)} ms`);
    }
    return workbench;
  };

  const runsTree = vscode.window.createTreeView('deepAgent.runs', { treeDataProvider: lazyTree(() => load().runsView) });
  const setBadge = (count: number) => {
    runsTree.badge = count > 0 ? { value: count, tooltip: `${count} interrupted run${count === 1 ? '' : 's'}: resume from the run's context menu` } : undefined;
  };

  context.subscriptions.push(
    log,
    runsTree,
    vscode.window.registerTreeDataProvider('deepAgent.memory', lazyTree(() => load().memoryView)),
    vscode.workspace.registerFileSystemProvider(MEMORY_SCHEME, lazyFileSystem(() => load().memoryFiles), { isCaseSensitive: true }),
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
  // Off the activation path: activate() returns first, then the workbench looks at the stored runs —
  // only when there are some (here, or the CLI's in a workspace folder): loading it takes a while.
  void anyJournals([join((context.storageUri ?? context.globalStorageUri).fsPath, 'runs'), ...(vscode.workspace.workspaceFolders ?? []).map((f) => join(f.uri.fsPath, '.deep-agent', 'runs'))]).then((found) => {
    if (!found) return;
    try {
      void load().lookAtStoredRuns();
    } catch (error) {
      log.error(`the workbench could not be loaded: ${String(error)}`);
    }
  });
  log.info(`activated in ${(performance.now() - started).toFixed(1)} ms`);
}

/** A reload or quit: runs stop journaling before they are aborted, so they stay resumable. */
export function deactivate(): void {
  workbench?.dispose();
  workbench = undefined;
}

/** True when one of the folders holds a journal (a .jsonl file). */
async function anyJournals(dirs: string[]): Promise<boolean> {
  for (const dir of dirs) if ((await readdir(dir).catch(() => [])).some((name) => name.endsWith('.jsonl'))) return true;
  return false;
}

/** A tree whose real provider is created when the view first asks for its items; its changes (one item or all) pass through. */
function lazyTree(provider: () => vscode.TreeDataProvider<unknown>): vscode.TreeDataProvider<unknown> {
  const changed = new vscode.EventEmitter<unknown>();
  let real: vscode.TreeDataProvider<unknown> | undefined;
  const get = () => {
    if (!real) {
      real = provider();
      real.onDidChangeTreeData?.((element) => changed.fire(element));
    }
    return real;
  };
  return {
    onDidChangeTreeData: changed.event,
    getChildren: (element) => get().getChildren(element),
    getTreeItem: (element) => get().getTreeItem(element),
    getParent: (element) => get().getParent?.(element),
  };
}

/** A file system whose real provider is created on its first use; its change events pass through. */
function lazyFileSystem(provider: () => vscode.FileSystemProvider): vscode.FileSystemProvider {
  const changed = new vscode.EventEmitter<vscode.FileChangeEvent[]>();
  let real: vscode.FileSystemProvider | undefined;
  const get = () => {
    if (!real) {
      real = provider();
      real.onDidChangeFile((events) => changed.fire(events));
    }
    return real;
  };
  return {
    onDidChangeFile: changed.event,
    watch: (uri, options) => get().watch(uri, options),
    stat: (uri) => get().stat(uri),
    readDirectory: (uri) => get().readDirectory(uri),
    createDirectory: (uri) => get().createDirectory(uri),
    readFile: (uri) => get().readFile(uri),
    writeFile: (uri, content, options) => get().writeFile(uri, content, options),
    delete: (uri, options) => get().delete(uri, options),
    rename: (from, to, options) => get().rename(from, to, options),
  };
}
