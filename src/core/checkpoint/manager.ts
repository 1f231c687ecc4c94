/**
 * CheckpointManager: checkpoints over a store. It takes them during a run (at the boundaries of
 * its `frequency`, or when asked), and lists, loads, forks and restores them afterwards. A
 * checkpoint is a position in a run's journal, so taking one costs the same at step 10 as at
 * step 1,000: one small event.
 */
import type { RunPersistence } from '../persistence';
import type { FileBackend } from '../backends/types';
import { randomIds, type IdSource } from '../clock';
import type { CheckpointFrequency, RunEvent, RunEventOf } from '../events';
import { checkpointFromState, parseCheckpointId, type Checkpoint } from './checkpoint';
import { forkEvents } from './fork';
import { applyRestore, planRestore, type FileRestore, type RestoreResult } from './restore';
import { childRunId, foldJournal, type RunState } from '../runState';
import { CheckpointError, isResumable, type CheckpointStore, type JournalWriter } from './store';

export interface CheckpointManagerOptions {
  /** When checkpoints are taken on their own (default 'step'). */
  frequency?: CheckpointFrequency;
  /** Take checkpoints on their own (default true); otherwise only `requestCheckpoint` takes them. */
  autoSave?: boolean;
}

export interface CheckpointInfo {
  checkpointId: string;
  runId: string;
  agentName: string;
  seq: number;
  timestamp: number;
  reason: string;
  label?: string;
  step: number;
  iteration: number;
  totalTokens: number;
  costUsd: number;
}

/** Where a resume goes on from. */
export interface ResumePoint {
  runId: string;
  state: RunState;
  /** Damaged journal lines that were skipped. */
  skippedLines: number;
  /** The run's run_start event (a tracer follows the resumed run from it). */
  start?: RunEventOf<'run_start'>;
}

export class CheckpointManager {
  readonly frequency: CheckpointFrequency;
  readonly autoSave: boolean;
  /** The last checkpoint taken by a run of this manager. */
  lastCheckpointId: string | undefined;
  #manualLabel: string | undefined;

  constructor(
    readonly store: CheckpointStore,
    options: CheckpointManagerOptions = {},
  ) {
    this.frequency = options.frequency ?? 'step';
    this.autoSave = options.autoSave ?? true;
  }

  /** A checkpoint at the running run's next boundary (after a tool call, model call or step). */
  requestCheckpoint(label = 'manual'): void {
    this.#manualLabel = label;
  }

  /** What the run loop needs to journal and checkpoint one run. */
  persistenceFor(journal: JournalWriter, resume?: RunState, decideInterrupted?: RunPersistence['decideInterrupted']): RunPersistence {
    return {
      journal: {
        append: (event) => {
          journal.append(event);
          if (event.type === 'checkpoint' && !event.parentRunId) this.lastCheckpointId = event.data.checkpointId;
        },
        flush: () => journal.flush(),
      },
      frequency: this.autoSave ? this.frequency : undefined,
      takeManualRequest: () => {
        const label = this.#manualLabel;
        this.#manualLabel = undefined;
        return label;
      },
      resume,
      decideInterrupted,
    };
  }

  /** A run's checkpoints in order, or those of every run of an agent (newest run first). */
  async listCheckpoints(filter: { runId: string } | { agentName: string }): Promise<CheckpointInfo[]> {
    const runIds = 'runId' in filter ? [filter.runId] : (await this.store.listRuns({ agentName: filter.agentName })).map((r) => r.runId);
    const out: CheckpointInfo[] = [];
    for (const runId of runIds) {
      const { events } = await this.store.readJournal(runId);
      const start = events.find((e) => e.type === 'run_start' && e.runId === runId);
      const agentName = start?.type === 'run_start' ? start.data.agentName : '';
      for (const e of events) if (e.type === 'checkpoint' && e.runId === runId) out.push(infoOf(e, agentName));
    }
    return out;
  }

  /** The run's state at a checkpoint. */
  async load(checkpointId: string): Promise<Checkpoint> {
    const { state, event } = await this.#stateAt(checkpointId);
    return checkpointFromState(state, event);
  }

  /** The fold of the run's journal up to a checkpoint: what a resume from there starts with (nothing is written). */
  async stateAt(checkpointId: string): Promise<RunState> {
    return (await this.#stateAt(checkpointId)).state;
  }

  async #stateAt(checkpointId: string): Promise<{ state: RunState; event: RunEventOf<'checkpoint'> }> {
    const { events, end, event } = await this.#locate(checkpointId);
    const { root } = foldJournal(events, end);
    if (!root) throw new CheckpointError(`run ${event.runId} has no run_start before checkpoint ${checkpointId}`);
    return { state: root, event };
  }

