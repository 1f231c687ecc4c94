/**
 * The Runs view: this workspace's runs, newest first, with what each takes on disk; a child run
 * journaled on its own sits under the run that started it (subagents inside their parent's
 * journal are part of its transcript, not rows). A click opens the transcript, the context menu
 * resumes, forks, restores, exports or deletes (by contextValue). A running run's row is updated
 * alone as its totals move; the list is fetched again only when runs come, go or change status.
 */
import * as vscode from 'vscode';
import type { RunRecord, RunManager } from './runManager';
import { nest } from './runTree';
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
  readonly #changed = new vscode.EventEmitter<RunRecord | undefined>();
  readonly onDidChangeTreeData = this.#changed.event;
  /** The children of each run, from the last listing. */
  #children = new Map<string, RunRecord[]>();
  /** The runs of the last listing, by id. */
  #shown = new Map<string, RunRecord>();

  constructor(private readonly runs: RunManager) {
    runs.onRunsChanged(() => this.#changed.fire(undefined));
    // Tokens and cost of a running run: its row only (RunManager keeps one record object per run).
    runs.onRunChanged((record) => this.#shown.has(record.summary.runId) && this.#changed.fire(record));
  }

  async getChildren(element?: RunRecord): Promise<RunRecord[]> {
    if (element) return this.#children.get(element.summary.runId) ?? [];
    const all = await this.runs.list();
    const { roots, children } = nest(all);
    this.#children = children;
    this.#shown = new Map(all.map((r) => [r.summary.runId, r]));
    return roots;
  }

  getParent(element: RunRecord): RunRecord | undefined {
    return element.parentRunId ? this.#shown.get(element.parentRunId) : undefined;
  }

  getTreeItem(run: RunRecord): vscode.TreeItem {
    const { summary } = run;
    const hasChildren = (this.#children.get(summary.runId)?.length ?? 0) > 0;
    const item = new vscode.TreeItem(firstLine(summary.prompt), hasChildren ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
    const totals = run.totals ?? { tokens: 0, costUsd: 0 };
    const started = new Date(summary.startedAt);
    const size = run.stored ? formatBytes(run.stored.bytes) : undefined;
    item.description = [summary.status, started.toLocaleString(), `${totals.tokens.toLocaleString()} tok`, `$${totals.costUsd.toFixed(4)}`, size].filter(Boolean).join(' · ');
    const forked = run.stored?.forkedFrom ? `\n\nForked from run ${run.stored.forkedFrom.runId} at checkpoint ${run.stored.forkedFrom.checkpointId}` : '';
    const child = run.parentRunId ? `\n\nStarted by run ${run.parentRunId}` : '';
    const resumable = summary.status === 'interrupted' ? '\n\nInterrupted: resume it from the context menu.' : summary.status === 'cancelled' ? '\n\nCancelled: resume it from the context menu.' : '';
    const tooltip = new vscode.MarkdownString(
      `**${summary.status}** — started ${started.toLocaleString()}\n\n${totals.tokens.toLocaleString()} tokens · $${totals.costUsd.toFixed(4)}${size ? ` · ${size} stored` : ''}${forked}${child}${resumable}\n\n---\n\n`,
    );
    tooltip.appendText(summary.prompt);
    item.tooltip = tooltip;
    item.iconPath = new vscode.ThemeIcon(icons[summary.status] ?? 'circle-outline');
    item.id = summary.runId;
    // run.running, run.completed, run.interrupted, …: the menus in package.json match on these, child runs too.
    item.contextValue = `run.${summary.status}`;
    item.command = { command: 'deepAgent.openRun', title: 'Open Transcript', arguments: [summary.runId] };
    return item;
  }
}

const firstLine = (text: string) => {
  const line = text.split('\n', 1)[0]!;
  return line.length > 80 ? `${line.slice(0, 80)}…` : line;
};
