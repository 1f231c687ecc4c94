/**
 * Runs search jobs in a worker thread, so a costly pattern never blocks the event loop. A stop
 * (deadline or cancelled run) terminates the worker at once, whatever it is doing; a finished
 * worker is kept for the next job, unref'd so it never keeps a process alive.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { SearchJob } from './searchJobs';
import type { JobReply, JobRequest } from './searchWorker';

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

let idle: Worker | undefined;

export async function runOffThread<T>(job: SearchJob, signal: AbortSignal): Promise<T> {
  signal.throwIfAborted();
  const worker = idle ?? startWorker();
  idle = undefined;
  worker.ref();
  try {
    const reply = await ask(worker, job, signal);
    if (!reply.ok) throw new Error(reply.error);
    worker.unref();
    if (idle === undefined) idle = worker;
    else void worker.terminate();
    return reply.value as T;
  } catch (error) {
    void worker.terminate();
    // Its replacement starts now, so the next search does not wait for a worker to boot.
    warmUp();
    throw error;
  }
}

/** Posts the job and waits for its reply; a stop rejects at once with where the worker was. */
function ask(worker: Worker, job: SearchJob, signal: AbortSignal): Promise<JobReply> {
  const progress = new SharedArrayBuffer(3 * Float64Array.BYTES_PER_ELEMENT);
  new Float64Array(progress).set([-1, Date.now(), Date.now()]);
  return new Promise<JobReply>((resolve, reject) => {
    const settle = (finish: () => void) => {
      signal.removeEventListener('abort', onAbort);
      worker.off('message', onMessage).off('error', onError).off('exit', onExit);
      finish();
    };
    const onMessage = (reply: JobReply) => settle(() => resolve(reply));
    const onError = (error: Error) => settle(() => reject(error));
    const onExit = (code: number) => settle(() => reject(new Error(`the search worker exited with code ${code}`)));
    const onAbort = () => {
      const [item, itemStarted, jobStarted] = new Float64Array(progress);
      settle(() => reject(new StoppedInWorker(item!, Date.now() - itemStarted!, Date.now() - jobStarted!)));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    worker.on('message', onMessage).on('error', onError).on('exit', onExit);
    worker.postMessage({ job, progress } satisfies JobRequest);
  });
}

/** Starts a worker ahead of need (a search calls this before listing files), so it has booted when matching starts. */
export function warmUp(): void {
  idle ??= startWorker();
  idle.unref();
}

let script: { file: string; eval: boolean } | undefined;

/**
 * Beside a bundle (dist/cli.js, dist/workbench.js) the worker is dist/searchWorker.js; running
 * from the TypeScript sources (tests, tsx), it is searchWorker.ts, loaded through tsx.
 */
function startWorker(): Worker {
  script ??= existsSync(join(__dirname, 'searchWorker.js'))
    ? { file: join(__dirname, 'searchWorker.js'), eval: false }
    : { file: `require('tsx/cjs'); require(${JSON.stringify(join(__dirname, 'searchWorker.ts'))});`, eval: true };
  // No inherited flags: an editor's --inspect or the like would stop a worker from starting.
  const worker = new Worker(script.file, { eval: script.eval, ...(script.eval ? {} : { execArgv: [] }) });
  worker.on('exit', () => {
    if (idle === worker) idle = undefined;
  });
  return worker;
}
