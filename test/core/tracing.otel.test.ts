/**
 * The OpenTelemetry exporter: against the SDK's InMemorySpanExporter, and over the wire against a
 * real OTLP/HTTP collector on 127.0.0.1.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { OtelTraceExporter } from '../../src/core/tracing/exporters/otel';
import { createOtelTraceExporter } from '../../src/core/tracing/index';
import { T0, foldEvents, runWithSubagent, startOtlpCollector, type OtlpCollector, type OtlpSpan } from '../support/tracing';

function byName<T extends { name: string }>(spans: T[], name: string): T {
  const found = spans.filter((s) => s.name === name);
  assert.equal(found.length, 1, `expected one span named ${name}, got ${found.length}`);
  return found[0]!;
}

describe('OtelTraceExporter with an in-memory SpanExporter', () => {
  it('recreates our spans with the same ids, parents, times, kinds, attributes and status', async () => {
    const sdkSpans = new InMemorySpanExporter();
    const { memory, tracer } = await foldEvents(runWithSubagent(), { exporters: [new OtelTraceExporter({ spanExporter: sdkSpans })] });
    // Read before shutdown: shutting an InMemorySpanExporter down empties it.
    const otel = sdkSpans.getFinishedSpans();
    after(() => tracer.shutdown());
    assert.equal(otel.length, memory.spans.length);
    for (const ours of memory.spans) {
      const theirs = otel.find((s) => s.spanContext().spanId === ours.spanId);
      assert.ok(theirs, `no OTel span with id ${ours.spanId} (${ours.name})`);
      assert.equal(theirs.name, ours.name);
      assert.equal(theirs.spanContext().traceId, ours.traceId);
      assert.equal(theirs.parentSpanContext?.spanId, ours.parentSpanId);
      assert.equal(theirs.startTime[0] * 1000 + theirs.startTime[1] / 1e6, ours.startTs);
      assert.equal(theirs.endTime[0] * 1000 + theirs.endTime[1] / 1e6, ours.endTs);
      assert.deepEqual({ ...theirs.attributes }, ours.attributes);
      assert.equal(theirs.status.code, ours.status === 'ok' ? SpanStatusCode.OK : SpanStatusCode.ERROR);
      assert.equal(theirs.status.message, ours.errorMessage);
      assert.equal(theirs.kind, ours.kind === 'model_call' ? SpanKind.CLIENT : SpanKind.INTERNAL);
    }
  });

  it('does not register its provider globally', async () => {
    const { tracer } = await foldEvents(runWithSubagent(), { exporters: [new OtelTraceExporter({ spanExporter: new InMemorySpanExporter() })] });
    await tracer.shutdown();
    const globalSpan = trace.getTracer('someone-else').startSpan('x');
    assert.equal(globalSpan.isRecording(), false, 'the global tracer provider is still the no-op one');
    globalSpan.end();
  });

  it('is reachable lazily through createOtelTraceExporter', async () => {
    const exporter = await createOtelTraceExporter({ spanExporter: new InMemorySpanExporter() });
    assert.equal(exporter.name, 'otel');
    await exporter.shutdown();
  });
});

describe('OtelTraceExporter over OTLP/HTTP to a collector on 127.0.0.1', () => {
  let collector: OtlpCollector;
  before(async () => {
    collector = await startOtlpCollector();
  });
  after(() => collector.close());

  // Which spans arrive, their tree, status and attributes: the TraceExporter contract's.
  it('posts OTLP JSON to /v1/traces with the headers, service name, span kinds and times', async () => {
    const exporter = new OtelTraceExporter({ url: collector.url, serviceName: 'workbench-test', headers: { 'x-collector-key': 'k1' } });
    const { tracer } = await foldEvents(runWithSubagent(), { exporters: [exporter] });
    await tracer.shutdown();

    assert.ok(collector.requests.length >= 1);
    const request = collector.requests[0]!;
    assert.equal(request.path, '/v1/traces');
    assert.equal(request.contentType, 'application/json');
    assert.equal(request.headers['x-collector-key'], 'k1');
    assert.equal(collector.resourceAttribute('service.name'), 'workbench-test');

    const spans: OtlpSpan[] = collector.spans();
    const run = byName(spans, 'invoke_agent main');
    assert.equal(run.parentSpanId || undefined, undefined, 'the top-level run is a root');
    assert.match(run.traceId, /^[0-9a-f]{32}$/);
    assert.equal(spans.find((s) => s.name === 'chat test-model')!.kind, 3, 'SPAN_KIND_CLIENT');
    assert.equal(run.kind, 1, 'SPAN_KIND_INTERNAL');
    assert.deepEqual(byName(spans, 'execute_tool ls').status, { code: 2, message: 'ENOENT: no such directory' });
    assert.equal(BigInt(run.startTimeUnixNano), BigInt(T0 + 10) * 1_000_000n);
  });

  it('reports a collector that refuses spans once, naming the URL, while other exporters go on', async () => {
    collector.failWith(400);
    try {
      const errors: string[] = [];
      const exporter = new OtelTraceExporter({ url: collector.url });
      const { memory, tracer } = await foldEvents(runWithSubagent(), {
        exporters: [exporter],
        onExporterError: (name, error) => errors.push(`${name}: ${error instanceof Error ? error.message : JSON.stringify(error)}`),
      });
      await tracer.flush();
      await tracer.shutdown();
      assert.equal(errors.length, 1, errors.join('\n'));
      assert.ok(errors[0]!.startsWith(`otel: OpenTelemetry export to ${collector.url} failed:`), errors[0]);
      assert.equal(memory.spans.length, 8);
    } finally {
      collector.failWith(undefined);
    }
  });
});
