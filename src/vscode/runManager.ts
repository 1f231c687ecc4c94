/**
 * Runs of this workspace: starts them with the configured model, keeps their events (in memory and
 * in a journal under the workspace storage, so a reload restores them), and tells listeners.
 */
import { join } from 'node:path';
import * as vscode from 'vscode';
import { createDeepAgent } from '../core/agent/createDeepAgent';
import { EventJournalWriter, listEventJournals, readEventJournal } from '../core/checkpoint/eventJournal';
import type { RunEvent } from '../core/events';
import { budgetGuardrails } from '../core/guardrails/presets';
import { GuardrailManager } from '../core/guardrails/manager';
import type { ChatMessage } from '../core/model/types';
import type { Tracer } from '../core/tracing/tracer';
import { chooseModel } from './models';
import type { WorkbenchApprovals } from './approvals';
import type { ApiKeys } from './secrets';
import { readSettings } from './settings';
import type { RunSummary } from './webviewProtocol';
import { WorkspaceFsBackend } from './workspaceBackend';

export interface RunRecord {
  summary: RunSummary;
  events: RunEvent[];
  /** Set while the run is going. */
  controller?: AbortController;
  /** The conversation so far, for follow-ups (runs of this session only). */
  messages?: ChatMessage[];
}

export class RunManager implements vscode.Disposable {
  readonly #runs = new Map<string, RunRecord>();
  /** Subagent run → the run that started it. */
  readonly #parents = new Map<string, string>();
  readonly #onEvent = new vscode.EventEmitter<RunEvent>();
  readonly #onRunsChanged = new vscode.EventEmitter<void>();
  #loaded: Promise<void> | undefined;

  /** Every event of every run, as it happens. */
  readonly onEvent = this.#onEvent.event;
  /** A run was added or its status changed. */
  readonly onRunsChanged = this.#onRunsChanged.event;

  constructor(
    private readonly storageDir: string,
    private readonly keys: ApiKeys,
    private readonly tracer: () => Promise<Tracer | undefined>,
    private readonly log: vscode.LogOutputChannel,
    private readonly approvals: WorkbenchApprovals,
  ) {}

  /** Runs newest first, past ones read from the journals on first use. */
  async list(): Promise<RunRecord[]> {
    await this.load();
    return [...this.#runs.values()].sort((a, b) => b.summary.startedAt - a.summary.startedAt);
  }

  async get(runId: string): Promise<RunRecord | undefined> {
    await this.load();
    return this.#runs.get(runId);
  }

  running(): RunRecord | undefined {
    return [...this.#runs.values()].find((r) => r.controller);
  }

  /** Starts a run; resolves when it has started (the run goes on in the background). */
  async start(prompt: string, options: { followUpOf?: string } = {}): Promise<RunRecord | undefined> {
    if (this.running()) {
      void vscode.window.showWarningMessage('A Deep Agent run is already going. Stop it first, or wait for it to finish.');
      return undefined;
    }
    const settings = readSettings();
    const choice = await chooseModel(settings, this.keys);
    if ('problem' in choice) {
      const action = await vscode.window.showErrorMessage(`Deep Agent: ${choice.problem}`, 'Configure Model');
      if (action) await vscode.commands.executeCommand('deepAgent.configureModel');
      return undefined;
    }
    const folders = vscode.workspace.workspaceFolders ?? [];
    const backend = new WorkspaceFsBackend(folders);
    const guardrails = new GuardrailManager(budgetGuardrails({ maxTokens: settings.maxTokens ?? undefined, maxCostUsd: settings.maxCostUsd ?? undefined }));
    const agent = createDeepAgent({ model: choice.model, maxIterations: settings.maxIterations });
    const controller = new AbortController();
    const tracer = await this.tracer();
    const history = options.followUpOf ? this.#runs.get(options.followUpOf)?.messages : undefined;

    let record: RunRecord | undefined;
    let journal: EventJournalWriter | undefined;
    // Settles with the record at the run's first event, or with undefined if it failed before one.
    const started = new Promise<RunRecord | undefined>((resolve) => {
      const onEvent = (event: RunEvent) => {
        if (!record) {
          record = { summary: { runId: event.runId, prompt, status: 'running', startedAt: event.ts }, events: [], controller };
          this.#runs.set(event.runId, record);
          journal = new EventJournalWriter(join(this.storageDir, 'runs', `${event.runId}.jsonl`));
          this.#onRunsChanged.fire();
          resolve(record);
        }
        if (event.type === 'run_start' && event.parentRunId) this.#parents.set(event.runId, event.parentRunId);
        record.events.push(event);
        journal!.append(event);
        this.#onEvent.fire(event);
      };
      void agent
        .execute(prompt, { backend, guardrails, tracer, signal: controller.signal, history, onEvent, approvals: this.approvals.forRun(settings.approvalPolicy) })
        .then(async (result) => {
          if (!record) return resolve(undefined);
          record.summary.status = result.status;
          record.controller = undefined;
          record.messages = result.messages;
          await journal?.close();
          await tracer?.flush();
          if (result.status === 'failed') this.log.error(`run ${result.runId} failed: ${result.error?.message}`);
          this.#onRunsChanged.fire();
        })
        .catch((error: unknown) => {
          const message = error instanceof Error ? error.message : String(error);
          this.log.error(`a run could not start: ${message}`);
          void vscode.window.showErrorMessage(`Deep Agent: the run could not start: ${message}`);
          resolve(undefined);
        });
    });
    return started;
  }

  /** True when the event comes from the run or one of its subagents. */
  belongsTo(event: RunEvent, runId: string): boolean {
    for (let id: string | undefined = event.runId; id; id = this.#parents.get(id)) if (id === runId) return true;
    return false;
  }

  stop(runId?: string): boolean {
    const record = runId ? this.#runs.get(runId) : this.running();
    if (!record?.controller) return false;
    record.controller.abort();
    return true;
  }

  dispose(): void {
    for (const record of this.#runs.values()) record.controller?.abort();
    this.#onEvent.dispose();
    this.#onRunsChanged.dispose();
  }

  private load(): Promise<void> {
    this.#loaded ??= (async () => {
      for (const path of await listEventJournals(join(this.storageDir, 'runs'))) {
        const { events, skippedLines } = await readEventJournal(path);
        const first = events[0];
        if (!first || first.type !== 'run_start' || this.#runs.has(first.runId)) continue;
        if (skippedLines) this.log.warn(`${path}: ${skippedLines} damaged line(s) skipped`);
        const end = events.findLast((e) => e.type === 'run_end' && e.runId === first.runId);
        const status = end?.type === 'run_end' ? end.data.status : 'interrupted';
        this.#runs.set(first.runId, { summary: { runId: first.runId, prompt: first.data.prompt, status, startedAt: first.ts }, events });
      }
    })();
    return this.#loaded;
  }
}
