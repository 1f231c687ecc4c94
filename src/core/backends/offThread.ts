/**
 * Runs search jobs in a worker thread, so neither a costly pattern nor starting ripgrep (a fork of
 * the whole process) ever blocks the event loop. A stop (deadline or cancelled run) rejects at
 * once. A worker stuck matching is terminated; one waiting on ripgrep is told to stop, kills and
 * reaps ripgrep, and is used again. An idle worker is kept, unref'd so it never keeps a process alive.
 */
import type { Worker } from 'node:worker_threads';
import { startWorkerScript, workerScript, type WorkerScript } from '../workerScript';
import { PROGRESS_SLOTS, type SearchJob } from './searchJobs';
import type { JobReply, JobRequest, StopRequest } from './searchWorker';

/** Where the worker was when it was stopped: the item it was on (-1: none yet), for how long, and how long the job ran. */
export class StoppedInWorker extends Error {
  constructor(
    readonly item: number,
    readonly itemMs: number,
    readonly jobMs: number,
  ) {
    super('search stopped');
    this.name = 'StoppedInWorker';
  }
}

/** How long a worker told to stop may take to kill ripgrep before it is terminated anyway. */
const STOP_GRACE_MS = 2000;

let idle: Worker | undefined;

export async function runOffThread<T>(job: SearchJob, signal: AbortSignal): Promise<T> {
  signal.throwIfAborted();
  const worker = idle ?? startWorker();
  idle = undefined;
  worker.ref();
  const progress = new SharedArrayBuffer(PROGRESS_SLOTS * Float64Array.BYTES_PER_ELEMENT);
  new Float64Array(progress).set([-1, Date.now(), Date.now()]);
  const reply = replyOf(worker);
  worker.postMessage({ job, progress } satisfies JobRequest);
  try {
    const answer = await untilStopped(reply, signal, progress);
    if (!answer.ok) throw new Error(answer.error);
    release(worker);
    return answer.value as T;
  } catch (error) {
    if (error instanceof StoppedInWorker && job.type === 'ripgrep') {
      worker.postMessage({ stop: true } satisfies StopRequest);
      const timer = setTimeout(() => discard(worker), STOP_GRACE_MS);
      void reply.then(
        () => (clearTimeout(timer), release(worker)),
        () => (clearTimeout(timer), discard(worker)),
      );
    } else {
      discard(worker);
    }
    throw error;
  }
}

/** Starts a worker ahead of need (every search calls this first), so it has booted when matching starts. */
export function warmUp(): void {
  idle ??= startWorker();
  idle.unref();
}

/** The worker's next reply; an error or an exit rejects it. */
function replyOf(worker: Worker): Promise<JobReply> {
  return new Promise<JobReply>((resolve, reject) => {
    const settle = (finish: () => void) => {
      worker.off('message', onMessage).off('error', onError).off('exit', onExit);
      finish();
    };
    const onMessage = (reply: JobReply) => settle(() => resolve(reply));
    const onError = (error: Error) => settle(() => reject(workerFailure(error)));
    const onExit = (code: number) => settle(() => reject(failures.get(worker) ?? new Error(`the search worker exited with code ${code}`)));
    worker.on('message', onMessage).on('error', onError).on('exit', onExit);
  });
}

/** The reply, or at a stop a StoppedInWorker saying where the worker was. */
function untilStopped(reply: Promise<JobReply>, signal: AbortSignal, progress: SharedArrayBuffer): Promise<JobReply> {
  return new Promise<JobReply>((resolve, reject) => {
    const onAbort = () => {
      const [item, itemStarted, jobStarted] = new Float64Array(progress);
      reject(new StoppedInWorker(item!, Date.now() - itemStarted!, Date.now() - jobStarted!));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    reply.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** Back to the pool (of one); a second idle worker is not needed. */
function release(worker: Worker): void {
  worker.unref();
  if (idle === undefined) idle = worker;
  else void worker.terminate();
}

function discard(worker: Worker): void {
  void worker.terminate();
  // Its replacement starts now, so the next search does not wait for a worker to boot.
  warmUp();
}

let script: WorkerScript | undefined;
const failures = new WeakMap<Worker, Error>();

/** dist/searchWorker.js beside a bundle, searchWorker.ts through tsx from the sources (see workerScript.ts). */
function startWorker(): Worker {
  script ??= workerScript(__dirname, 'searchWorker');
  const worker = startWorkerScript(script);
  worker.on('exit', () => {
    if (idle === worker) idle = undefined;
  });
  // An idle worker that fails (say, its script is missing) must not take the process down; the job that finds it dead says why.
  worker.on('error', (error) => failures.set(worker, workerFailure(error)));
  return worker;
}

/** One line; running from sources, the likely cause is a bundle shipped without its worker script. */
function workerFailure(error: Error): Error {
  const hint = script?.eval ? ' (a bundle needs searchWorker.js beside it)' : '';
  return new Error(`the search worker failed: ${error.message.split('\n', 1)[0]}${hint}`);
}
