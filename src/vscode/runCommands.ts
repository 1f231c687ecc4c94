/**
 * The commands on stored runs: Resume, Fork (from a checkpoint of the run's timeline), Restore Files
 * to Checkpoint (diff previews, then a modal confirm; files changed since the run are conflicts,
 * skipped unless restored anyway), Delete and Export. Each takes a run id or a Runs view item, and
 * asks with a quick pick when given neither.
 */
import { readFile } from 'node:fs/promises';
import * as vscode from 'vscode';
import { applyRestore, isResumable, planRestore, type CheckpointInfo, type FileRestore, type RestoreResult, type RunEvent } from '../core';
import type { Panel } from './panel';
import { didStart, type RunManager, type RunRecord } from './runManager';
import { formatBytes } from './storedRuns';
import { WorkspaceFsBackend } from './workspaceBackend';

/** Read-only documents holding a checkpoint's version of a file, for the diff previews. */
const SCHEME = 'deep-agent-checkpoint';
/** Diff previews opened at once, at most; the modal lists every file. */
const MAX_PREVIEWS = 8;

/** A point to restore files to or fork from: a checkpoint, or (restore only) the start of the run. */
interface Point {
  /** For messages, e.g. "step 2 (after write_file notes.txt)". */
  label: string;
  /** For editor titles, e.g. "step 2". */
  short: string;
  checkpointId?: string;
}

export class RunCommands implements vscode.Disposable {
  readonly #contents = new Map<string, string>();
  readonly #registration: vscode.Disposable;
  #previews = 0;

