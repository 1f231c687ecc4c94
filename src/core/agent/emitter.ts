/** Stamps events (runId, parentRunId, seq, ts), hands them out, and folds the run's totals from them. */
import type { Clock } from '../clock';
import { zeroUsage, type RunEvent, type RunEventData, type RunEventListener, type RunEventType, type Usage } from '../events';
import { addSpend, countEvent, type RunFigures } from '../totals';

/** Figures that guardrails and progress need; a fold of the events (totals.ts), never counted by hand. */
export interface RunTotals extends RunFigures {
  startedAt: number;
}

/** Where a resumed run's events go on from: its next seq and the totals folded from its journal. */
export interface EmitterRestore {
  nextSeq: number;
  usage: Usage;
  costUsd: number;
  modelCalls: number;
  toolCalls: number;
}

export class RunEmitter {
  readonly totals: RunTotals;
  /** Stamped on every event: the subagent's parent emitter, or the parent of a child run journaled on its own. */
  readonly parentRunId: string | undefined;
  #seq: number;

  constructor(
    readonly runId: string,
    readonly parent: RunEmitter | undefined,
    private readonly sink: RunEventListener,
    readonly clock: Clock,
    restore?: EmitterRestore,
    parentRunId?: string,
  ) {
    this.parentRunId = parent?.runId ?? parentRunId;
    this.#seq = restore?.nextSeq ?? 0;
    this.totals = {
      usage: restore?.usage ?? zeroUsage(),
      costUsd: restore?.costUsd ?? 0,
      modelCalls: restore?.modelCalls ?? 0,
      toolCalls: restore?.toolCalls ?? 0,
      startedAt: clock.now(),
    };
  }

  /** The emitter of a subagent run: same sink, totals rolling up into this run's. */
  child(runId: string, restore?: EmitterRestore): RunEmitter {
    return new RunEmitter(runId, this, this.sink, this.clock, restore);
  }

  /** The seq the next event will get. */
  get nextSeq(): number {
    return this.#seq;
  }

  emit<T extends RunEventType>(type: T, data: RunEventData[T]): RunEvent {
    const event = {
      runId: this.runId,
      parentRunId: this.parentRunId,
      seq: this.#seq++,
      ts: this.clock.now(),
      type,
      data,
    } as RunEvent;
    this.fold(event);
    this.sink(event);
    return event;
  }

  elapsedMs(): number {
    return this.clock.now() - this.totals.startedAt;
  }

  private fold(event: RunEvent): void {
    const spend = countEvent(this.totals, event);
    if (spend) for (let run: RunEmitter | undefined = this; run; run = run.parent) addSpend(run.totals, spend);
  }
}

/** One listener out of several; a listener that throws is dropped so the run goes on. */
export function fanOut(listeners: (RunEventListener | undefined)[]): RunEventListener {
  const live = listeners.filter((l): l is RunEventListener => l !== undefined);
  return (event) => {
    for (let i = 0; i < live.length; i++) {
      try {
        live[i]!(event);
      } catch (error) {
        process.emitWarning(`deep-agent: an event listener threw and was removed: ${String(error)}`);
        live.splice(i--, 1);
      }
    }
  };
}
