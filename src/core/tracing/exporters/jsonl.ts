/**
 * Appends one JSON object per finished span to a file (JSON Lines). Each batch is one write, and
 * writes never overlap, so lines from different batches never interleave.
 */
import { appendFile, close, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Span, TraceExporter } from '../types';

export interface JsonlTraceExporterOptions {
  path: string;
}

export class JsonlTraceExporter implements TraceExporter {
  readonly name = 'jsonl';
  readonly path: string;
  private fd: number | undefined;
  /** Settles when the last write has. */
  private lastWrite: Promise<void> = Promise.resolve();

  /** Opens (or creates) the file now, so a bad path is reported when tracing is set up. */
  constructor(options: JsonlTraceExporterOptions) {
    this.path = options.path;
    try {
      mkdirSync(dirname(this.path), { recursive: true });
      this.fd = openSync(this.path, 'a');
    } catch (error) {
      throw new Error(`JSONL trace file "${this.path}" cannot be opened: ${reason(error)}`);
    }
  }

  export(spans: readonly Span[]): Promise<void> {
    const fd = this.fd;
    if (fd === undefined) return Promise.reject(new Error(`JSONL trace file "${this.path}" is already closed`));
    let lines = '';
    for (const span of spans) lines += `${JSON.stringify(span)}\n`;
    const write = this.lastWrite.then(
      () =>
        new Promise<void>((resolve, reject) =>
          appendFile(fd, lines, (error) =>
            error ? reject(new Error(`JSONL trace file "${this.path}" cannot be written: ${reason(error)}`)) : resolve(),
          ),
        ),
    );
    // The next write waits for this one whether it worked or not; the caller sees its failure.
    this.lastWrite = write.catch(() => undefined);
    return write;
  }

  flush(): Promise<void> {
    return this.lastWrite;
  }

  async shutdown(): Promise<void> {
    await this.lastWrite;
    const fd = this.fd;
    if (fd === undefined) return;
    this.fd = undefined;
    await new Promise<void>((resolve, reject) =>
      close(fd, (error) => (error ? reject(new Error(`JSONL trace file "${this.path}" cannot be closed: ${reason(error)}`)) : resolve())),
    );
  }
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
