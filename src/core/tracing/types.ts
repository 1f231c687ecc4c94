/** Spans are folded from run events; exporters ship finished spans somewhere. */

export type SpanKind = 'run' | 'step' | 'model_call' | 'tool_call';

/** As in OpenTelemetry: a primitive, or a list of strings (e.g. gen_ai.response.finish_reasons). */
export type AttributeValue = string | number | boolean | string[];

export interface Span {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  kind: SpanKind;
  name: string;
  runId: string;
  startTs: number;
  endTs: number;
  status: 'ok' | 'error';
  errorMessage?: string;
  attributes: Record<string, AttributeValue>;
}

/** What every exporter keeps to is checked by test/core/traceExporter.contract.test.ts. */
export interface TraceExporter {
  readonly name: string;
  /**
   * Called off the run's hot path with finished spans; may be async. After shutdown it takes spans
   * harmlessly (keeps or drops them) or refuses them with an Error saying it is closed; never hangs.
   */
  export(spans: readonly Span[]): void | Promise<void>;
  /** Settles once the spans exported so far are written or sent. */
  flush?(): Promise<void>;
  /** Flushes, then releases what the exporter holds; a second call settles too. */
  shutdown?(): Promise<void>;
}
