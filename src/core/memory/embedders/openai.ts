/**
 * Embeddings from an OpenAI-compatible `/embeddings` endpoint (OpenAI, Azure, Ollama, vLLM, LM Studio…)
 * through the `openai` client, in batches, retried like chat calls. Every reply is checked (one
 * vector per text, all of one dimension, numbers only) and made unit length.
 */
import OpenAI from 'openai';
import { sleep } from '../../clock';
import { withoutSecrets } from '../../model/endpointUrl';
import { toModelError } from '../../model/modelErrors';
import { defaultRetryPolicy, retryDelayMs, type RetryPolicy } from '../../model/retry';
import { ModelError } from '../../model/types';
import { MemoryError } from '../errors';
import type { Embedder } from '../types';
import { normalize } from '../vectors';

export const DEFAULT_OPENAI_EMBEDDING_MODEL = 'text-embedding-3-small';

export interface OpenAiEmbedderOptions {
  /** Default https://api.openai.com/v1. */
  baseURL?: string;
  /** Default text-embedding-3-small. */
  model?: string;
  /** Wins over `apiKeyEnv`. Never logged, traced or recorded. */
  apiKey?: string;
  /** The environment variable holding the key (default OPENAI_API_KEY), read from `env` (default process.env). */
  apiKeyEnv?: string;
  env?: NodeJS.ProcessEnv;
  /** Extra headers, e.g. `api-key` for Azure. */
  headers?: Record<string, string>;
  /** Texts per request (default 256; OpenAI takes up to 2048). */
  batchSize?: number;
  retry?: RetryPolicy;
  /** Per request (default 60 s). */
  timeoutMs?: number;
}

export class OpenAiEmbedder implements Embedder {
  readonly fallback = false;
  readonly model: string;
  readonly baseURL: string;
  readonly #client: OpenAI;
  readonly #batchSize: number;
  readonly #retry: RetryPolicy;
  #dimension?: number;

  constructor(options: OpenAiEmbedderOptions = {}) {
    this.model = options.model ?? DEFAULT_OPENAI_EMBEDDING_MODEL;
    this.baseURL = options.baseURL ?? 'https://api.openai.com/v1';
    this.#batchSize = options.batchSize ?? 256;
    if (!Number.isInteger(this.#batchSize) || this.#batchSize < 1) throw new MemoryError(`openai embedder: batchSize must be a positive integer (got ${options.batchSize})`);
    this.#retry = options.retry ?? defaultRetryPolicy;
    const apiKey = options.apiKey ?? (options.env ?? process.env)[options.apiKeyEnv ?? 'OPENAI_API_KEY'];
    this.#client = new OpenAI({
      baseURL: this.baseURL,
      // The client insists on a key; a placeholder keeps keyless local servers working.
      apiKey: apiKey || 'no-key',
      defaultHeaders: options.headers,
      timeout: options.timeoutMs ?? 60_000,
      maxRetries: 0, // retried here, with the chat calls' policy
    });
  }

  /** Known after the first call; asks the server once otherwise. */
  async dimension(): Promise<number> {
    if (this.#dimension === undefined) await this.embed(['dimension']);
    return this.#dimension!;
  }

  async embed(texts: readonly string[], options: { signal?: AbortSignal } = {}): Promise<number[][]> {
    options.signal?.throwIfAborted();
    const vectors: number[][] = [];
    for (let start = 0; start < texts.length; start += this.#batchSize) {
      vectors.push(...(await this.#batch(texts.slice(start, start + this.#batchSize), options.signal)));
    }
    return vectors;
  }

  async close(): Promise<void> {}

  async #batch(input: string[], signal?: AbortSignal): Promise<number[][]> {
    for (let attempt = 1; ; attempt++) {
      let reply: unknown;
      try {
        reply = await this.#client.embeddings.create({ model: this.model, input, encoding_format: 'float' }, { signal });
      } catch (error) {
        const failure = toModelError(error, this.baseURL, signal);
        const delay = retryDelayMs(failure, attempt, this.#retry);
        if (delay !== undefined) {
          await sleep(delay, signal);
          continue;
        }
        if (failure instanceof ModelError) throw new MemoryError(`embeddings by ${this.model}: ${failure.message}`, { cause: failure });
        throw failure; // the caller's abort
      }
      return this.#vectors(reply, input.length);
    }
  }

  /** The reply's vectors in input order, checked and unit length. */
  #vectors(reply: unknown, count: number): number[][] {
    const bad = (what: string) => new MemoryError(`embeddings by ${this.model} at ${withoutSecrets(this.baseURL)}: ${what}`);
    const data = (reply as { data?: unknown } | undefined)?.data;
    if (!Array.isArray(data)) throw bad('the reply has no data list');
    if (data.length !== count) throw bad(`asked for ${count} vectors, got ${data.length}`);
    const ordered = data.every((item) => typeof (item as { index?: unknown })?.index === 'number')
      ? [...data].sort((a: { index: number }, b: { index: number }) => a.index - b.index)
      : data;
    let dimension = this.#dimension;
    const vectors = ordered.map((item: { embedding?: unknown }, i) => {
      const vector = item?.embedding;
      if (!Array.isArray(vector) || vector.length === 0) throw bad(`vector ${i} is not a list of numbers`);
      const notNumber = vector.findIndex((x) => typeof x !== 'number' || !Number.isFinite(x));
      if (notNumber !== -1) throw bad(`vector ${i} holds ${JSON.stringify(vector[notNumber])} at ${notNumber}, not a number`);
      dimension ??= vector.length;
      if (vector.length !== dimension) throw bad(`vector ${i} has ${vector.length} numbers where earlier vectors have ${dimension}`);
      return normalize(vector as number[]);
    });
    this.#dimension = dimension;
    return vectors;
  }
}
