/** Keeps finished spans in memory: for tests, and for a UI that shows the last runs. */
import type { Span, SpanKind, TraceExporter } from '../types';

export class MemoryTraceExporter implements TraceExporter {
  readonly name = 'memory';
  readonly spans: Span[] = [];

  export(spans: readonly Span[]): void {
    for (const span of spans) this.spans.push(span);
  }

  byKind(kind: SpanKind): Span[] {
    return this.spans.filter((span) => span.kind === kind);
  }

  byName(name: string): Span[] {
    return this.spans.filter((span) => span.name === name);
  }

  byRun(runId: string): Span[] {
    return this.spans.filter((span) => span.runId === runId);
  }

  /** Direct children, in the order they finished. */
  children(spanId: string): Span[] {
    return this.spans.filter((span) => span.parentSpanId === spanId);
  }

  /** Spans with no parent: one per top-level run. */
  roots(): Span[] {
    return this.spans.filter((span) => span.parentSpanId === undefined);
  }

  clear(): void {
    this.spans.length = 0;
  }
}
