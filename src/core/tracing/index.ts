/** Tracing: fold run events into spans and export them (console, memory, JSONL, OpenTelemetry). */
export type { AttributeValue, Span, SpanKind, TraceExporter } from './types';
export { Tracer, type TracerOptions } from './tracer';
export { randomTraceIds, sequentialTraceIds, type TraceIdSource } from './ids';
export { reportExporterErrorOnStderr, type ExporterErrorHandler } from './exportQueue';
export { DeepAgentAttr, GenAiAttr, GenAiOperation } from './attributes';
export { previewJson, previewText, redactSecrets } from './preview';
export { ConsoleTraceExporter, formatDuration, type ConsoleTraceExporterOptions } from './exporters/console';
export { MemoryTraceExporter } from './exporters/memory';
export { JsonlTraceExporter, type JsonlTraceExporterOptions } from './exporters/jsonl';
// Types only: the OpenTelemetry SDK loads when createOtelTraceExporter is first called.
export type { OtelTraceExporter, OtelTraceExporterOptions } from './exporters/otel';
export { createOtelTraceExporter } from './exporters/otelLazy';
