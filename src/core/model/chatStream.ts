/**
 * A Chat Completions SSE stream read into ModelChunks, as servers really send it:
 * - thinking arrives as `reasoning_content` (DeepSeek, vLLM) or `reasoning` (Ollama, OpenRouter);
 * - some gateways never send a `finish_reason`, or send `""` (older Ollama), and end with `[DONE]`:
 *   that is a finished answer. Only a stream with neither is cut off (and the loop retries it).
 * The client's own SSE parser is used; its Stream wrapper hides whether `[DONE]` came.
 */
import { _iterSSEMessages } from 'openai/core/streaming';
import { ModelError, type ModelChunk } from './types';

/** The parts of a chunk this reads; everything else a server adds is ignored. */
interface WireChunk {
  choices?: {
    delta?: {
      content?: string | null;
      reasoning_content?: string | null;
      reasoning?: string | null;
      tool_calls?: {
        index?: number | null;
        id?: string | null;
        function?: { name?: string | null; arguments?: string | null };
        /** Gemini: `{ google: { thought_signature } }`, to be sent back with the call. */
        extra_content?: unknown;
      }[] | null;
    } | null;
    finish_reason?: string | null;
  }[];
  usage?: { prompt_tokens?: number; completion_tokens?: number; total_tokens?: number } | null;
  error?: { message?: unknown; code?: unknown } | string;
}

export async function* readChatStream(response: Response, controller: AbortController): AsyncGenerator<ModelChunk> {
  let done = false;
  let finished = false;
  let toolCalls = false;
  for await (const message of _iterSSEMessages(response, controller)) {
    // Read on past [DONE] so the connection can be reused, as the client does.
    if (done) continue;
    if (message.data.startsWith('[DONE]')) {
      done = true;
      continue;
    }
    for (const chunk of fromWireChunk(parseChunk(message.data))) {
      if (chunk.type === 'finish') finished = true;
      else if (chunk.type === 'tool_call') toolCalls = true;
      yield chunk;
    }
  }
  if (controller.signal.aborted || finished) return;
  if (!done) throw new ModelError('the model stream ended before the answer was finished', 'model_stream_truncated', true);
  yield { type: 'finish', reason: toolCalls ? 'tool_calls' : 'stop' };
}

function parseChunk(data: string): WireChunk {
  let chunk: unknown;
  try {
    chunk = JSON.parse(data);
  } catch {
    throw new ModelError(`the model server sent a stream event that is not JSON: ${JSON.stringify(data.slice(0, 120))}`, 'model_stream_malformed', false);
  }
  if (typeof chunk !== 'object' || chunk === null) {
    throw new ModelError(`the model server sent a stream event that is not an object: ${JSON.stringify(data.slice(0, 120))}`, 'model_stream_malformed', false);
  }
  const { error } = chunk as WireChunk;
  if (error !== undefined && error !== null) throw streamedError(error);
  return chunk as WireChunk;
}

/** An error a server sends in the stream after a 200 (OpenRouter, LiteLLM, vLLM do). */
function streamedError(error: NonNullable<WireChunk['error']>): ModelError {
  const message = typeof error === 'string' ? error : typeof error.message === 'string' ? error.message : JSON.stringify(error);
  const code = typeof error === 'object' ? Number(error.code) : NaN;
  const transient = code === 429 || code >= 500 || /overloaded|rate limit|timeout|temporar/i.test(message);
  return new ModelError(`the model server reported an error mid-stream: ${message.replace(/\s+/g, ' ').slice(0, 300)}`, 'model_stream_error', transient);
}

function* fromWireChunk(chunk: WireChunk): Generator<ModelChunk> {
  for (const choice of chunk.choices ?? []) {
    const delta = choice.delta;
    if (delta) {
      // Servers that send both carry the same text in each.
      const reasoning = delta.reasoning_content || delta.reasoning;
      if (typeof reasoning === 'string' && reasoning) yield { type: 'reasoning', text: reasoning };
      if (typeof delta.content === 'string' && delta.content) yield { type: 'text', text: delta.content };
      for (const call of delta.tool_calls ?? []) {
        yield {
          type: 'tool_call',
          index: typeof call.index === 'number' ? call.index : undefined,
          id: call.id || undefined,
          name: call.function?.name || undefined,
          argumentsDelta: call.function?.arguments ?? '',
          ...(isObject(call.extra_content) ? { providerData: call.extra_content } : {}),
        };
      }
    }
    if (choice.finish_reason) yield { type: 'finish', reason: choice.finish_reason };
  }
  const usage = chunk.usage;
  if (usage && typeof usage.prompt_tokens === 'number' && typeof usage.completion_tokens === 'number') {
    const { prompt_tokens: input, completion_tokens: output } = usage;
    yield { type: 'usage', usage: { inputTokens: input, outputTokens: output, totalTokens: usage.total_tokens ?? input + output } };
  }
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
