/** Time and ids come from here so a run can be replayed exactly (ARCHITECTURE.md). */
import { randomUUID } from 'node:crypto';

export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

export type IdSource = () => string;

export const randomIds: IdSource = () => randomUUID();

/** Deterministic ids for tests and replays: prefix-1, prefix-2, ... */
export function sequentialIds(prefix = 'id'): IdSource {
  let n = 0;
  return () => `${prefix}-${++n}`;
}

export const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
