/** The tracer a run's configuration asks for; none when tracing is off. Both shells use this one. */
import type { Writable } from 'node:stream';
import { ConsoleTraceExporter } from '../tracing/exporters/console';
import { JsonlTraceExporter } from '../tracing/exporters/jsonl';
import { createOtelTraceExporter } from '../tracing/exporters/otelLazy';
import { Tracer } from '../tracing/tracer';
import type { TraceExporter } from '../tracing/types';
import type { RunConfig } from './runConfig';

export interface TracerHooks {
  /** Where `trace.console` writes (default stderr). */
  traceConsole?: { stream: Writable; colour?: boolean };
  /** More exporters, besides those the configuration names. */
  exporters?: TraceExporter[];
  /** A failing exporter is turned off; told here (default: stderr). */
  onExporterError?: (name: string, error: unknown) => void;
}

export async function tracerFor(trace: RunConfig['trace'] = {}, hooks: TracerHooks = {}): Promise<Tracer | undefined> {
  const exporters: TraceExporter[] = [...(hooks.exporters ?? [])];
  if (trace.console) exporters.push(new ConsoleTraceExporter({ stream: hooks.traceConsole?.stream ?? process.stderr, colour: hooks.traceConsole?.colour }));
  if (trace.jsonl) exporters.push(new JsonlTraceExporter({ path: trace.jsonl }));
  if (trace.otlp) exporters.push(await createOtelTraceExporter({ url: trace.otlp }));
  if (exporters.length === 0) return undefined;
  const onExporterError = hooks.onExporterError ?? ((name, error) => process.stderr.write(`deep-agent: trace exporter ${name} failed and was turned off: ${String(error)}\n`));
  return new Tracer({ exporters, onExporterError });
}
