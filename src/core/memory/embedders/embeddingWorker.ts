/**
 * The embedding worker thread (see embeddingHost.ts): keeps the models its embedders asked for,
 * loaded through transformers.js' feature-extraction pipeline, and embeds texts in batches, so
 * tokenizing and inference never run on the main thread. It tokenizes, runs the model and mean-pools
 * itself: the pipeline's own pooling, in tensor operations, cost a third more per text at batch 1.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parentPort } from 'node:worker_threads';
import { env, pipeline, type FeatureExtractionPipeline, type Tensor } from '@huggingface/transformers';

/** Which model, from where, how: one pipeline per distinct settings. */
export interface EmbeddingWorkerSettings {
  modelId: string;
  localModelPath?: string;
  cacheDir?: string;
  allowRemote: boolean;
  dtype: 'fp32' | 'fp16' | 'q8' | 'int8' | 'uint8' | 'q4' | 'bnb4' | 'q4f16';
  batchSize: number;
}

/** `user` tells embedders apart: a model is kept while an embedder that asked for it is open. */
export type EmbeddingAsk =
  | { type: 'embed'; user: number; settings: EmbeddingWorkerSettings; texts: string[] }
  | { type: 'dimension'; user: number; settings: EmbeddingWorkerSettings }
  /** The embedder was closed: its model is disposed once no other embedder uses it. */
  | { type: 'release'; user: number; settings: EmbeddingWorkerSettings };

/** `cancel`: the caller gave up; the rest of that request's batches are skipped. */
export type EmbeddingRequest = (EmbeddingAsk & { id: number }) | { type: 'cancel'; id: number };

/** `vectors`: texts × dimension, row after row. */
export type EmbeddingReply =
  | { id: number; ok: true; dimension: number; vectors?: Float32Array }
  | { id: number; ok: false; error: string };

interface Loaded {
  pipeline: Promise<FeatureExtractionPipeline>;
  users: Set<number>;
  /** Requests using it now: it is disposed only when none are. */
  busy: number;
}

const cancelled = new Set<number>();
const models = new Map<string, Loaded>();
/** Loads one at a time: transformers.js reads where to look from its global `env`. */
let loads: Promise<unknown> = Promise.resolve();

const running = new Set<number>();

parentPort!.on('message', (request: EmbeddingRequest) => {
  if (request.type === 'cancel') return void (running.has(request.id) && cancelled.add(request.id));
  running.add(request.id);
  void answer(request).then((reply) => {
    running.delete(request.id);
    cancelled.delete(request.id);
    parentPort!.postMessage(reply, reply.ok && reply.vectors ? [reply.vectors.buffer as ArrayBuffer] : []);
  });
});

async function answer(request: EmbeddingAsk & { id: number }): Promise<EmbeddingReply> {
  const { id, settings } = request;
  const key = keyOf(settings);
  if (request.type === 'release') {
    models.get(key)?.users.delete(request.user);
    disposeIfUnused(key);
    return { id, ok: true, dimension: 0 };
  }
  const model = use(key, settings, request.user);
  model.busy++;
  try {
    const extractor = await model.pipeline;
    const dimension = hiddenSize(extractor, settings);
    if (request.type === 'dimension') return { id, ok: true, dimension };
    const vectors = new Float32Array(request.texts.length * dimension);
    for (let start = 0; start < request.texts.length; start += settings.batchSize) {
      // A cancel message can only arrive between batches: let it in.
      await new Promise((resolve) => setImmediate(resolve));
      if (cancelled.has(id)) return { id, ok: false, error: 'cancelled' };
      const tokens = extractor.tokenizer(request.texts.slice(start, start + settings.batchSize), { padding: true, truncation: true });
      const { last_hidden_state: hidden } = (await extractor.model(tokens)) as { last_hidden_state: Tensor };
      meanPool(hidden.data as Float32Array, tokens.attention_mask.data as BigInt64Array, hidden.dims, vectors.subarray(start * dimension));
    }
    return { id, ok: true, dimension, vectors };
  } catch (error) {
    return { id, ok: false, error: oneLine(error) };
  } finally {
    model.busy--;
    disposeIfUnused(key);
  }
}

