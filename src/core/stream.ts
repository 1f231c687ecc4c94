/** The run as an AsyncIterable of events, and filtered views of it. */
import type { DeepAgent } from './agent/createDeepAgent';
import type { DeepAgentDeps, RunResult } from './agent/types';
import type { RunEvent, RunEventOf } from './events';

export interface RunStream extends AsyncIterable<RunEvent> {
  /** Settles when the run ends; never rejects (see `status` and `error`). */
  readonly result: Promise<RunResult>;
}

/**
 * Starts a run and yields every event, subagents' included, in order. Leaving the loop early
 * (break, return, throw) cancels the run.
 */
export function runStream(agent: DeepAgent, prompt: string, deps: DeepAgentDeps): RunStream {
  const queue = new EventQueue();
  const cancel = new AbortController();
  const signal = deps.signal ? AbortSignal.any([deps.signal, cancel.signal]) : cancel.signal;
  const result = agent
    .execute(prompt, {
      ...deps,
      signal,
      onEvent: (event) => {
        deps.onEvent?.(event);
        queue.push(event);
      },
    })
    .finally(() => queue.close());
  return {
    result,
    [Symbol.asyncIterator]: () => queue.iterator(() => cancel.abort()),
  };
}

/** Only the model's text, as it streams (subagents' text excluded). */
export async function* streamText(agent: DeepAgent, prompt: string, deps: DeepAgentDeps): AsyncGenerator<string, RunResult> {
  const stream = runStream(agent, prompt, deps);
  let topRunId: string | undefined;
  for await (const event of stream) {
    topRunId ??= event.runId;
    if (event.type === 'llm_chunk' && event.runId === topRunId) yield event.data.text;
  }
  return stream.result;
}

export type ToolEvent = RunEventOf<'tool_start'> | RunEventOf<'tool_end'>;

/** Only tool calls starting and ending, subagents' included. */
export async function* streamToolCalls(agent: DeepAgent, prompt: string, deps: DeepAgentDeps): AsyncGenerator<ToolEvent, RunResult> {
  const stream = runStream(agent, prompt, deps);
  for await (const event of stream) {
    if (event.type === 'tool_start' || event.type === 'tool_end') yield event as ToolEvent;
  }
  return stream.result;
}

/** An unbounded single-consumer queue; the producer never waits. */
class EventQueue {
  #items: RunEvent[] = [];
  #head = 0;
  #closed = false;
  #wake: (() => void) | undefined;

  push(event: RunEvent): void {
    this.#items.push(event);
    this.#wake?.();
  }

  close(): void {
    this.#closed = true;
    this.#wake?.();
  }

  iterator(onEarlyExit: () => void): AsyncIterator<RunEvent> {
    return {
      next: async () => {
        while (this.#head === this.#items.length) {
          if (this.#closed) return { done: true, value: undefined };
          await new Promise<void>((resolve) => (this.#wake = resolve));
          this.#wake = undefined;
        }
        const value = this.#items[this.#head++]!;
        // Drop consumed events now and then so a long run does not keep them all.
        if (this.#head > 4096 && this.#head * 2 > this.#items.length) {
          this.#items = this.#items.slice(this.#head);
          this.#head = 0;
        }
        return { done: false, value };
      },
      return: async () => {
        if (!this.#closed) onEarlyExit();
        return { done: true, value: undefined };
      },
    };
  }
}
