/**
 * Ships spans to OpenTelemetry: each of our spans becomes an OTel span with the same trace id,
 * span id, parent, start/end times, attributes and status, so the tree a collector shows is ours.
 * Uses its own BasicTracerProvider, never registered globally, so it cannot clash with the host's.
 */
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, TraceFlags, trace, type Context, type HrTime, type Tracer as OtelTracer } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOnSampler,
  BasicTracerProvider,
  BatchSpanProcessor,
  type BufferConfig,
  type IdGenerator,
  type ReadableSpan,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';
import type { Span, SpanKind as OurSpanKind, TraceExporter } from '../types';

const DEFAULT_OTLP_TRACES_URL = 'http://127.0.0.1:4318/v1/traces';

export interface OtelTraceExporterOptions {
  /** OTLP/HTTP (JSON) traces endpoint. Default http://127.0.0.1:4318/v1/traces. */
  url?: string;
  /** Sent with every OTLP request, e.g. an authorization header for a hosted collector. */
  headers?: Record<string, string>;
  /** Resource attribute service.name. Default 'deep-agent-workbench'. */
  serviceName?: string;
  resourceAttributes?: Record<string, string | number | boolean>;
  /** Export here instead of OTLP/HTTP (e.g. an InMemorySpanExporter in tests); url and headers are then unused. */
  spanExporter?: SpanExporter;
  /** BatchSpanProcessor tuning; defaults suit bursts of many spans per run. */
  batch?: BufferConfig;
  /** How long one OTLP request may take. Default 10 000 ms. */
  requestTimeoutMs?: number;
}

const KIND: Record<OurSpanKind, SpanKind> = {
  run: SpanKind.INTERNAL,
  step: SpanKind.INTERNAL,
  model_call: SpanKind.CLIENT,
  tool_call: SpanKind.INTERNAL,
};

/** ExportResultCode.SUCCESS of @opentelemetry/core (not a direct dependency of ours). */
const EXPORT_SUCCESS = 0;
type ExportResultCallback = Parameters<SpanExporter['export']>[1];

export class OtelTraceExporter implements TraceExporter {
  readonly name = 'otel';
  /** Where spans go, for error messages. */
  readonly target: string;
  private readonly provider: BasicTracerProvider;
  private readonly tracer: OtelTracer;
  private readonly ids = new PresetIdGenerator();
  private readonly failures: FailureRecordingExporter;

  constructor(options: OtelTraceExporterOptions = {}) {
    const url = options.url ?? DEFAULT_OTLP_TRACES_URL;
    this.target = options.spanExporter ? options.spanExporter.constructor.name : url;
    const inner =
      options.spanExporter ?? new OTLPTraceExporter({ url, headers: options.headers, timeoutMillis: options.requestTimeoutMs ?? 10_000 });
    this.failures = new FailureRecordingExporter(inner, this.target);
    this.provider = new BasicTracerProvider({
      resource: defaultResource().merge(
        resourceFromAttributes({ 'service.name': options.serviceName ?? 'deep-agent-workbench', ...options.resourceAttributes }),
      ),
      // Our tracer already decided what to record; sampling here would cut holes in the tree.
      sampler: new AlwaysOnSampler(),
      idGenerator: this.ids,
      spanProcessors: [
        new BatchSpanProcessor(this.failures, { maxQueueSize: 16_384, maxExportBatchSize: 1024, scheduledDelayMillis: 1000, ...options.batch }),
      ],
    });
    this.tracer = this.provider.getTracer('deep-agent-workbench');
  }

  export(spans: readonly Span[]): void {
    this.throwIfFailed();
    for (const span of spans) this.record(span);
  }

  async flush(): Promise<void> {
    await this.settle(this.provider.forceFlush());
  }

  async shutdown(): Promise<void> {
    await this.settle(this.provider.shutdown());
  }

  /** The SDK rejects with raw values (arrays of OTLP errors); turn them into one clear Error. */
  private async settle(work: Promise<void>): Promise<void> {
    try {
      await work;
    } catch (error) {
      throw this.failures.failure ?? new Error(`OpenTelemetry export to ${this.target} failed: ${describeOtelError(error)}`);
    }
    this.throwIfFailed();
  }

  private record(span: Span): void {
    // The SDK asks its id generator for the new span's ids inside startSpan: hand it ours.
    this.ids.preset(span.traceId, span.spanId);
    const otelSpan = this.tracer.startSpan(
      span.name,
      { kind: KIND[span.kind], startTime: toHrTime(span.startTs), attributes: span.attributes },
      parentContext(span),
    );
    otelSpan.setStatus(span.status === 'ok' ? { code: SpanStatusCode.OK } : { code: SpanStatusCode.ERROR, message: span.errorMessage });
    otelSpan.end(toHrTime(span.endTs));
  }

  /** The SDK only logs failed exports; we surface the first one so the tracer can report it. */
  private throwIfFailed(): void {
    if (this.failures.failure !== undefined) throw this.failures.failure;
  }
}

function parentContext(span: Span): Context {
  if (span.parentSpanId === undefined) return ROOT_CONTEXT;
  return trace.setSpanContext(ROOT_CONTEXT, {
    traceId: span.traceId,
    spanId: span.parentSpanId,
    traceFlags: TraceFlags.SAMPLED,
    isRemote: false,
  });
}

/** Milliseconds since the epoch as [seconds, nanoseconds], so the SDK takes them as they are. */
function toHrTime(ms: number): HrTime {
  const seconds = Math.floor(ms / 1000);
  return [seconds, Math.round((ms - seconds * 1000) * 1e6)];
}

/** One line from what the SDK reports: an Error, an OTLPExporterError (HTTP code, response body), or a list of them. */
function describeOtelError(error: unknown): string {
  if (Array.isArray(error)) return error.map(describeOtelError).join('; ') || 'no reason given';
  if (!(error instanceof Error)) return error === undefined ? 'no reason given' : String(error);
  const { code, data } = error as Error & { code?: unknown; data?: unknown };
  let text = error.message || error.name;
  if (typeof code === 'number') text += ` (HTTP ${code})`;
  if (typeof data === 'string' && data.length > 0) text += `: ${data.length > 200 ? `${data.slice(0, 200)}…` : data}`;
  return text;
}

/** Gives the SDK the ids of the span about to be started (trace id only matters for roots). */
class PresetIdGenerator implements IdGenerator {
  private traceId = '';
  private spanId = '';

  preset(traceId: string, spanId: string): void {
    this.traceId = traceId;
    this.spanId = spanId;
  }

  generateTraceId(): string {
    return this.traceId;
  }

  generateSpanId(): string {
    return this.spanId;
  }
}

/** Passes everything through, remembering the first export that failed. */
class FailureRecordingExporter implements SpanExporter {
  failure: Error | undefined;

  constructor(
    private readonly inner: SpanExporter,
    private readonly target: string,
  ) {}

  export(spans: ReadableSpan[], done: ExportResultCallback): void {
    this.inner.export(spans, (result) => {
      if (result.code !== EXPORT_SUCCESS && this.failure === undefined) {
        this.failure = new Error(`OpenTelemetry export to ${this.target} failed: ${describeOtelError(result.error)}`);
      }
      done(result);
    });
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }
}