const keyOf = (settings: EmbeddingWorkerSettings) => JSON.stringify([settings.modelId, settings.localModelPath, settings.cacheDir, settings.allowRemote, settings.dtype]);

/** The model, loaded once; a failed load is tried again on the next request (the files may have been put there since). */
function use(key: string, settings: EmbeddingWorkerSettings, user: number): Loaded {
  let model = models.get(key);
  if (!model) {
    const pipeline = loads.then(() => loadNow(settings));
    loads = pipeline.catch(() => undefined);
    const loading: Loaded = { pipeline, users: new Set(), busy: 0 };
    pipeline.catch(() => models.get(key) === loading && models.delete(key));
    models.set(key, (model = loading));
  }
  model.users.add(user);
  return model;
}

function disposeIfUnused(key: string): void {
  const model = models.get(key);
  if (!model || model.users.size > 0 || model.busy > 0) return;
  models.delete(key);
  void model.pipeline.then((extractor) => extractor.dispose()).catch(() => undefined);
}

async function loadNow(settings: EmbeddingWorkerSettings): Promise<FeatureExtractionPipeline> {
  const folders = modelFolders(settings);
  env.allowRemoteModels = settings.allowRemote;
  env.allowLocalModels = settings.localModelPath !== undefined;
  if (settings.localModelPath !== undefined) env.localModelPath = settings.localModelPath;
  // Set explicitly: the defaults resolve relative to the bundled file.
  env.useFSCache = settings.cacheDir !== undefined;
  if (settings.cacheDir !== undefined) env.cacheDir = settings.cacheDir;
  try {
    return await featureExtraction('feature-extraction', settings.modelId, { dtype: settings.dtype });
  } catch (error) {
    throw new Error(`cannot load embedding model ${settings.modelId} from ${folders.join(' or ') || 'the Hugging Face hub'}: ${oneLine(error)}`);
  }
}

/** `pipeline` for the one task used here: its full overloads are too complex a union for TypeScript (TS2590). */
const featureExtraction = pipeline as (task: 'feature-extraction', model: string, options: { dtype: EmbeddingWorkerSettings['dtype'] }) => Promise<FeatureExtractionPipeline>;

/** Where the model is looked for; with downloads off, one of them must hold it. */
function modelFolders(settings: EmbeddingWorkerSettings): string[] {
  const folders = [settings.localModelPath, settings.cacheDir].filter((dir) => dir !== undefined).map((dir) => join(dir, settings.modelId));
  if (settings.allowRemote) return folders;
  if (folders.length === 0) throw new Error(`embedding model ${settings.modelId}: downloads are off and no localModelPath is set`);
  if (!folders.some((folder) => existsSync(join(folder, 'config.json')))) {
    throw new Error(`embedding model ${settings.modelId} not found: no config.json in ${folders.join(' or ')} (downloads are off; put the model's files there)`);
  }
  return folders;
}

function hiddenSize(extractor: FeatureExtractionPipeline, settings: EmbeddingWorkerSettings): number {
  const size = (extractor.model.config as { hidden_size?: unknown }).hidden_size;
  if (typeof size !== 'number') throw new Error(`embedding model ${settings.modelId}: its config.json names no hidden_size`);
  return size;
}

/** Mean of each text's token vectors over its real tokens (padding left out), unit length, into `out` row after row. */
function meanPool(hidden: Float32Array, mask: BigInt64Array, [batch, length, size]: number[], out: Float32Array): void {
  for (let b = 0; b < batch!; b++) {
    const row = out.subarray(b * size!, (b + 1) * size!);
    for (let s = 0; s < length!; s++) {
      if (mask[b * length! + s] === 0n) continue;
      const token = hidden.subarray((b * length! + s) * size!, (b * length! + s + 1) * size!);
      for (let d = 0; d < size!; d++) row[d]! += token[d]!;
    }
    let norm = 0;
    for (let d = 0; d < size!; d++) norm += row[d]! * row[d]!;
    norm = Math.sqrt(norm) || 1;
    for (let d = 0; d < size!; d++) row[d]! /= norm;
  }
}

const oneLine = (error: unknown): string => (error instanceof Error ? error.message : String(error)).split('\n', 1)[0]!;
