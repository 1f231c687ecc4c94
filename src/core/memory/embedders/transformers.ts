/**
 * A local sentence-embedding model run by transformers.js (onnxruntime) in the embedding worker
 * thread (embeddingHost.ts), so a batch that takes seconds never stalls the event loop. Mean pooling,
 * unit length. Nothing is downloaded unless `allowRemote` says so: the model's files are read from
 * `localModelPath`.
 */
import { MemoryError } from '../errors';
import type { Embedder } from '../types';
import { abandon, ask, type Answer } from './embeddingHost';
import type { EmbeddingAsk, EmbeddingWorkerSettings } from './embeddingWorker';

export const DEFAULT_EMBEDDING_MODEL = 'Xenova/all-MiniLM-L6-v2';

export interface TransformersEmbedderOptions {
  /** Default Xenova/all-MiniLM-L6-v2. */
  modelId?: string;
  /** A folder holding `<modelId>/config.json`, `<modelId>/tokenizer.json`, `<modelId>/onnx/model_quantized.onnx`, … */
  localModelPath?: string;
  /** Where downloaded models are kept (and looked for). */
  cacheDir?: string;
  /** May the model be downloaded from the Hugging Face hub? Default false. */
  allowRemote?: boolean;
  /** Which weights: q8 (default) reads onnx/model_quantized.onnx, fp32 onnx/model.onnx. */
  dtype?: EmbeddingWorkerSettings['dtype'];
  /** Texts per inference call (default 32). */
  batchSize?: number;
}

let users = 0;

export class TransformersEmbedder implements Embedder {
  readonly fallback = false;
  readonly model: string;
  private readonly settings: EmbeddingWorkerSettings;
  private readonly user = ++users;
  /** Requests of this embedder still waiting, failed by close(). */
  private readonly waiting = new Set<number>();
  private size?: number;

  constructor(options: TransformersEmbedderOptions = {}) {
    const batchSize = options.batchSize ?? 32;
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new MemoryError(`transformers embedder: batchSize must be a positive integer (got ${batchSize})`);
    this.model = options.modelId ?? DEFAULT_EMBEDDING_MODEL;
    this.settings = {
      modelId: this.model,
      localModelPath: options.localModelPath,
      cacheDir: options.cacheDir,
      allowRemote: options.allowRemote ?? false,
      dtype: options.dtype ?? 'q8',
      batchSize,
    };
  }

  /** Loads the model (once) and reports its hidden size. */
  async dimension(): Promise<number> {
    this.size ??= (await this.call({ type: 'dimension', user: this.user, settings: this.settings })).dimension;
    return this.size;
  }

  async embed(texts: readonly string[], options: { signal?: AbortSignal } = {}): Promise<number[][]> {
    options.signal?.throwIfAborted();
    if (texts.length === 0) return [];
    const { dimension, vectors } = await this.call({ type: 'embed', user: this.user, settings: this.settings, texts: [...texts] }, options.signal);
    this.size = dimension;
    return texts.map((_, i) => Array.from(vectors!.subarray(i * dimension, (i + 1) * dimension)));
  }

  /** Fails this embedder's waiting calls and frees its model in the worker (unless another embedder uses it); a later call loads it again. */
  async close(): Promise<void> {
    const closed = new MemoryError(`embedder ${this.model} was closed`);
    for (const id of [...this.waiting]) abandon(id, closed);
    await this.call({ type: 'release', user: this.user, settings: this.settings });
  }

  private async call(request: EmbeddingAsk, signal?: AbortSignal): Promise<Answer> {
    const { id, answer } = ask(request, signal);
    this.waiting.add(id);
    try {
      return await answer;
    } finally {
      this.waiting.delete(id);
    }
  }
}
