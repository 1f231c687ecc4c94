/**
 * The workbench: everything behind the commands and views, wired to the agent core. Bundled apart
 * from extension.ts and loaded on first use, so activation stays cheap.
 */
import * as vscode from 'vscode';
import { join } from 'node:path';
import { JsonlTraceExporter, Tracer, type RunConfig, type TracerHooks } from '../core';
import { WorkbenchApprovals } from './approvals';
import { configureModel } from './configureModel';
import { lineWriter } from './lineWriter';
import { memoryCommands } from './memoryCommands';
import { MemoryFileSystem } from './memoryFileSystem';
import { MemoryService } from './memoryService';
import { MemoryView } from './memoryView';
import { availableLanguageModels, chooseModel } from './models';
import { Panel } from './panel';
import { RunCommands } from './runCommands';
import { didStart, RunManager, type RunRecord } from './runManager';
import { RunsView } from './runsView';
import { ApiKeys } from './secrets';
import { readSettings } from './settings';
import { lookAtStoredRuns } from './startUpRuns';
import { runStatusBar } from './statusBar';

/** What extension.ts hands the commands and views to. */
export interface Workbench extends vscode.Disposable {
  commands: Record<string, (...args: unknown[]) => unknown>;
  runsView: vscode.TreeDataProvider<unknown>;
  memoryView: vscode.TreeDataProvider<unknown>;
  /** Memories as editable documents (the deep-agent-memory: scheme). */
  memoryFiles: vscode.FileSystemProvider;
  /** After start-up: brings in the CLI's runs, prunes old ones, offers interrupted ones. */
  lookAtStoredRuns(): Promise<void>;
  /** The panel VS Code brings back after a window reload, with the state its webview saved. */
  restorePanel(panel: vscode.WebviewPanel, state: unknown): void;
}

/** What extension.ts lets the workbench do to the views it owns. */
interface WorkbenchHooks {
  /** Runs that were interrupted and can be resumed: the Runs view's badge. */
  setInterruptedCount(count: number): void;
}

export function createWorkbench(context: vscode.ExtensionContext, log: vscode.LogOutputChannel, hooks: WorkbenchHooks): Workbench {
  const keys = new ApiKeys(context.secrets);
  const storage = (context.storageUri ?? context.globalStorageUri).fsPath;
  const approvals: WorkbenchApprovals = new WorkbenchApprovals((): vscode.ViewColumn | undefined => panel.viewColumn);
  // Memories follow the user across workspaces: they live in the global storage (memoryConfig.ts).
  const memory = new MemoryService(context.globalStorageUri.fsPath, keys, log);
  const memoryView = new MemoryView(memory);
  const memoryFiles = new MemoryFileSystem(memory);
  const runs = new RunManager(storage, keys, () => traceOptions(storage, log), log, approvals, memory);
  // A run that remembered or forgot something: the Memory view shows it.
  const memoryEvents = runs.onEvent((event) => (event.type === 'memory_store' || event.type === 'memory_forget') && memory.changed());
  const panel = new Panel(
    context.extensionUri,
    runs,
    async () => {
      try {
        const choice = await chooseModel(readSettings(), keys);
        return 'label' in choice ? { label: choice.label, languageModels: [] } : { languageModels: await availableLanguageModels() };
      } catch (error) {
        const problem = error instanceof Error ? error.message : String(error);
        log.error(problem);
        return { languageModels: [], problem };
      }
    },
    approvals,
    log,
  );
  const statusBar = runStatusBar(runs);
  const runCommands = new RunCommands(runs, panel);
  // Listings may finish out of order: only the latest one sets the badge.
  let listing = 0;
  const countInterrupted = () => {
    const mine = ++listing;
    void runs.list().then(
      (all) => mine === listing && hooks.setInterruptedCount(all.filter((r) => r.summary.status === 'interrupted').length),
      (error: unknown) => log.warn(`listing runs failed: ${String(error)}`),
    );
  };
  const counting = runs.onRunsChanged(countInterrupted);
  countInterrupted();
  let disposed = false;
  return {
    runsView: new RunsView(runs) as vscode.TreeDataProvider<unknown>,
    memoryView: memoryView as vscode.TreeDataProvider<unknown>,
    memoryFiles,
    lookAtStoredRuns: () => lookAtStoredRuns(context, runs, log),
    restorePanel: (webviewPanel, state) => panel.restore(webviewPanel, state),
    commands: {
      'deepAgent.runTask': async () => {
        const task = await askForTask();
        if (task && didStart(await runs.start(task))) await panel.show();
      },
      'deepAgent.stopRun': () => {
        if (!runs.stop()) void vscode.window.showInformationMessage('No Deep Agent run is going.');
      },
      'deepAgent.openPanel': () => panel.show(),
      // A run id (a click in the Runs view) or a Runs view item (its context menu).
      'deepAgent.openRun': (run: unknown) => panel.show(typeof run === 'string' ? run : (run as RunRecord | undefined)?.summary?.runId),
      // With a reason when a run asks for a model first; without one from the palette or the panel.
      'deepAgent.configureModel': (why: unknown) => configureModel(keys, typeof why === 'string' ? why : undefined),
      'deepAgent.exportTrace': () => exportTrace(runs),
      'deepAgent.resumeRun': (run: unknown) => runCommands.resume(run),
      'deepAgent.forkRun': (run: unknown) => runCommands.fork(run),
      'deepAgent.restoreCheckpoint': (run: unknown) => runCommands.restore(run),
      'deepAgent.deleteRun': (run: unknown) => runCommands.delete(run),
      'deepAgent.exportRun': (run: unknown) => runCommands.export(run),
      ...memoryCommands(memory, memoryView, memoryFiles, keys, log),
    },
    dispose: () => {
      if (disposed) return;
      disposed = true;
      // Runs first: their journals close before anything else the shutdown does can reach them.
      runs.dispose();
      counting.dispose();
      runCommands.dispose();
      statusBar.dispose();
      panel.dispose();
      approvals.dispose();
      memoryEvents.dispose();
      memory.dispose();
    },
  };
}

