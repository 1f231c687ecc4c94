/**
 * Long loops on the main thread (listing a big tree) give the event loop a turn every few
 * milliseconds. Every loop sharing one pace yields together once the slice is used up.
 */
import { performance } from 'node:perf_hooks';

const SLICE_MS = 4;

/** Call per item: undefined while the slice lasts (no await, no cost), else a promise of the next turn. */
export function pace(): () => Promise<void> | undefined {
  let sliceStart = performance.now();
  let nextTurn: Promise<void> | undefined;
  return () => {
    if (nextTurn === undefined && performance.now() - sliceStart < SLICE_MS) return undefined;
    nextTurn ??= new Promise<void>((resolve) =>
      setImmediate(() => {
        nextTurn = undefined;
        sliceStart = performance.now();
        resolve();
      }),
    );
    return nextTurn;
  };
}
