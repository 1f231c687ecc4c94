/**
 * The look at stored runs after start-up: runs the CLI journaled in the workspace are brought in
 * (cliRuns.ts), old finished runs are pruned, and runs a reload or crash interrupted are offered
 * for resuming. It lists runs with the core's store, which extension.js must not bundle (it would
 * bring zod and openai), so it lives in the workbench, loaded just after activation.
 */
import * as vscode from 'vscode';
import type { StoredRun } from '../core';
import { CLI_RUNS_DIR, importCliRuns } from './cliRuns';
import type { RunManager } from './runManager';
import { runsToPrune, type RetentionSettings } from './storedRuns';
import { readRetention } from './settings';

/** The ids of the CLI runs brought in so far, so one deleted here is not brought back. */
const IMPORTED_CLI_RUNS = 'deepAgent.importedCliRuns';

export async function lookAtStoredRuns(context: vscode.ExtensionContext, runs: RunManager, log: vscode.LogOutputChannel): Promise<void> {
  await bringInCliRuns(context, runs, log).catch((error: unknown) => log.warn(`looking for the CLI's runs failed: ${String(error)}`));
  await checkStoredRuns(runs, log).catch((error: unknown) => log.warn(`looking at stored runs failed: ${String(error)}`));
}

/**
 * Brings in the runs the CLI journaled in the workspace. When the workbench had nothing here
 * before (the folder `npm start` opens on the demo, say), it shows the newest of them: the Runs
 * view and its transcript in the panel.
 */
async function bringInCliRuns(context: vscode.ExtensionContext, runs: RunManager, log: vscode.LogOutputChannel): Promise<void> {
  const folders = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath);
  if (!folders.length) return;
  const known = context.workspaceState.get<string[]>(IMPORTED_CLI_RUNS);
  const nothingHereBefore = known === undefined && (await runs.store.listRuns()).length === 0;
  const { imported, problems } = await importCliRuns(folders, runs.store.dir, new Set(known));
  for (const problem of problems) log.warn(problem);
  if (!imported.length) return;
  await context.workspaceState.update(IMPORTED_CLI_RUNS, [...(known ?? []), ...imported.map((r) => r.runId)]);
  log.info(`${imported.length} run(s) the CLI journaled in ${CLI_RUNS_DIR} added to the Runs view`);
  runs.refresh();
  if (!nothingHereBefore) return;
  await vscode.commands.executeCommand('deepAgent.runs.focus');
  await vscode.commands.executeCommand('deepAgent.openRun', imported[0]!.runId);
}

/** Prunes old finished runs, then offers the interrupted ones (a notification; the badge follows the Runs view's listing). */
async function checkStoredRuns(runs: RunManager, log: vscode.LogOutputChannel): Promise<void> {
  const t = performance.now();
  let stored = await afterOtherWindowsLetGo(runs);
  let retention: RetentionSettings | undefined;
  try {
    const { runsKeepDays, runsKeepCount } = readRetention();
    retention = { keepDays: runsKeepDays, keepCount: runsKeepCount };
  } catch (error) {
    log.warn(`${error instanceof Error ? error.message : String(error)}; no runs were pruned`);
  }
  if (retention) {
    const pruned = new Set(runsToPrune(stored, retention, Date.now()));
    for (const run of pruned) await runs.store.deleteRun(run.runId);
    if (pruned.size) {
      log.info(`pruned ${pruned.size} finished run(s) (deepAgent.runs.keepDays ${retention.keepDays}, keepCount ${retention.keepCount})`);
      runs.refresh();
    }
    stored = stored.filter((r) => !pruned.has(r));
  }
  const interrupted = stored.filter((r) => r.status === 'interrupted').sort((a, b) => b.updatedAt - a.updatedAt);
  log.info(`${stored.length} stored run(s), ${interrupted.length} interrupted, looked at in ${(performance.now() - t).toFixed(1)} ms`);
  if (interrupted.length) await offerResume(interrupted);
}

/** How long a reloaded window waits for the extension host it replaces to let go of its runs. */
const RELEASE_WAIT_MS = 10_000;
const RELEASE_POLL_MS = 250;

/**
 * The stored runs, once the extension host this window replaces (a reload) has let go of its runs:
 * for a moment after a reload the old one is still alive and its runs look running, and would not be
 * offered for resuming. Runs another window keeps going past the wait still look running, as they are.
 */
async function afterOtherWindowsLetGo(runs: RunManager): Promise<StoredRun[]> {
  const heldElsewhere = (stored: StoredRun[]) => stored.some((r) => r.status === 'running' && runs.running()?.summary.runId !== r.runId);
  let stored = await runs.store.listRuns();
  for (const until = Date.now() + RELEASE_WAIT_MS; heldElsewhere(stored) && Date.now() < until; ) {
    await new Promise((resolve) => setTimeout(resolve, RELEASE_POLL_MS));
    stored = await runs.store.listRuns();
  }
  return stored;
}

async function offerResume(interrupted: StoredRun[]): Promise<void> {
  const only = interrupted.length === 1 ? interrupted[0]! : undefined;
  const prompt = only?.prompt.split('\n', 1)[0];
  const what = prompt ? `: "${prompt.length > 60 ? `${prompt.slice(0, 60)}…` : prompt}"` : '';
  const message = only ? `1 Deep Agent run was interrupted${what}` : `${interrupted.length} Deep Agent runs were interrupted`;
  const choice = await vscode.window.showInformationMessage(message, 'Resume', 'Show Runs');
  if (choice === 'Resume') await vscode.commands.executeCommand('deepAgent.resumeRun', only?.runId);
  else if (choice === 'Show Runs') await vscode.commands.executeCommand('deepAgent.runs.focus');
}
