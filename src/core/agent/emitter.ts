/** Stamps events (runId, parentRunId, seq, ts), hands them out, and folds the run's totals from them. */
import type { Clock } from '../clock';
import { addUsage, zeroUsage, type RunEvent, type RunEventData, type RunEventListener, type RunEventType, type Usage } from '../events';

/** Figures that guardrails and progress need; a fold of the events, never counted by hand. */
export interface RunTotals {
  /** This run and its subagents. */
  usage: Usage;
  costUsd: number;
  /** Model calls of this run alone. */
  modelCalls: number;
  /** Tool calls of this run alone. */
  toolCalls: number;
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
    if (event.type === 'llm_start' && event.data.attempt === 1) this.totals.modelCalls++;
    else if (event.type === 'tool_start') this.totals.toolCalls++;
    else if (event.type === 'llm_end') {
      for (let run: RunEmitter | undefined = this; run; run = run.parent) {
        run.totals.usage = addUsage(run.totals.usage, event.data.usage);
        run.totals.costUsd += event.data.costUsd;
      }
    }
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
