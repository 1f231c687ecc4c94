/**
 * What the run loop needs from persistence, and what persistence needs from the loop: the small
 * contract between agent/ (which runs) and checkpoint/ (which journals), so neither imports the other.
 */
import type { CheckpointFrequency, RunEvent } from './events';
import type { RunState } from './runState';

/** A clear, one-line problem with stored runs: a foreign or newer file, a missing run, a dead server. */
export class CheckpointError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CheckpointError';
  }
}

/** The store has no run by that id (as opposed to one it cannot read). */
export class RunNotFoundError extends CheckpointError {
  constructor(
    readonly runId: string,
    where: string,
  ) {
    super(`no run ${runId} in ${where}`);
    this.name = 'RunNotFoundError';
  }
}

/** What the run loop needs from checkpointing (src/core/checkpoint) — kept small so the loop stays plain. */
export interface RunPersistence {
  /** Gets every event before any other listener. `flush` is awaited before every side effect. */
  journal: { append(event: RunEvent): void; flush(): Promise<void> };
  /** When to take checkpoints on their own; none when undefined. */
  frequency?: CheckpointFrequency;
  /** The label of a manual checkpoint asked for since the last boundary, if any. */
  takeManualRequest?(): string | undefined;
  /** Go on with this run (the fold of its journal) instead of starting a new one. */
  resume?: RunState;
  /** A side-effecting call that may or may not have happened: run it again, or tell the model (the default). */
  decideInterrupted?(call: InterruptedToolCall): Promise<'rerun' | 'unknown'>;
}

export interface InterruptedToolCall {
  runId: string;
  toolCallId: string;
  toolName: string;
  args: unknown;
  /** Why the outcome is unknown. */
  detail: string;
}