/** The prompt, with the editor's selection attached as context when there is one. */
async function askForTask(): Promise<string | undefined> {
  const editor = vscode.window.activeTextEditor;
  const selection = editor && !editor.selection.isEmpty ? editor.selection : undefined;
  const where = selection && editor ? `${vscode.workspace.asRelativePath(editor.document.uri)} lines ${selection.start.line + 1}–${selection.end.line + 1}` : undefined;
  const task = await vscode.window.showInputBox({
    title: 'Deep Agent: Run Task',
    prompt: where ? `What should the agent do? The selection (${where}) is attached.` : 'What should the agent do?',
    placeHolder: 'e.g. Add input validation to src/user.ts and write a test for it',
    ignoreFocusOut: true,
  });
  if (!task?.trim()) return undefined;
  if (!selection || !editor) return task.trim();
  return `${task.trim()}\n\nSelected code from ${where}:\n\`\`\`${editor.document.languageId}\n${editor.document.getText(selection)}\n\`\`\``;
}

/** The trace exporters the settings ask for: the output channel, a JSONL file per day under the storage, OTLP. */
function traceOptions(storage: string, log: vscode.LogOutputChannel): { config: RunConfig['trace']; hooks: TracerHooks } {
  const { traceExporters, otlpEndpoint } = readSettings();
  return {
    config: {
      console: traceExporters.includes('output'),
      jsonl: traceExporters.includes('jsonl') ? join(storage, 'traces', `${new Date().toISOString().slice(0, 10)}.jsonl`) : undefined,
      otlp: traceExporters.includes('otlp') ? otlpEndpoint : undefined,
    },
    hooks: {
      traceConsole: { stream: lineWriter((line) => log.info(line)), colour: false },
      onExporterError: (name, error) => log.warn(`trace exporter ${name} failed and was turned off: ${String(error)}`),
    },
  };
}

async function exportTrace(runs: RunManager): Promise<void> {
  const all = await runs.list();
  if (!all.length) {
    void vscode.window.showInformationMessage('There is no run to export yet.');
    return;
  }
  const pick = await vscode.window.showQuickPick(
    all.map((r) => ({ label: r.summary.prompt.split('\n', 1)[0]!, description: `${r.summary.status} · ${new Date(r.summary.startedAt).toLocaleString()}`, run: r })),
    { title: 'Deep Agent: Export Trace — which run?' },
  );
  if (!pick) return;
  const target = await vscode.window.showSaveDialog({ defaultUri: vscode.Uri.file(`trace-${pick.run.summary.runId}.jsonl`), filters: { 'JSON Lines': ['jsonl'] } });
  if (!target) return;
  const events = await runs.events(pick.run.summary.runId);
  const tracer = new Tracer({ exporters: [new JsonlTraceExporter({ path: target.fsPath })] });
  for (const event of events) tracer.onEvent(event);
  await tracer.shutdown();
  void vscode.window.showInformationMessage(`Trace of ${events.length} events written to ${target.fsPath}`);
}
