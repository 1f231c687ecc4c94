/**
 * ChatModel over any OpenAI-compatible Chat Completions endpoint (OpenAI, Azure OpenAI, Ollama,
 * LM Studio, vLLM, llama.cpp's server, OpenRouter), with streaming and tool calling.
 */
import OpenAI from 'openai';
import type { ChatCompletionChunk, ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import type { ChatCallOptions, ChatMessage, ChatModel, ChatRequest, ModelChunk, ModelEndpoint } from './types';
import { ModelError } from './types';

export interface OpenAICompatibleOptions {
  baseURL: string;
  model: string;
  /** Optional: local servers often need none. Never logged, traced or recorded. */
  apiKey?: string;
  /** The name of the environment variable `apiKey` came from: recorded with a run (never the key) so a resume reads it again. */
  apiKeyEnv?: string;
  /** Extra headers, e.g. `api-key` for Azure or `HTTP-Referer` for OpenRouter. */
  headers?: Record<string, string>;
  /** Per-request timeout (default 10 minutes, long answers stream slowly). */
  timeoutMs?: number;
}

export class OpenAICompatibleModel implements ChatModel {
  readonly id: string;
  readonly modelName: string;
  readonly endpoint: ModelEndpoint;
  readonly #client: OpenAI;

  constructor(options: OpenAICompatibleOptions) {
    this.modelName = options.model;
    this.endpoint = { provider: 'openai-compatible', baseUrl: options.baseURL, ...(options.apiKeyEnv ? { apiKeyEnv: options.apiKeyEnv } : {}) };
    this.id = `openai-compatible:${options.model}`;
    this.#client = new OpenAI({
      baseURL: options.baseURL,
      // The client insists on a key; a placeholder keeps keyless local servers working.
      apiKey: options.apiKey || 'no-key',
      defaultHeaders: options.headers,
      timeout: options.timeoutMs ?? 600_000,
      // Retries are the agent loop's, so each one is an event the user sees.
      maxRetries: 0,
    });
  }

  async *stream(request: ChatRequest, options: ChatCallOptions = {}): AsyncIterable<ModelChunk> {
    let finished = false;
    // The client leaves a listener on the signal it is given; a per-call signal keeps a long run's
    // signal from collecting one per model call.
    const call = new AbortController();
    const forwardAbort = () => call.abort(options.signal?.reason);
    if (options.signal?.aborted) forwardAbort();
    options.signal?.addEventListener('abort', forwardAbort, { once: true });
    try {
      const stream = await this.#client.chat.completions.create(
        {
          model: request.model,
          messages: request.messages.map(toOpenAIMessage),
          tools: request.tools?.length
            ? request.tools.map((t) => ({ type: 'function' as const, function: t }))
            : undefined,
          temperature: request.temperature,
          top_p: request.topP,
          max_tokens: request.maxTokens,
          seed: request.seed,
          stream: true,
          stream_options: { include_usage: true },
        },
        { signal: call.signal },
      );
      for await (const chunk of stream) {
        for (const piece of fromOpenAIChunk(chunk)) {
          if (piece.type === 'finish') finished = true;
          yield piece;
        }
      }
    } catch (error) {
      throw toModelError(error, options.signal);
    } finally {
      options.signal?.removeEventListener('abort', forwardAbort);
    }
    // The client ends an aborted stream quietly; the caller must still learn it was cancelled.
    if (options.signal?.aborted) throw toModelError(options.signal.reason, options.signal);
    if (!finished) {
      throw new ModelError('the model stream ended before the answer was finished', 'model_stream_truncated', true);
    }
  }
}

