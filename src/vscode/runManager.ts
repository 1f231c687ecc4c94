/**
 * Runs of this workspace: starts and resumes them with the configured model through the checkpoint
 * store (journals under the workspace storage, so a reload finds them again), keeps the events of
 * the runs it has read, and tells listeners. A reload or quit closes a running run's journal before
 * it aborts the run, so the run is left interrupted, not cancelled, and can be resumed.
 */
import { join } from 'node:path';
import * as vscode from 'vscode';
import { createDeepAgent } from '../core/agent/createDeepAgent';
import type { InterruptedToolCall } from '../core/agent/types';
import { FileCheckpointStore } from '../core/checkpoint/fileStore';
import { CheckpointManager } from '../core/checkpoint/manager';
import { runWithCheckpointing } from '../core/checkpoint/runWithCheckpointing';
import { foldJournal } from '../core/checkpoint/runState';
import { CheckpointError, type CheckpointStore, type CompactionStats, type JournalRead, type JournalWriter, type StoredRun } from '../core/checkpoint/store';
import type { RunEvent } from '../core/events';
import { createGuardrailManager } from '../core/guardrails/presets';
import type { ChatMessage, ChatModel } from '../core/model/types';
import type { Tracer } from '../core/tracing/tracer';
import { chooseModel } from './models';
import type { WorkbenchApprovals } from './approvals';
import type { ApiKeys } from './secrets';
import { readSettings } from './settings';
import type { RunSummary } from '../webview/protocol';
import { WorkspaceFsBackend } from './workspaceBackend';
import { ripgrepUnder } from './ripgrepPath';

export interface RunRecord {
  summary: RunSummary;
  events: RunEvent[];
  /** Set while the run is going in this window. */
  controller?: AbortController;
  /** The conversation so far, for follow-ups. */
  messages?: ChatMessage[];
  /** The journal's size and last write, as the store listed it. */
  stored?: { bytes: number; updatedAt: number; forkedFrom?: { runId: string; checkpointId: string } };
}

/** A new run (after earlier messages, for a follow-up), or a resumed one with the events it has. */
interface LaunchOptions {
  history?: ChatMessage[];
  resume?: { runId: string; events: RunEvent[] };
}

/** Why a run did not start; a notification said so too. */
export interface NotStarted {
  notStarted: string;
}

/** A start or resume: the run's record, or why it did not start. */
export type Launched = RunRecord | NotStarted;
export const didStart = (launched: Launched): launched is RunRecord => !('notStarted' in launched);

/** A run that did not finish can go on: an interrupted one, or one that was stopped. */
export const isResumable = (status: RunSummary['status']) => status === 'interrupted' || status === 'cancelled';

export class RunManager implements vscode.Disposable {
  readonly #runs = new Map<string, RunRecord>();
  /** Subagent run → the run that started it. */
  readonly #parents = new Map<string, string>();
  readonly #onEvent = new vscode.EventEmitter<RunEvent>();
  readonly #onRunsChanged = new vscode.EventEmitter<void>();
  readonly #journals: SuspendableStore;
  /** Every run going or about to go in this window (a resume may wait on a dialog before its first event). */
  readonly #controllers = new Set<AbortController>();
  /** True from a start or resume until its run has its record (a model question or modal may come first). */
  #starting = false;
  #ripgrep?: { path: string | undefined };
  #disposed = false;
  /** The listing in progress: listings run one after another (see list). */
  #listing: Promise<unknown> = Promise.resolve();

  readonly store: FileCheckpointStore;
  readonly checkpoints: CheckpointManager;
  /** Every event of every run, as it happens. */
  readonly onEvent = this.#onEvent.event;
  /** A run was added, removed, or its status changed. */
  readonly onRunsChanged = this.#onRunsChanged.event;

  constructor(
    storageDir: string,
    private readonly keys: ApiKeys,
    private readonly tracer: () => Promise<Tracer | undefined>,
    private readonly log: vscode.LogOutputChannel,
    private readonly approvals: WorkbenchApprovals,
  ) {
    // The directory the workbench always wrote its journals to: runs from before still list.
    this.store = new FileCheckpointStore(join(storageDir, 'runs'));
    this.#journals = new SuspendableStore(this.store);
    this.checkpoints = new CheckpointManager(this.#journals, { frequency: 'tool_call' });
  }

  /**
   * Runs newest first, as the store lists them; a run's events are read again only when its journal
   * changed. Listings run one at a time: one that started before a run ended (the store saw it
   * running) can take a while, and the listing asked for at the end must come after it, not before.
   */
  list(): Promise<RunRecord[]> {
    const listing = this.#listing.then(
      () => this.#listNow(),
      () => this.#listNow(),
    );
    this.#listing = listing;
    return listing;
  }

