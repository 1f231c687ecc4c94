/** Watches the event loop while a test runs: the longest time it was blocked. */
import { monitorEventLoopDelay } from 'node:perf_hooks';

/** Starts watching; `stop()` gives the longest stall seen, in ms. */
export function watchEventLoop(): { stop(): number } {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  return {
    stop() {
      histogram.disable();
      return histogram.max / 1e6;
    },
  };
}
