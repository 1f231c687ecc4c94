/**
 * activate/deactivate. Kept thin on purpose: it registers the commands and views and loads the
 * workbench (dist/workbench.js: the agent core, zod, openai, …) only when one is first used.
 */
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { Workbench } from './vscode/workbench';

const commandIds = ['deepAgent.runTask', 'deepAgent.stopRun', 'deepAgent.openPanel', 'deepAgent.openRun', 'deepAgent.configureModel', 'deepAgent.exportTrace'];

export function activate(context: vscode.ExtensionContext): void {
  const started = performance.now();
  const log = vscode.window.createOutputChannel('Deep Agent', { log: true });
  let workbench: Workbench | undefined;
  const load = (): Workbench => {
    if (!workbench) {
      const t = performance.now();
      // A separate bundle, required at run time; a variable path keeps esbuild from inlining it.
      const modulePath = join(__dirname, 'workbench.js');
      const { createWorkbench } = require(modulePath) as typeof import('./vscode/workbench');
      workbench = createWorkbench(context, log);
      context.subscriptions.push(workbench);
      log.info(`workbench loaded in ${(performance.now() - t).toFixed(1)} ms`);
    }
    return workbench;
  };

  context.subscriptions.push(
    log,
    vscode.window.registerTreeDataProvider('deepAgent.runs', lazyTree(() => load().runsView)),
    vscode.window.registerTreeDataProvider('deepAgent.memory', lazyTree(() => load().memoryView)),
    ...commandIds.map((id) =>
      vscode.commands.registerCommand(id, async (...args: unknown[]) => {
        try {
          await load().commands[id]!(...args);
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          log.error(`${id}: ${message}`);
          void vscode.window.showErrorMessage(`Deep Agent: ${message}`);
        }
      }),
    ),
  );
  log.info(`activated in ${(performance.now() - started).toFixed(1)} ms`);
}

export function deactivate(): void {}

/** A tree whose real provider is created when the view first asks for its items. */
function lazyTree(provider: () => vscode.TreeDataProvider<unknown>): vscode.TreeDataProvider<unknown> {
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
  };
}
