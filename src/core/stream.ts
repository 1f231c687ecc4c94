/** The run as an AsyncIterable of events, and filtered views of it. */
import type { DeepAgent } from './agent/createDeepAgent';
import type { DeepAgentDeps, RunResult } from './agent/types';
import type { RunEvent, RunEventOf } from './events';
import { EventQueue } from './eventQueue';

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