  constructor(
    private readonly runs: RunManager,
    private readonly panel: Panel,
  ) {
    this.#registration = vscode.workspace.registerTextDocumentContentProvider(SCHEME, {
      provideTextDocumentContent: (uri) => this.#contents.get(uri.toString()) ?? '',
    });
  }

  dispose(): void {
    this.#registration.dispose();
  }

  async resume(arg: unknown): Promise<void> {
    const record = await this.runFrom(arg, 'Resume Run', (r) => isResumable(r.summary.status), 'There is no interrupted or cancelled run to resume.');
    if (!record) return;
    if (didStart(await this.runs.resume(record.summary.runId))) await this.panel.show(record.summary.runId);
  }

  async fork(arg: unknown): Promise<void> {
    // Which runs have checkpoints is known once one is opened: pickPoint says when the pick has none.
    const record = await this.runFrom(arg, 'Fork Run', (r) => !r.controller, 'There is no run to fork.');
    if (!record) return;
    const point = await this.pickPoint(record, `Fork "${firstLine(record.summary.prompt)}" — go on from which checkpoint?`, false);
    if (!point?.checkpointId) return;
    if (this.runs.running()) throw new Error('a run is going; stop it or wait for it to finish before forking');
    const backend = workspaceBackend();
    const plan = await this.runs.checkpoints.planRestore(point.checkpointId, backend);
    let restore = false;
    if (plan.length) {
      const restoreAndFork = 'Restore Files and Fork';
      const choice = await vscode.window.showInformationMessage(
        `Fork the run from ${point.label}?`,
        {
          modal: true,
          detail:
            `The run changed ${plan.length} file(s) after that point: ${plan.map((f) => f.path).join(', ')}.\n\n` +
            `"${restoreAndFork}" puts them back as they were there first; "Fork Only" leaves the files as they are now.`,
        },
        restoreAndFork,
        'Fork Only',
      );
      if (!choice) return;
      restore = choice === restoreAndFork;
    }
    const forkId = await this.runs.checkpoints.fork(point.checkpointId);
    if (restore) reportRestore(await this.runs.checkpoints.restoreFiles(point.checkpointId, backend));
    this.runs.refresh();
    if (didStart(await this.runs.resume(forkId))) await this.panel.show(forkId);
  }

  async restore(arg: unknown): Promise<void> {
    const record = await this.runFrom(arg, 'Restore Files to Checkpoint', (r) => !r.controller, 'There is no run that changed files.');
    if (!record) return;
    if (!(await this.eventsOf(record.summary.runId)).some((e) => e.type === 'file_change')) {
      void vscode.window.showInformationMessage('That run changed no files.');
      return;
    }
    const point = await this.pickPoint(record, `Restore the files "${firstLine(record.summary.prompt)}" changed — to which point?`, true);
    if (!point) return;
    if (this.runs.running()) throw new Error('a run is going; stop it or wait for it to finish before restoring files');
    const backend = workspaceBackend();
    const { runId } = record.summary;
    const plan = point.checkpointId ? await this.runs.checkpoints.planRestore(point.checkpointId, backend) : await planRestore(await this.eventsOf(runId), 0, backend);
    if (!plan.length) {
      void vscode.window.showInformationMessage(`The files are already as they were at ${point.label}.`);
      return;
    }
    const preview = await this.preview(plan, point, backend);
    let choice: string | undefined;
    try {
      const conflicts = plan.filter((f) => f.conflict);
      const buttons = [...(conflicts.length < plan.length ? ['Restore'] : []), ...(conflicts.length ? ['Restore Anyway'] : [])];
      const lines = plan.map((f) => `${f.conflict ? '⚠ ' : ''}${f.path}: ${whatRestoreDoes(f)}${f.conflict ? ' — changed since the run wrote it' : ''}`);
      const conflictNote = conflicts.length
        ? `\n\n${conflicts.length} file(s) marked ⚠ were changed after the run wrote them. "Restore" leaves them alone; "Restore Anyway" overwrites them too.`
        : '';
      choice = await vscode.window.showWarningMessage(
        `Restore ${plan.length} file(s) to ${point.label}?`,
        { modal: true, detail: `${lines.join('\n')}${conflictNote}` },
        ...buttons,
      );
    } finally {
      await preview.close();
    }
    if (!choice) return;
    const force = choice === 'Restore Anyway';
    const result = point.checkpointId
      ? await this.runs.checkpoints.restoreFiles(point.checkpointId, backend, { force })
      : await applyRestore(await planRestore(await this.eventsOf(runId), 0, backend), backend, { force });
    reportRestore(result);
  }

  async delete(arg: unknown): Promise<void> {
    const record = await this.runFrom(arg, 'Delete Run', (r) => !r.controller, 'There is no run to delete.');
    if (!record) return;
    const { runId } = record.summary;
    const choice = await vscode.window.showWarningMessage(
      `Delete the run "${firstLine(record.summary.prompt)}"?`,
      { modal: true, detail: `Its transcript and checkpoints (${formatBytes(record.stored?.bytes ?? 0)}) are deleted. The workspace files stay as they are.` },
      'Delete',
    );
    if (choice !== 'Delete') return;
    await this.runs.delete(runId);
    if (this.panel.shownRunId === runId) await this.panel.show();
  }

  async export(arg: unknown): Promise<void> {
    const record = await this.runFrom(arg, 'Export Run', () => true, 'There is no run to export yet.');
    if (!record) return;
    const { runId } = record.summary;
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const name = `run-${runId}.jsonl`;
    const target = await vscode.window.showSaveDialog({
      title: 'Deep Agent: Export Run',
      defaultUri: folder ? vscode.Uri.joinPath(folder, name) : vscode.Uri.file(name),
      filters: { 'JSON Lines': ['jsonl'] },
    });
    if (!target) return;
    // The journal itself: a header line, then one event per line, readable by `deep-agent` and this extension.
    await vscode.workspace.fs.writeFile(target, await readFile(this.runs.store.journalPath(runId)));
    void vscode.window.showInformationMessage(`Run exported to ${target.fsPath}`);
  }

  /** The run an argument names (an id or a Runs view item), or the one the user picks. */
  private async runFrom(arg: unknown, title: string, offered: (r: RunRecord) => boolean, none: string): Promise<RunRecord | undefined> {
    const runId = typeof arg === 'string' ? arg : (arg as RunRecord | undefined)?.summary?.runId;
    if (runId) {
      const record = await this.runs.get(runId);
      if (!record) throw new Error(`there is no run ${runId} in this workspace`);
      return record;
    }
    const candidates = (await this.runs.list()).filter(offered);
    if (!candidates.length) {
      void vscode.window.showInformationMessage(none);
      return undefined;
    }
    const pick = await vscode.window.showQuickPick(
      candidates.map((r) => ({
        label: firstLine(r.summary.prompt),
        description: [r.summary.status, new Date(r.summary.startedAt).toLocaleString(), r.stored && formatBytes(r.stored.bytes)].filter(Boolean).join(' · '),
        record: r,
      })),
      // A focus change (a webview loading, a toast) must not cancel a pick halfway through a command.
      { title: `Deep Agent: ${title} — which run?`, matchOnDescription: true, ignoreFocusOut: true },
    );
    return pick?.record;
  }

  /** A checkpoint of the run's timeline, in order; for a restore, the run's start comes first. */
  private async pickPoint(record: RunRecord, title: string, withStart: boolean): Promise<Point | undefined> {
    const { runId } = record.summary;
    const events = await this.eventsOf(runId);
    const checkpoints = await this.runs.checkpoints.listCheckpoints({ runId });
    const items: (vscode.QuickPickItem & { point: Point })[] = [];
    if (withStart) items.push({ label: 'Before the run started', description: 'every file the run changed', point: { label: 'before the run started', short: 'before the run' } });
    for (const c of checkpoints) {
      const label = `Step ${c.step} · ${describe(c, events)}`;
      items.push({
        label,
        description: `${c.totalTokens.toLocaleString()} tok · $${c.costUsd.toFixed(4)} · ${new Date(c.timestamp).toLocaleTimeString()}`,
        point: { label: `step ${c.step} (${describe(c, events)})`, short: `step ${c.step}`, checkpointId: c.checkpointId },
      });
    }
    if (!checkpoints.length && !withStart) {
      void vscode.window.showInformationMessage('That run has no checkpoints yet.');
      return undefined;
    }
    const pick = await vscode.window.showQuickPick(items, { title: `Deep Agent: ${title}`, matchOnDescription: true, ignoreFocusOut: true });
    return pick?.point;
  }

  /** Opens a diff per file (up to a few): the file now on the left, what the restore makes of it on the right. */
  private async preview(plan: FileRestore[], point: Point, backend: WorkspaceFsBackend): Promise<{ close(): Promise<void> }> {
    const token = `preview${++this.#previews}`;
    const uris: string[] = [];
    for (const file of plan.slice(0, MAX_PREVIEWS)) {
      const right = vscode.Uri.from({ scheme: SCHEME, path: `/${file.path}`, query: `${token}-target` });
      this.#contents.set(right.toString(), file.target ?? '');
      let left: vscode.Uri;
      if (file.current === null) {
        left = vscode.Uri.from({ scheme: SCHEME, path: `/${file.path}`, query: `${token}-current` });
        this.#contents.set(left.toString(), '');
      } else left = await backend.uriFor(file.path);
      uris.push(right.toString(), left.toString());
      const what = file.target === null ? ' (deleted)' : file.current === null ? ' (re-created)' : '';
      const title = `${file.path}: now ↔ ${point.short}${what}${file.conflict ? ' ⚠ changed since the run' : ''}`;
      await vscode.commands.executeCommand('vscode.diff', left, right, title, { preview: false, preserveFocus: true });
    }
    return {
      close: async () => {
        const shown = new Set(uris);
        const tabs = vscode.window.tabGroups.all
          .flatMap((g) => g.tabs)
          .filter((tab) => tab.input instanceof vscode.TabInputTextDiff && shown.has(tab.input.modified.toString()));
        if (tabs.length) await vscode.window.tabGroups.close(tabs);
        for (const uri of uris) this.#contents.delete(uri);
      },
    };
  }

  private eventsOf(runId: string): Promise<RunEvent[]> {
    return this.runs.events(runId);
  }
}

