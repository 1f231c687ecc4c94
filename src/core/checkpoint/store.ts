/**
 * Where runs are kept. A store keeps each top-level run's journal: every event of the run and of
 * its subagents, in the order they happened. Checkpoints, transcripts, run lists and resume are
 * folds of that journal (ARCHITECTURE.md), so a store never holds a second copy of the state.
 */
import type { ParentLink, RunEvent, RunStatus } from '../events';

export { CheckpointError, RunNotFoundError } from '../persistence';

/** Appends one run's events. `append` never blocks the run; `flush` is the write-ahead barrier. */
export interface JournalWriter {
  append(event: RunEvent): void;
  /**
   * Resolves once every appended event would survive the process being killed. The run awaits
   * this before any side effect, so a journal never misses a tool call that may have happened.
   */
  flush(): Promise<void>;
  /** Flushes, makes the journal durable (fsync or commit) and releases the run. */
  close(): Promise<void>;
}

export interface JournalRead {
  events: RunEvent[];
  /** Entries that could not be read (a torn last line after a crash, or damage); skipped, never fatal. */
  skippedLines: number;
}

/** `running` only while a live writer holds the run; a run without a `run_end` and no writer is `interrupted`. */
/** How a stored run stands: how it ended, or `running` (a live writer holds it), or `interrupted` (it stopped without ending: a crash, a kill, a reload). */
export type StoredRunStatus = RunStatus | 'running' | 'interrupted';

/** The one rule for which runs can go on where they stopped: interrupted ones, and cancelled ones (the user stopped them). */
export const isResumable = (status: StoredRunStatus): boolean => status === 'interrupted' || status === 'cancelled';

export interface StoredRun {
  runId: string;
  agentName: string;
  prompt: string;
  status: StoredRunStatus;
  /** Epoch ms of `run_start` (whole milliseconds). */
  startedAt: number;
  /** Epoch ms of the last write (whole milliseconds). */
  updatedAt: number;
  /** Storage the run takes, in bytes. */
  bytes: number;
  /** Set when the run was forked from another run's checkpoint. */
  forkedFrom?: { runId: string; checkpointId: string };
  /** Set for a child run journaled on its own: the run that started it. */
  parentRunId?: string;
  /** What in the parent started this child run, when its run_start says. */
  parent?: ParentLink;
  /** Tokens and cost so far: from the run's last progress or run_end (zero before the first). */
  totals: { tokens: number; costUsd: number };
}

export interface CompactionStats {
  eventsBefore: number;
  eventsAfter: number;
  bytesBefore: number;
  bytesAfter: number;
}

/** Run ids every store accepts, so runs can move between them; plain enough to be a file name. */
export const isValidRunId = (runId: string): boolean => /^[A-Za-z0-9._-]{1,128}$/.test(runId) && !runId.startsWith('.');

export interface CheckpointStore {
  /** For messages, e.g. "files in /home/me/.deep-agent/runs". */
  readonly description: string;
  /**
   * Opens a run's journal for appending: a new run, or an existing one being resumed.
   * Refused (CheckpointError) while another live writer holds the same run.
   */
  openJournal(runId: string): Promise<JournalWriter>;
  /** The run's events in journal order. Throws CheckpointError for an unknown run or a foreign/newer journal. */
  readJournal(runId: string): Promise<JournalRead>;
  /** Top-level runs, newest first; `agentName` filters. A damaged run is listed as far as it can be read. */
  listRuns(filter?: { agentName?: string }): Promise<StoredRun[]>;
  /** Removes the run; false when there was none. Refused while a live writer holds it. */
  deleteRun(runId: string): Promise<boolean>;
  /** Shrinks a run that is not being written (streamed chunks merged per model call); safe to interrupt. */
  compact(runId: string): Promise<CompactionStats>;
  /** Releases connections or handles. */
  close(): Promise<void>;
}
