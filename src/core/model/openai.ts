/**
 * ChatModel over any OpenAI-compatible Chat Completions endpoint (OpenAI, Azure OpenAI, Ollama,
 * LM Studio, vLLM, llama.cpp's server, OpenRouter), with streaming and tool calling, and tolerant of
 * what those servers really send (see readChatStream and ToolCallAssembler).
 */
import OpenAI from 'openai';
import type { ChatCompletionCreateParamsStreaming, ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import { readChatStream } from './chatStream';
import { withoutSecrets } from './endpointUrl';
import { toModelError } from './modelErrors';
import type { ChatCallOptions, ChatMessage, ChatModel, ChatRequest, ModelChunk, ModelEndpoint } from './types';

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

/**
 * Endpoints that answered HTTP 400 to `stream_options` and then took the request without it
 * (some gateways and older servers): asked without it from then on, in this process.
 */
const withoutStreamOptions = new Set<string>();

export class OpenAICompatibleModel implements ChatModel {
  readonly id: string;
  readonly modelName: string;
  readonly baseURL: string;
  readonly endpoint: ModelEndpoint;
  readonly #client: OpenAI;

  constructor(options: OpenAICompatibleOptions) {
    this.modelName = options.model;
    this.baseURL = options.baseURL;
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
    // The client leaves a listener on the signal it is given; a per-call signal keeps a long run's
    // signal from collecting one per model call.
    const call = new AbortController();
    const forwardAbort = () => call.abort(options.signal?.reason);
    if (options.signal?.aborted) forwardAbort();
    options.signal?.addEventListener('abort', forwardAbort, { once: true });
    try {
      let response: Response;
      const askForUsage = !withoutStreamOptions.has(this.baseURL);
      try {
        response = await this.#send(request, askForUsage, call.signal);
      } catch (error) {
        if (!askForUsage || !rejectsStreamOptions(error)) throw error;
        // Once more without the field; a 400 for another reason fails the same way again.
        response = await this.#send(request, false, call.signal);
        withoutStreamOptions.add(this.baseURL);
        yield {
          type: 'notice',
          code: 'model_usage_unreported',
          message: `the model server at ${withoutSecrets(this.baseURL)} rejects stream_options, so it is asked without them from now on; it reports no token usage, so tokens and cost count as 0 and token or cost budgets cannot stop a run`,
        };
      }
      yield* readChatStream(response, call);
    } catch (error) {
      throw toModelError(error, this.baseURL, options.signal);
    } finally {
      options.signal?.removeEventListener('abort', forwardAbort);
    }
    // The stream ends quietly when aborted; the caller must still learn it was cancelled.
    if (options.signal?.aborted) throw toModelError(options.signal.reason, this.baseURL, options.signal);
  }

  /** The request, answered with a streaming response (an HTTP error status rejects). */
  #send(request: ChatRequest, askForUsage: boolean, signal: AbortSignal): Promise<Response> {
    const body: ChatCompletionCreateParamsStreaming = {
      model: request.model,
      messages: request.messages.map(toOpenAIMessage),
      tools: request.tools?.length ? request.tools.map((t) => ({ type: 'function' as const, function: t })) : undefined,
      temperature: request.temperature,
      top_p: request.topP,
      max_tokens: request.maxTokens,
      seed: request.seed,
      stream: true,
      ...(askForUsage ? { stream_options: { include_usage: true } } : {}),
    };
    return this.#client.chat.completions.create(body, { signal }).asResponse();
  }
}

/** A 400 that names the field, or gives no reason at all (some gateways answer a bare 400). */
function rejectsStreamOptions(error: unknown): boolean {
  if (!(error instanceof OpenAI.APIError) || error.status !== 400) return false;
  return error.error === undefined || /stream_options|include_usage/i.test(JSON.stringify(error.error));
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
          ? message.toolCalls.map((c) => ({
              id: c.id,
              type: 'function' as const,
              function: { name: c.name, arguments: c.arguments },
              ...(c.providerData ? { extra_content: c.providerData } : {}),
            }))
          : undefined,
      };
  }
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