function workspaceBackend(): WorkspaceFsBackend {
  return new WorkspaceFsBackend(vscode.workspace.workspaceFolders ?? []);
}

function reportRestore(result: RestoreResult): void {
  const restored = `Restored ${result.restored.length} file(s)${result.restored.length ? `: ${result.restored.join(', ')}` : ''}.`;
  if (result.skipped.length) void vscode.window.showWarningMessage(`${restored} Left alone, because they changed since the run wrote them: ${result.skipped.join(', ')}.`);
  else void vscode.window.showInformationMessage(restored);
}

function whatRestoreDoes(file: FileRestore): string {
  if (file.target === null) return 'deleted (the run created it)';
  if (file.current === null) return 're-created';
  return 'changed back';
}

/** What a checkpoint came after, e.g. "after write_file notes.txt". */
function describe(c: CheckpointInfo, events: readonly RunEvent[]): string {
  if (c.reason === 'manual') return c.label ?? 'manual';
  if (c.reason === 'step') return 'end of the step';
  if (c.reason === 'iteration') return "after the model's answer";
  const at = events.findIndex((e) => e.type === 'checkpoint' && e.runId === c.runId && e.seq === c.seq);
  const end = events.slice(0, Math.max(at, 0)).findLast((e) => e.type === 'tool_end' && e.runId === c.runId);
  if (end?.type !== 'tool_end') return 'after a tool call';
  const start = events.find((e) => e.type === 'tool_start' && e.data.toolCallId === end.data.toolCallId);
  const args = start?.type === 'tool_start' ? (start.data.args as { path?: unknown } | undefined) : undefined;
  return `after ${end.data.name}${typeof args?.path === 'string' ? ` ${args.path}` : ''}`;
}

function firstLine(text: string): string {
  const line = text.split('\n', 1)[0]!;
  return line.length > 60 ? `${line.slice(0, 60)}…` : line;
}