  /** Where a run can go on from: 'latest' (the newest interrupted run of the agent), a run id, or a checkpoint id. */
  async resumePoint(ref: string, options: { agentName?: string; ids?: IdSource } = {}): Promise<ResumePoint> {
    let runId = ref;
    if (ref === 'latest') {
      const runs = await this.store.listRuns({ agentName: options.agentName });
      // A child run goes on with its parent, not on its own.
      const latest = runs.find((r) => isResumable(r.status) && !r.parentRunId);
      if (!latest) throw new CheckpointError(`no interrupted run${options.agentName ? ` of ${options.agentName}` : ''} to resume in ${this.store.description}`);
      runId = latest.runId;
    } else if (ref.includes('@')) {
      const { events, end } = await this.#locate(ref);
      // Nothing happened after the checkpoint: go on with the run itself; otherwise from a fork of it.
      const laterOwnEvents = events.slice(end).some((e) => e.runId === parseCheckpointId(ref).runId);
      runId = laterOwnEvents ? await this.fork(ref, { ids: options.ids }) : parseCheckpointId(ref).runId;
    }
    const { events, skippedLines } = await this.store.readJournal(runId);
    const { root } = foldJournal(events);
    if (!root || root.runId !== runId) throw new CheckpointError(`run ${runId} has no run_start; it cannot be resumed`);
    if (root.ended && !isResumable(root.ended.status)) {
      throw new CheckpointError(`run ${runId} already ${root.ended.status}; fork it from one of its checkpoints to go on`);
    }
    const start = events.find((e): e is RunEventOf<'run_start'> => e.type === 'run_start' && e.runId === runId);
    return { runId, state: root, skippedLines, start };
  }

  /** A new run that goes on from the checkpoint; the old run stays as it was. Returns the new run's id. */
  async fork(checkpointId: string, options: { ids?: IdSource; runId?: string } = {}): Promise<string> {
    const ids = options.ids ?? randomIds;
    const { events, end, event } = await this.#locate(checkpointId);
    // Refuse before writing anything: a fork that could not be resumed is only clutter.
    const { root } = foldJournal(events, end);
    if (root?.runId !== event.runId) throw new CheckpointError(`run ${event.runId} has no run_start before checkpoint ${checkpointId}; it cannot be forked`);
    if (root.ended && !isResumable(root.ended.status)) throw new CheckpointError(`checkpoint ${checkpointId} comes after run ${event.runId} ${root.ended.status}; it cannot be forked`);
    const runId = options.runId ?? ids();
    await this.#writeFork(runId, forkEvents(events, end, { runId: event.runId, checkpointId }, runId, ids));
    await this.#forkChildren(event.runId, runId, event.ts, checkpointId, ids);
    return runId;
  }

  /** Writes a fork's journal whole, or nothing. */
  async #writeFork(runId: string, copied: RunEvent[]): Promise<void> {
    const journal = await this.store.openJournal(runId);
    try {
      for (const e of copied) journal.append(e);
      await journal.close();
    } catch (error) {
      await journal.close().catch(() => {});
      await this.store.deleteRun(runId).catch(() => {});
      throw error;
    }
  }

  /**
   * Children journaled on their own follow their parent's fork: what each had done by the checkpoint
   * comes along under the fork's child id, so the fork does not run a finished child again and goes
   * on with an unfinished one.
   */
  async #forkChildren(from: string, to: string, untilTs: number, checkpointId: string, ids: IdSource, seen = new Set([from])): Promise<void> {
    // `seen`: damaged journals can name each other as parents.
    const children = (await this.store.listRuns()).filter((r) => r.parentRunId === from && r.parent && !seen.has(r.runId));
    for (const child of children) {
      const { events } = await this.store.readJournal(child.runId);
      let end = 0;
      while (end < events.length && events[end]!.ts <= untilTs) end++;
      if (!events.slice(0, end).some((e) => e.type === 'run_start' && e.runId === child.runId)) continue;
      const childId = childRunId(to, child.parent!);
      await this.#writeFork(childId, forkEvents(events, end, { runId: child.runId, checkpointId }, childId, ids, new Map([[from, to]])));
      seen.add(child.runId);
      await this.#forkChildren(child.runId, childId, untilTs, checkpointId, ids, seen);
    }
  }

  /** What restoring the files to the checkpoint would change (for a preview). */
  async planRestore(checkpointId: string, backend: FileBackend): Promise<FileRestore[]> {
    const { events, end } = await this.#locate(checkpointId);
    return planRestore(events, end, backend);
  }

  /** Puts the files the run changed after the checkpoint back as they were; conflicts are skipped unless forced. */
  async restoreFiles(checkpointId: string, backend: FileBackend, options: { force?: boolean } = {}): Promise<RestoreResult> {
    return applyRestore(await this.planRestore(checkpointId, backend), backend, options);
  }

  /** The checkpoint event, its run's journal, and the position just after it. */
  async #locate(checkpointId: string): Promise<{ events: RunEvent[]; end: number; event: RunEventOf<'checkpoint'> }> {
    const { runId } = parseCheckpointId(checkpointId);
    const { events } = await this.store.readJournal(runId);
    const at = events.findIndex((e) => e.type === 'checkpoint' && e.runId === runId && e.data.checkpointId === checkpointId);
    if (at < 0) throw new CheckpointError(`no checkpoint ${checkpointId} in run ${runId}`);
    return { events, end: at + 1, event: events[at] as RunEventOf<'checkpoint'> };
  }
}

function infoOf(e: RunEventOf<'checkpoint'>, agentName: string): CheckpointInfo {
  const { checkpointId, reason, label, step, iteration, totalTokens, costUsd } = e.data;
  return { checkpointId, runId: e.runId, agentName, seq: e.seq, timestamp: e.ts, reason, label, step, iteration, totalTokens, costUsd };
}
