/**
 * Runs of this workspace: starts and resumes them with the configured model through the checkpoint
 * store (journals under the workspace storage, so a reload finds them again), keeps the events of
 * the runs it has read, and tells listeners. A reload or quit closes a running run's journal before
 * it aborts the run, so the run is left interrupted, not cancelled, and can be resumed.
 */
import { join } from 'node:path';
import * as vscode from 'vscode';
import {
  CheckpointError,
  CheckpointManager,
  FileCheckpointStore,
  foldJournal,
  isResumable,
  startRun,
  totalsOf,
  type ChatMessage,
  type CheckpointStore,
  type CompactionStats,
  type InterruptedToolCall,
  type JournalRead,
  type JournalWriter,
  type RunConfig,
  type RunEvent,
  type StartedRun,
  type StoredRun,
  type TracerHooks,
} from '../core';
import { chooseModel, type ModelChoice } from './models';
import type { WorkbenchApprovals } from './approvals';
import type { MemoryService } from './memoryService';
import type { ApiKeys } from './secrets';
import { readSettings } from './settings';
import type { RunSummary } from '../webview/protocol';
import { WorkspaceFsBackend } from './workspaceBackend';
import { ripgrepUnder } from './ripgrepPath';

/** A run as the Runs view and the commands see it: one object per run id, updated in place. */
export interface RunRecord {
  summary: RunSummary;
  /** The events of a run started in this window, as they happened; otherwise ask `RunManager.events`. */
  events?: RunEvent[];
  /** Tokens and cost so far. */
  totals?: { tokens: number; costUsd: number };
  /** Set for a child run journaled on its own: the run that started it. */
  parentRunId?: string;
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

export class RunManager implements vscode.Disposable {
  readonly #runs = new Map<string, RunRecord>();
  /** Subagent run → the run that started it. */
  readonly #parents = new Map<string, string>();
  readonly #onEvent = new vscode.EventEmitter<RunEvent>();
  readonly #onRunsChanged = new vscode.EventEmitter<void>();
  readonly #onRunChanged = new vscode.EventEmitter<RunRecord>();
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
  /** One run's totals moved (a running run's progress); the list is otherwise the same. */
  readonly onRunChanged = this.#onRunChanged.event;

