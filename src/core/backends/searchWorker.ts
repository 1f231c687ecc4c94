/** The search worker's entry point (bundled as dist/searchWorker.js): runs one job per message. */
import { setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';
import { runJob, type SearchJob } from './searchJobs';

export interface JobRequest {
  job: SearchJob;
  /** A SharedArrayBuffer behind the job's Progress, read by the main thread when the deadline passes. */
  progress: SharedArrayBuffer;
}

/** Stops the running job, if it waits on ripgrep (a job matching in JavaScript cannot hear it, and is terminated). */
export interface StopRequest {
  stop: true;
}

export type JobReply = { ok: true; value: unknown } | { ok: false; error: string };

let running: AbortController | undefined;

// On Linux a nice value belongs to a thread (and the ripgrep it starts): the search yields the CPU to
// the editor's own thread. Elsewhere it would lower the whole process, so it is left alone.
if (process.platform === 'linux') {
  try {
    setPriority(0, 10);
  } catch {
    // not permitted here; the search runs at normal priority
  }
}

parentPort?.on('message', async (message: JobRequest | StopRequest) => {
  if ('stop' in message) return running?.abort();
  running = new AbortController();
  let reply: JobReply;
  try {
    reply = { ok: true, value: await runJob(message.job, new Float64Array(message.progress), running.signal) };
  } catch (error) {
    reply = { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
  running = undefined;
  parentPort!.postMessage(reply);
});
