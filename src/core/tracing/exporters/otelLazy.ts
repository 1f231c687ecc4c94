/**
 * The OpenTelemetry SDK takes ~100 ms to load, so the public API reaches it through this factory:
 * importing the tracing API (e.g. at extension activation) stays cheap, and only a user who turns
 * OpenTelemetry export on pays for it.
 */
import type { OtelTraceExporter, OtelTraceExporterOptions } from './otel';

export async function createOtelTraceExporter(options: OtelTraceExporterOptions = {}): Promise<OtelTraceExporter> {
  const { OtelTraceExporter: Exporter } = await import('./otel');
  return new Exporter(options);
}