  constructor(
    storageDir: string,
    private readonly keys: ApiKeys,
    /** The trace exporters the settings ask for, read at each run's start. */
    private readonly trace: () => { config: RunConfig['trace']; hooks: TracerHooks },
    private readonly log: vscode.LogOutputChannel,
    private readonly approvals: WorkbenchApprovals,
    /** Long-term memory, when it is on: opened at the first run's start and kept open. */
    private readonly memory?: MemoryService,
  ) {
    // The directory the workbench always wrote its journals to: runs from before still list.
    this.store = new FileCheckpointStore(join(storageDir, 'runs'));
    this.#journals = new SuspendableStore(this.store);
    this.checkpoints = new CheckpointManager(this.#journals, { frequency: 'tool_call' });
    this.#onEvent.event((event) => this.#track(event));
  }

  /**
   * Runs newest first, as the store lists them (a journal's head and tail: no events are read).
   * Listings run one at a time: one that started before a run ended (the store saw it running) can
   * take a while, and the listing asked for at the end must come after it, not before.
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
      const storage = { bytes: run.bytes, updatedAt: run.updatedAt, forkedFrom: run.forkedFrom };
      const known = this.#runs.get(run.runId);
      if (!known) {
        this.#runs.set(run.runId, recordOf(run));
        continue;
      }
      known.stored = storage;
      known.parentRunId ??= run.parentRunId;
      // A run going here is ahead of its journal: its status and totals come from its events.
      if (known.controller) continue;
      Object.assign(known.summary, recordOf(run).summary);
      known.totals = run.totals;
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

  /** A run's events: those in memory for a run started in this window, else read from its journal. */
  async events(runId: string): Promise<RunEvent[]> {
    const known = this.#runs.get(runId)?.events;
    if (known) return known;
    const { events, skippedLines } = await this.store.readJournal(runId);
    if (skippedLines) this.log.warn(`run ${runId}: ${skippedLines} damaged journal line(s) skipped`);
    return events;
  }

  /** The stored run whose journal holds this run: itself, or for a subagent the run it belongs to. */
  async journalOf(runId: string): Promise<string | undefined> {
    if (!this.#runs.has(runId)) await this.list();
    for (const id of this.#ancestry(runId)) if (this.#runs.has(id)) return id;
    return undefined;
  }

  /** The run and the runs above it; a damaged journal's parent links can form a loop, which ends the walk. */
  *#ancestry(runId: string): Generator<string> {
    const seen = new Set<string>();
    for (let id: string | undefined = runId; id && !seen.has(id); id = this.#parents.get(id)) {
      seen.add(id);
      yield id;
    }
  }

  /**
   * A run's events with those of its children journaled on their own (and theirs), in the order they
   * happened: what the panel shows. A run going in this window has them all in memory already.
   */
  async familyEvents(runId: string, seen = new Set<string>()): Promise<RunEvent[]> {
    seen.add(runId);
    const own = await this.events(runId);
    this.index(own);
    if (this.#runs.get(runId)?.events) return own;
    // `seen`: damaged journals can name each other as parents.
    const children = [...this.#runs.values()].filter((r) => r.parentRunId === runId && !seen.has(r.summary.runId));
    let merged = own;
    for (const child of children) merged = mergeByTime(merged, await this.familyEvents(child.summary.runId, seen));
    return merged;
  }

  /** A running run's totals move with its progress; a child run journaled on its own nests under its parent. */
  #track(event: RunEvent): void {
    const record = this.#runs.get(event.runId);
    if (!record) {
      // A run_start of a run not known here may be a child run with a journal of its own: list again.
      if (event.type === 'run_start' && event.parentRunId) this.#onRunsChanged.fire();
      return;
    }
    if (event.type === 'run_start' && event.parentRunId) record.parentRunId = event.parentRunId;
    if (event.type === 'progress' || event.type === 'run_end') {
      record.totals = totalsOf(event);
      this.#onRunChanged.fire(record);
    }
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
    return this.launch(prompt, { history: before ? conversationOf(before, await this.events(before.summary.runId)) : undefined });
  }

  /** Goes on with an interrupted or cancelled run (the same run id); its earlier events stay its transcript. */
  async resume(runId: string): Promise<Launched> {
    const known = await this.get(runId);
    if (!known) throw new Error(`there is no run ${runId} in this workspace`);
    if (known.controller) return known;
    if (!isResumable(known.summary.status)) {
      throw new Error(`that run is ${known.summary.status}; only interrupted or cancelled runs can be resumed (Fork Run goes on from one of its checkpoints)`);
    }
    const { events } = await this.store.readJournal(runId);
    return this.launch(known.summary.prompt, { resume: { runId, events } });
  }

  /** True when the event comes from the run or one of its subagents. */
  belongsTo(event: RunEvent, runId: string): boolean {
    for (const id of this.#ancestry(event.runId)) if (id === runId) return true;
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
    this.#onRunChanged.dispose();
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
      const controller = new AbortController();
      this.#controllers.add(controller);
      const { resume } = options;
      if (resume) this.index(resume.events);
      const trace = this.trace();
      const memory = await this.memory?.forRun();
      // Settles with the record at the run's first event, or with why not if it failed before one.
      return await new Promise<Launched>((resolve, reject) => {
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
          record.events?.push(event);
          this.#onEvent.fire(event);
        };
        const config: RunConfig = {
          prompt: resume ? undefined : prompt,
          agent: { maxIterations: settings.maxIterations },
          model: 'endpoint' in choice ? choice.endpoint : undefined,
          budgets: { maxTokens: settings.maxTokens ?? undefined, maxCostUsd: settings.maxCostUsd ?? undefined },
          trace: trace.config,
          approvals: settings.approvalPolicy,
          history: options.history,
          resume: resume?.runId,
          memory: memory?.config,
        };
        let started: StartedRun;
        try {
          started = startRun(config, {
          ...trace.hooks,
          model: 'model' in choice ? choice.model : undefined,
          apiKey: 'apiKey' in choice ? choice.apiKey : undefined,
          backend: new WorkspaceFsBackend(folders, { ripgrep: this.ripgrep(), timeoutMs: settings.searchTimeoutSeconds * 1000 }),
          checkpoints: this.checkpoints,
          approve: this.approvals.forRun(settings.approvalPolicy).decide,
          decideInterrupted: (call) => askAboutInterruptedCall(call),
          onWarning: (message) => this.log.warn(message),
          onEvent,
          signal: controller.signal,
          memory: memory?.manager,
          });
        } catch (error) {
          // A setting the configuration refuses: said by the caller, nothing started.
          this.#controllers.delete(controller);
          reject(error);
          return;
        }
        started.result
          .then((result) => {
            if (!record) return resolve({ notStarted: `the run ended before it began (${result.status})` });
            record.controller = undefined;
            if (this.#disposed) return;
            record.summary.status = result.status;
            record.messages = result.messages;
            if (result.status === 'failed') this.log.error(`run ${result.runId} failed: ${result.error?.message}`);
            this.#onRunsChanged.fire();
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
  private async modelFor(prompt: string, options: LaunchOptions): Promise<Exclude<ModelChoice, { problem: string }> | NotStarted> {
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

  /** Learns which subagent runs belong to which run. */
  private index(events: readonly RunEvent[]): void {
    for (const e of events) if (e.type === 'run_start' && e.parentRunId) this.#parents.set(e.runId, e.parentRunId);
  }
}

/** A stored run as the Runs view shows it, before its events are read (if ever). */
function recordOf(run: StoredRun): RunRecord {
  return {
    summary: { runId: run.runId, prompt: run.prompt, status: run.status, startedAt: run.startedAt },
    totals: run.totals,
    parentRunId: run.parentRunId,
    stored: { bytes: run.bytes, updatedAt: run.updatedAt, forkedFrom: run.forkedFrom },
  };
}

/** Two journals' events as one sequence in time order; each keeps its own order. */
function mergeByTime(a: readonly RunEvent[], b: readonly RunEvent[]): RunEvent[] {
  const out: RunEvent[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) out.push(j >= b.length || (i < a.length && a[i]!.ts <= b[j]!.ts) ? a[i++]! : b[j++]!);
  return out;
}

/** The messages a follow-up goes on from: what the run ended with, or the fold of its journal. */
function conversationOf(record: RunRecord, events: RunEvent[]): ChatMessage[] | undefined {
  if (record.messages) return record.messages;
  const { root } = foldJournal(events);
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