  async #listNow(): Promise<RunRecord[]> {
    const stored = await this.store.listRuns();
    const listed = new Set<string>();
    for (const run of stored) {
      listed.add(run.runId);
      const known = this.#runs.get(run.runId);
      const storage = { bytes: run.bytes, updatedAt: run.updatedAt, forkedFrom: run.forkedFrom };
      if (known?.controller) {
        known.stored = storage;
        continue;
      }
      if (known?.stored && known.stored.bytes === run.bytes && known.stored.updatedAt === run.updatedAt) continue;
      const record = await this.read(run).catch((error: unknown) => {
        this.log.warn(`run ${run.runId} cannot be read: ${String(error)}`);
        return undefined;
      });
      if (!record) continue;
      record.messages ??= known?.messages;
      this.#runs.set(run.runId, record);
    }
    // Deleted or pruned since: gone, unless it runs here (its first event may not be on disk yet).
    for (const [runId, record] of this.#runs) if (!listed.has(runId) && !record.controller) this.#runs.delete(runId);
    return [...this.#runs.values()].sort((a, b) => b.summary.startedAt - a.summary.startedAt);
  }

  async get(runId: string): Promise<RunRecord | undefined> {
    const known = this.#runs.get(runId);
    if (known) return known;
    await this.list();
    return this.#runs.get(runId);
  }

  /** VS Code's own ripgrep, looked up once and said in the log; undefined: grep runs `rg` from the PATH, if any. */
  private ripgrep(): string | undefined {
    if (!this.#ripgrep) {
      const path = ripgrepUnder(vscode.env.appRoot);
      this.#ripgrep = { path };
      this.log.info(path ? `grep runs VS Code's ripgrep: ${path}` : `no ripgrep under ${vscode.env.appRoot}; grep runs rg from the PATH, or JavaScript in a worker thread`);
    }
    return this.#ripgrep.path;
  }

  running(): RunRecord | undefined {
    return [...this.#runs.values()].find((r) => r.controller);
  }

  /** Starts a run; resolves when it has started (the run goes on in the background). */
  async start(prompt: string, options: { followUpOf?: string } = {}): Promise<Launched> {
    const before = options.followUpOf ? await this.get(options.followUpOf) : undefined;
    return this.launch(prompt, { history: before ? conversationOf(before) : undefined });
  }

  /** Goes on with an interrupted or stopped run (the same run id); its earlier events stay its transcript. */
  async resume(runId: string): Promise<Launched> {
    const known = await this.get(runId);
    if (!known) throw new Error(`there is no run ${runId} in this workspace`);
    if (known.controller) return known;
    if (!isResumable(known.summary.status)) {
      throw new Error(`that run is ${known.summary.status}; only interrupted or stopped runs can be resumed (Fork Run goes on from one of its checkpoints)`);
    }
    const { events } = await this.store.readJournal(runId);
    return this.launch(known.summary.prompt, { resume: { runId, events } });
  }

  /** True when the event comes from the run or one of its subagents. */
  belongsTo(event: RunEvent, runId: string): boolean {
    for (let id: string | undefined = event.runId; id; id = this.#parents.get(id)) if (id === runId) return true;
    return false;
  }

  /** An explicit stop: the run ends as cancelled (and can be resumed later). */
  stop(runId?: string): boolean {
    const record = runId ? this.#runs.get(runId) : this.running();
    if (!record?.controller) return false;
    record.controller.abort();
    return true;
  }

  /** Removes a run's journal and checkpoints; refused while it runs. */
  async delete(runId: string): Promise<boolean> {
    if (this.#runs.get(runId)?.controller) throw new Error('that run is still going; stop it before deleting it');
    const existed = await this.store.deleteRun(runId);
    this.#runs.delete(runId);
    this.#onRunsChanged.fire();
    return existed;
  }

  /** Tells listeners that runs changed on disk (a fork was written, say). */
  refresh(): void {
    this.#onRunsChanged.fire();
  }

  /**
   * The window is reloading or closing. Journals are closed first, so nothing the abort causes (a
   * `cancelled` run_end) is recorded: the runs stay interrupted and are offered for resuming.
   */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    const going = [...this.#runs.values()].filter((r) => r.controller);
    for (const record of going) this.log.info(`run ${record.summary.runId} is left interrupted: the window is closing`);
    this.#journals.suspendAll();
    for (const controller of this.#controllers) controller.abort();
    this.#onEvent.dispose();
    this.#onRunsChanged.dispose();
  }

  private async launch(prompt: string, options: LaunchOptions): Promise<Launched> {
    if (this.running() || this.#starting) {
      void vscode.window.showWarningMessage('A Deep Agent run is already going. Stop it first, or wait for it to finish.');
      return { notStarted: 'a run is already going; stop it first, or wait for it to finish' };
    }
    this.#starting = true;
    let record: RunRecord | undefined;
    try {
      const choice = await this.modelFor(prompt, options);
      if ('notStarted' in choice) return choice;
      const settings = readSettings();
      const folders = vscode.workspace.workspaceFolders ?? [];
      const backend = new WorkspaceFsBackend(folders, { ripgrep: this.ripgrep(), timeoutMs: settings.searchTimeoutSeconds * 1000 });
      const guardrails = createGuardrailManager({ maxTokens: settings.maxTokens ?? undefined, maxCostUsd: settings.maxCostUsd ?? undefined });
      const agent = createDeepAgent({ model: choice.model, maxIterations: settings.maxIterations });
      const controller = new AbortController();
      this.#controllers.add(controller);
      const tracer = await this.tracer();
      const { resume } = options;
      if (resume) {
        this.index(resume.events);
        // The tracer follows runs from their run_start; a resumed run's span goes on from its original start.
        const start = resume.events.find((e) => e.type === 'run_start' && e.runId === resume.runId);
        if (start) tracer?.onEvent(start);
      }

      // Settles with the record at the run's first event, or with why not if it failed before one.
      return await new Promise<Launched>((resolve) => {
        const onEvent = (event: RunEvent) => {
          if (!record) {
            const startedAt = resume?.events.find((e) => e.type === 'run_start' && e.runId === resume.runId)?.ts ?? event.ts;
            record = {
              summary: { runId: resume?.runId ?? event.runId, prompt, status: 'running', startedAt },
              events: [...(resume?.events ?? [])],
              controller,
              stored: this.#runs.get(resume?.runId ?? event.runId)?.stored,
            };
            this.#runs.set(record.summary.runId, record);
            this.#starting = false;
            this.#onRunsChanged.fire();
            resolve(record);
          }
          if (this.#disposed) return;
          if (event.type === 'run_start' && event.parentRunId) this.#parents.set(event.runId, event.parentRunId);
          record.events.push(event);
          this.#onEvent.fire(event);
        };
        void runWithCheckpointing(
          agent,
          prompt,
          { backend, guardrails, tracer, signal: controller.signal, history: options.history, onEvent, approvals: this.approvals.forRun(settings.approvalPolicy) },
          this.checkpoints,
          {
            resumeFrom: resume?.runId,
            decideInterrupted: (call) => askAboutInterruptedCall(call),
            onWarning: (message) => this.log.warn(message),
          },
        )
          .then(async (result) => {
            if (!record) return resolve({ notStarted: `the run ended before it began (${result.status})` });
            record.controller = undefined;
            if (this.#disposed) return;
            record.summary.status = result.status;
            record.messages = result.messages;
            if (result.status === 'failed') this.log.error(`run ${result.runId} failed: ${result.error?.message}`);
            this.#onRunsChanged.fire();
            await tracer?.flush();
          })
          .catch((error: unknown) => {
            const message = error instanceof Error ? error.message : String(error);
            this.log.error(`a run could not ${resume ? 'resume' : 'start'}: ${message}`);
            if (record) record.controller = undefined;
            if (!this.#disposed) void vscode.window.showErrorMessage(`Deep Agent: the run could not ${resume ? 'resume' : 'start'}: ${message}`);
            resolve({ notStarted: message });
          })
          .finally(() => {
            this.#starting = false;
            this.#controllers.delete(controller);
          });
      });
    } finally {
      if (!record) this.#starting = false;
    }
  }

  /**
   * The model a run uses. With none usable, Configure Model is walked through first; when that is
   * cancelled, the task is kept: a notification offers to configure a model and run it then.
   */
  private async modelFor(prompt: string, options: LaunchOptions): Promise<{ model: ChatModel } | NotStarted> {
    const before = await chooseModel(readSettings(), this.keys);
    if (!('problem' in before)) return before;
    const configured = await vscode.commands.executeCommand<boolean | undefined>('deepAgent.configureModel', 'Deep Agent needs a model to run your task: where does it come from?');
    const after = configured ? await chooseModel(readSettings(), this.keys) : before;
    if (!('problem' in after)) return after;
    const task = prompt.split('\n', 1)[0]!;
    const what = `"${task.length > 60 ? `${task.slice(0, 60)}…` : task}" did not ${options.resume ? 'resume' : 'run'}: ${after.problem}`;
    const retry = 'Configure Model and Run';
    // Not awaited: a notification left open must not keep other runs from starting.
    void vscode.window.showWarningMessage(`Deep Agent: ${what}.`, retry).then((action) => {
      if (action === retry) void this.launch(prompt, options);
    });
    return { notStarted: after.problem };
  }

  private async read(run: StoredRun): Promise<RunRecord> {
    const { events, skippedLines } = await this.store.readJournal(run.runId);
    if (skippedLines) this.log.warn(`run ${run.runId}: ${skippedLines} damaged journal line(s) skipped`);
    this.index(events);
    return {
      summary: { runId: run.runId, prompt: run.prompt, status: run.status, startedAt: run.startedAt },
      events,
      stored: { bytes: run.bytes, updatedAt: run.updatedAt, forkedFrom: run.forkedFrom },
    };
  }

  /** Learns which subagent runs belong to which run. */
  private index(events: readonly RunEvent[]): void {
    for (const e of events) if (e.type === 'run_start' && e.parentRunId) this.#parents.set(e.runId, e.parentRunId);
  }
}

/** The messages a follow-up goes on from: what the run ended with, or the fold of its journal. */
function conversationOf(record: RunRecord): ChatMessage[] | undefined {
  if (record.messages) return record.messages;
  const { root } = foldJournal(record.events);
  if (!root) return undefined;
  return [...root.history, { role: 'user', content: root.prompt }, ...root.messages];
}

/** A side-effecting call was cut off and cannot tell whether it took effect: the user decides. */
async function askAboutInterruptedCall(call: InterruptedToolCall): Promise<'rerun' | 'unknown'> {
  const rerun = 'Run Again';
  const tell = "Tell the Agent It's Unknown";
  const args = JSON.stringify(call.args);
  const choice = await vscode.window.showWarningMessage(
    `Deep Agent: the run was interrupted while ${call.toolName} was running. Did it take effect?`,
    {
      modal: true,
      detail:
        `Whether it took effect is unknown: ${call.detail}.\n\n${call.toolName} ${args.length > 300 ? `${args.slice(0, 300)}…` : args}\n\n` +
        `"${rerun}" carries it out again. "${tell}" lets the agent check the current state first.`,
    },
    rerun,
    tell,
  );
  return choice === rerun ? 'rerun' : 'unknown';
}

/**
 * The checkpoint store with journals that can be suspended: once the window closes, appends are
 * dropped and the write-ahead barrier refuses, so nothing the shutdown causes reaches the journal
 * and no side effect happens that the journal does not know of.
 */
class SuspendableStore implements CheckpointStore {
  readonly #open = new Set<SuspendableJournal>();

  constructor(private readonly inner: CheckpointStore) {}

  get description(): string {
    return this.inner.description;
  }

  async openJournal(runId: string): Promise<JournalWriter> {
    const journal = new SuspendableJournal(await this.inner.openJournal(runId), () => this.#open.delete(journal));
    this.#open.add(journal);
    return journal;
  }

  suspendAll(): void {
    for (const journal of this.#open) journal.suspend();
  }

  readJournal(runId: string): Promise<JournalRead> {
    return this.inner.readJournal(runId);
  }

  listRuns(filter?: { agentName?: string }): Promise<StoredRun[]> {
    return this.inner.listRuns(filter);
  }

  deleteRun(runId: string): Promise<boolean> {
    return this.inner.deleteRun(runId);
  }

  compact(runId: string): Promise<CompactionStats> {
    return this.inner.compact(runId);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

class SuspendableJournal implements JournalWriter {
  #suspended = false;
  #closing: Promise<void> | undefined;

  constructor(
    private readonly inner: JournalWriter,
    private readonly onClosed: () => void,
  ) {}

  append(event: RunEvent): void {
    if (!this.#suspended) this.inner.append(event);
  }

  async flush(): Promise<void> {
    if (this.#suspended) throw new CheckpointError('the window is closing; the run stops here and can be resumed');
    await this.inner.flush();
  }

  /** Stops recording now and closes the journal (which releases the run for a resume). */
  suspend(): void {
    this.#suspended = true;
    void this.close();
  }

  close(): Promise<void> {
    this.#closing ??= this.inner.close().finally(this.onClosed);
    return this.#closing;
  }
}
