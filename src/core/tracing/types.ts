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

export interface TraceExporter {
  readonly name: string;
  /** Called off the run's hot path with finished spans; may be async. */
  export(spans: readonly Span[]): void | Promise<void>;
  flush?(): Promise<void>;
  shutdown?(): Promise<void>;
}
