/**
 * Where a worker thread's script is: beside a bundle (dist/cli.js, dist/lib/index.js) it is
 * `<name>.js` in the same folder; running from the TypeScript sources (tests, tsx), it is
 * `<name>.ts` in the source folder, loaded through tsx.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';

export interface WorkerScript {
  file: string;
  /** True when `file` is code that loads the TypeScript source through tsx. */
  eval: boolean;
}

/** `dir` is the caller's __dirname: the bundle's folder once bundled, the source folder under tsx. */
export function workerScript(dir: string, name: string): WorkerScript {
  const bundled = join(dir, `${name}.js`);
  if (existsSync(bundled)) return { file: bundled, eval: false };
  return { file: `require('tsx/cjs'); require(${JSON.stringify(join(dir, `${name}.ts`))});`, eval: true };
}

export function startWorkerScript(script: WorkerScript, workerData?: unknown): Worker {
  // No inherited flags: an editor's --inspect or the like would stop a worker from starting.
  return new Worker(script.file, { eval: script.eval, workerData, ...(script.eval ? {} : { execArgv: [] }) });
}