function toOpenAIMessage(message: ChatMessage): ChatCompletionMessageParam {
  switch (message.role) {
    case 'system':
    case 'user':
      return { role: message.role, content: message.content };
    case 'tool':
      return { role: 'tool', tool_call_id: message.toolCallId, content: message.content };
    case 'assistant':
      return {
        role: 'assistant',
        content: message.content,
        tool_calls: message.toolCalls?.length
          ? message.toolCalls.map((c) => ({ id: c.id, type: 'function' as const, function: { name: c.name, arguments: c.arguments } }))
          : undefined,
      };
  }
}

function* fromOpenAIChunk(chunk: ChatCompletionChunk): Generator<ModelChunk> {
  for (const choice of chunk.choices ?? []) {
    const delta = choice.delta;
    if (delta?.content) yield { type: 'text', text: delta.content };
    for (const call of delta?.tool_calls ?? []) {
      yield {
        type: 'tool_call',
        index: call.index,
        id: call.id ?? undefined,
        name: call.function?.name ?? undefined,
        argumentsDelta: call.function?.arguments ?? '',
      };
    }
    if (choice.finish_reason) yield { type: 'finish', reason: choice.finish_reason };
  }
  if (chunk.usage) {
    const { prompt_tokens, completion_tokens, total_tokens } = chunk.usage;
    yield {
      type: 'usage',
      usage: { inputTokens: prompt_tokens, outputTokens: completion_tokens, totalTokens: total_tokens ?? prompt_tokens + completion_tokens },
    };
  }
}

/** Classifies a failure so the retry policy knows what to do with it. */
export function toModelError(error: unknown, signal?: AbortSignal): Error {
  if (error instanceof ModelError) return error;
  if (signal?.aborted || error instanceof OpenAI.APIUserAbortError) {
    return signal?.reason instanceof Error ? signal.reason : new DOMException('The run was cancelled', 'AbortError');
  }
  if (error instanceof OpenAI.APIConnectionTimeoutError) {
    return new ModelError('the model server did not answer in time', 'model_timeout', true);
  }
  if (error instanceof OpenAI.APIConnectionError) {
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
    return new ModelError(`cannot reach the model server${cause}`, 'model_connection', true);
  }
  if (error instanceof OpenAI.APIError && typeof error.status === 'number') {
    const status = error.status;
    const transient = status === 408 || status === 409 || status === 429 || status >= 500;
    const detail = describeApiError(error);
    return new ModelError(`model server answered HTTP ${status}: ${detail}`, `model_http_${status}`, transient, status, retryAfterMs(error.headers));
  }
  const message = error instanceof Error ? error.message : String(error);
  // Sockets cut mid-stream surface as plain errors from fetch ("terminated", ECONNRESET).
  const transient = /terminated|ECONNRESET|socket|other side closed|EPIPE/i.test(message);
  return new ModelError(`model call failed: ${message}`, transient ? 'model_connection' : 'model_failed', transient);
}

function describeApiError(error: InstanceType<typeof OpenAI.APIError>): string {
  const body = error.error as { message?: unknown } | undefined;
  const message = typeof body?.message === 'string' ? body.message : error.message;
  return message.replace(/\s+/g, ' ').slice(0, 300);
}

/** Reads `retry-after-ms` or `retry-after` (seconds or an HTTP date). */
export function retryAfterMs(headers: Headers | undefined, now = Date.now()): number | undefined {
  const ms = headers?.get('retry-after-ms');
  if (ms && Number.isFinite(Number(ms))) return Math.max(0, Number(ms));
  const value = headers?.get('retry-after');
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isFinite(date) ? Math.max(0, date - now) : undefined;
}

/** The model names an endpoint offers (GET /models), or undefined when it cannot say. */
export async function listModels(baseURL: string, apiKey?: string, timeoutMs = 5000): Promise<string[] | undefined> {
  try {
    const client = new OpenAI({ baseURL, apiKey: apiKey || 'no-key', timeout: timeoutMs, maxRetries: 0 });
    const names: string[] = [];
    for await (const model of client.models.list()) names.push(model.id);
    return names.sort();
  } catch {
    return undefined;
  }
}
