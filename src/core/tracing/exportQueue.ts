/**
 * Hands finished spans to exporters off the run's hot path: spans pushed during one tick go out
 * as one batch on the next (setImmediate). Each exporter gets its batches in order, one at a time.
 * An exporter that throws, rejects or hangs is reported once and dropped; the others go on.
 */
import type { Span, TraceExporter } from './types';

export type ExporterErrorHandler = (exporterName: string, error: unknown) => void;

export const reportExporterErrorOnStderr: ExporterErrorHandler = (exporterName, error) => {
  const reason = error instanceof Error ? error.message : String(error);
  process.stderr.write(`deep-agent tracing: exporter "${exporterName}" failed and was dropped: ${reason}\n`);
};

interface ExporterLane {
  exporter: TraceExporter;
  /** Settles when every batch handed to this exporter so far has been exported (or it failed). */
  tail: Promise<void>;
  dropped: boolean;
}

interface ExportQueueOptions {
  onExporterError?: ExporterErrorHandler;
  /** An export, flush or shutdown that has not settled after this long counts as failed. */
  exportTimeoutMs?: number;
}

export class ExportQueue {
  private readonly lanes: ExporterLane[];
  private readonly onExporterError: ExporterErrorHandler;
  private readonly exportTimeoutMs: number;
  private pending: Span[] = [];
  /** Best-effort shutdowns of dropped exporters, so they release files and sockets. */
  private readonly retiring: Promise<void>[] = [];
  private scheduled: ReturnType<typeof setImmediate> | undefined;

  constructor(exporters: readonly TraceExporter[], options: ExportQueueOptions = {}) {
    this.lanes = exporters.map((exporter) => ({ exporter, tail: Promise.resolve(), dropped: false }));
    this.onExporterError = options.onExporterError ?? reportExporterErrorOnStderr;
    this.exportTimeoutMs = options.exportTimeoutMs ?? 30_000;
  }

  /** Cheap and synchronous: the span waits for the next batch. */
  push(span: Span): void {
    this.pending.push(span);
    this.scheduled ??= setImmediate(this.dispatch);
  }

  /** Resolves when every span pushed so far has been exported and every exporter has flushed. */
  async flush(): Promise<void> {
    // Runs go on while we wait: loop until no span was pushed and no batch was added meanwhile.
    for (;;) {
      this.dispatch();
      const tails = this.lanes.map((lane) => lane.tail);
      await Promise.all(tails);
      if (this.pending.length === 0 && this.lanes.every((lane, i) => lane.tail === tails[i])) break;
    }
    await Promise.all(this.lanes.map((lane) => this.callOnce(lane, 'flush')));
  }

  /** Flushes, then shuts every exporter down; later spans are dropped. */
  async shutdown(): Promise<void> {
    await this.flush();
    await Promise.all(this.lanes.map((lane) => this.callOnce(lane, 'shutdown')));
    for (const lane of this.lanes) lane.dropped = true;
    await Promise.all(this.retiring);
  }

  private readonly dispatch = (): void => {
    if (this.scheduled !== undefined) {
      clearImmediate(this.scheduled);
      this.scheduled = undefined;
    }
    if (this.pending.length === 0) return;
    const batch: readonly Span[] = this.pending;
    this.pending = [];
    for (const lane of this.lanes) {
      if (lane.dropped) continue;
      lane.tail = lane.tail.then(() => this.exportBatch(lane, batch));
    }
  };

  private async exportBatch(lane: ExporterLane, batch: readonly Span[]): Promise<void> {
    if (lane.dropped) return;
    try {
      const result = lane.exporter.export(batch);
      if (result !== undefined) await this.withTimeout(result, lane.exporter.name, 'export');
    } catch (error) {
      this.drop(lane, error);
    }
  }

  private async callOnce(lane: ExporterLane, method: 'flush' | 'shutdown'): Promise<void> {
    if (lane.dropped) return;
    try {
      const result = lane.exporter[method]?.();
      if (result !== undefined) await this.withTimeout(result, lane.exporter.name, method);
    } catch (error) {
      this.drop(lane, error, method);
    }
  }

  private drop(lane: ExporterLane, error: unknown, failedIn: 'export' | 'flush' | 'shutdown' = 'export'): void {
    if (lane.dropped) return;
    lane.dropped = true;
    try {
      this.onExporterError(lane.exporter.name, error);
    } catch {
      // A failing error handler must not take the tracer down with it.
    }
    if (failedIn !== 'shutdown' && lane.exporter.shutdown) {
      const exporter = lane.exporter;
      const retired = Promise.resolve()
        .then(() => this.withTimeout(exporter.shutdown!(), exporter.name, 'shutdown'))
        .catch(() => undefined); // already reported once
      this.retiring.push(retired);
    }
  }

  private withTimeout(work: Promise<void>, exporterName: string, what: string): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`${what} of exporter "${exporterName}" did not finish within ${this.exportTimeoutMs} ms`)),
        this.exportTimeoutMs,
      );
      // Not unref'd: while an export is in flight the process should wait for it (at most this long).
    });
    return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
  }
}
