/**
 * The Runs view: this workspace's runs, newest first, with what each takes on disk; a click opens
 * the transcript, the context menu resumes, forks, restores, exports or deletes (by contextValue).
 */
import * as vscode from 'vscode';
import type { RunRecord, RunManager } from './runManager';
import { formatBytes } from './storedRuns';

const icons: Record<string, string> = {
  running: 'sync~spin',
  completed: 'pass',
  failed: 'error',
  cancelled: 'circle-slash',
  stopped: 'debug-stop',
  interrupted: 'warning',
};

export class RunsView implements vscode.TreeDataProvider<RunRecord> {
  readonly #changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.#changed.event;

  constructor(private readonly runs: RunManager) {
    runs.onRunsChanged(() => this.#changed.fire());
    // Tokens and cost of the running run move with each step.
    runs.onEvent((e) => e.type === 'step_end' && !e.parentRunId && this.#changed.fire());
  }

  getChildren(element?: RunRecord): Promise<RunRecord[]> | RunRecord[] {
    return element ? [] : this.runs.list();
  }

  getTreeItem(run: RunRecord): vscode.TreeItem {
    const { summary } = run;
    const item = new vscode.TreeItem(firstLine(summary.prompt), vscode.TreeItemCollapsibleState.None);
    const totals = totalsOf(run);
    const started = new Date(summary.startedAt);
    const size = run.stored ? formatBytes(run.stored.bytes) : undefined;
    item.description = [summary.status, started.toLocaleString(), `${totals.tokens.toLocaleString()} tok`, `$${totals.cost.toFixed(4)}`, size].filter(Boolean).join(' · ');
    const forked = run.stored?.forkedFrom ? `\n\nForked from run ${run.stored.forkedFrom.runId} at checkpoint ${run.stored.forkedFrom.checkpointId}` : '';
    const resumable = summary.status === 'interrupted' ? '\n\nInterrupted: resume it from the context menu.' : '';
    const tooltip = new vscode.MarkdownString(
      `**${summary.status}** — started ${started.toLocaleString()}\n\n${totals.tokens.toLocaleString()} tokens · $${totals.cost.toFixed(4)}${size ? ` · ${size} stored` : ''}${forked}${resumable}\n\n---\n\n`,
    );
    tooltip.appendText(summary.prompt);
    item.tooltip = tooltip;
    item.iconPath = new vscode.ThemeIcon(icons[summary.status] ?? 'circle-outline');
    item.id = summary.runId;
    // run.running, run.completed, run.interrupted, …: the menus in package.json match on these.
    item.contextValue = `run.${summary.status}`;
    item.command = { command: 'deepAgent.openRun', title: 'Open Transcript', arguments: [summary.runId] };
    return item;
  }
}

/** Tokens and cost so far: the last progress or run_end of the top-level run. */
function totalsOf(run: RunRecord): { tokens: number; cost: number } {
  for (let i = run.events.length - 1; i >= 0; i--) {
    const e = run.events[i]!;
    if (e.runId !== run.summary.runId) continue;
    if (e.type === 'run_end' || e.type === 'progress') return { tokens: e.data.usage.totalTokens, cost: e.data.costUsd };
  }
  return { tokens: 0, cost: 0 };
}

const firstLine = (text: string) => {
  const line = text.split('\n', 1)[0]!;
  return line.length > 80 ? `${line.slice(0, 80)}…` : line;
};
