/**
 * The one embedding worker thread of the process (embeddingWorker.ts), shared by every
 * TransformersEmbedder. One, and never terminated on purpose: onnxruntime-node's native binding
 * registers once per process, so a second worker started after the first has gone cannot load it
 * ("Module did not self-register"; huggingface/transformers.js#651). An idle worker is unref'd, so
 * it never keeps a process alive. If it dies anyway, what was asked of it fails with a clear error and
 * the next call starts a new one (which can then embed only if onnxruntime was not loaded yet).
 * onnxruntime-node also works from one thread per process only: nothing else in a process that embeds
 * may load it (calls from two threads crash the process).
 */
import type { Worker } from 'node:worker_threads';
import { startWorkerScript, workerScript } from '../../workerScript';
import { MemoryError } from '../errors';
import type { EmbeddingAsk, EmbeddingReply, EmbeddingRequest } from './embeddingWorker';

export type Answer = Extract<EmbeddingReply, { ok: true }>;

interface Pending {
  resolve(answer: Answer): void;
  reject(error: Error): void;
}

const ONCE_PER_PROCESS = ' (onnxruntime loads once per process and an earlier embedding worker stopped: restart the process, or reload the VS Code window)';

let worker: Worker | undefined;
const pending = new Map<number, Pending>();
let nextId = 0;

/** Sends one request; an abort rejects at once with the signal's reason and tells the worker to skip the rest. */
export function ask(request: EmbeddingAsk, signal?: AbortSignal): { id: number; answer: Promise<Answer> } {
  const current = (worker ??= startHost());
  const id = nextId++;
  current.ref();
  const answer = new Promise<Answer>((resolve, reject) => {
    const settle = () => {
      signal?.removeEventListener('abort', onAbort);
      pending.delete(id);
      if (pending.size === 0) current.unref();
    };
    const onAbort = () => {
      settle();
      current.postMessage({ type: 'cancel', id } satisfies EmbeddingRequest);
      reject(signal!.reason);
    };
    pending.set(id, { resolve: (reply) => (settle(), resolve(reply)), reject: (error) => (settle(), reject(error)) });
    signal?.addEventListener('abort', onAbort, { once: true });
    current.postMessage({ ...request, id } satisfies EmbeddingRequest);
  });
  return { id, answer };
}

/** Fails a request still waiting, and tells the worker to skip the rest of it. */
export function abandon(id: number, error: Error): void {
  const waiting = pending.get(id);
  if (!waiting) return;
  worker?.postMessage({ type: 'cancel', id } satisfies EmbeddingRequest);
  waiting.reject(error);
}

/** The worker the requests go to, for tests that must stop it from outside. */
export const hostWorker = (): Worker | undefined => worker;

function startHost(): Worker {
  const started = startWorkerScript(workerScript(__dirname, 'embeddingWorker'));
  started.on('message', (reply: EmbeddingReply) => {
    const waiting = pending.get(reply.id);
    if (!waiting) return; // cancelled or abandoned meanwhile
    if (reply.ok) waiting.resolve(reply);
    else waiting.reject(new MemoryError(reply.error));
  });
  const died = (why: string) => {
    if (worker !== started) return;
    worker = undefined;
    const error = new MemoryError(`the embedding worker ${why}; the next call starts a new one`);
    for (const waiting of [...pending.values()]) waiting.reject(error);
  };
  started.on('error', (error) => died(`failed: ${error.message.split('\n', 1)[0]}${/did not self-register/.test(error.message) ? ONCE_PER_PROCESS : ''}`));
  started.on('exit', (code) => died(`stopped (exit code ${code})`));
  return started;
}
