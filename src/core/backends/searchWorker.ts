/** The search worker's entry point (bundled as dist/searchWorker.js): runs one job per message. */
import { parentPort } from 'node:worker_threads';
import { runJob, type SearchJob } from './searchJobs';

export interface JobRequest {
  job: SearchJob;
  /** A SharedArrayBuffer behind the job's Progress, read by the main thread when the deadline passes. */
  progress: SharedArrayBuffer;
}

export type JobReply = { ok: true; value: unknown } | { ok: false; error: string };

parentPort?.on('message', ({ job, progress }: JobRequest) => {
  let reply: JobReply;
  try {
    reply = { ok: true, value: runJob(job, new Float64Array(progress)) };
  } catch (error) {
    reply = { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
  parentPort!.postMessage(reply);
});
