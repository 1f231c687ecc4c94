/**
 * The OpenTelemetry exporter: against the SDK's InMemorySpanExporter, and over the wire against a
 * real OTLP/HTTP collector on 127.0.0.1.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import type { RunEvent } from '../../src/core/events';
import { OtelTraceExporter } from '../../src/core/tracing/exporters/otel';
import { createOtelTraceExporter } from '../../src/core/tracing/index';
import type { Span } from '../../src/core/tracing/types';
import { RunScript, T0, foldEvents, otlpAttribute, startOtlpCollector, type OtlpCollector, type OtlpSpan } from '../support/tracing';

/** Main run: a model call asking for a failing tool and a `task` subagent. */
function runWithSubagent(): RunEvent[] {
  const clock = { ts: T0 };
  const main = new RunScript('run-main', { clock });
  const sub = new RunScript('run-sub', { clock, parentRunId: 'run-main' });
  return [
    main.runStart(),
    main.stepStart(1),
    ...main.modelCall(1, ['a', 'b'], { finishReason: 'tool_calls' }),
    main.toolStart(1, 'call-ls', 'ls'),
    main.toolEnd(1, 'call-ls', 'ls', false, 'ENOENT: no such directory'),
    main.toolStart(1, 'call-task', 'task'),
    sub.runStart({ agentName: 'researcher', depth: 1, parentToolCallId: 'call-task' }),
    sub.stepStart(1),
    ...sub.modelCall(1),
    sub.stepEnd(1),
    sub.runEnd(),
    main.toolEnd(1, 'call-task', 'task'),
    main.stepEnd(1, 2),
    main.runEnd(),
  ];
}

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

  it('posts the span tree with GenAI attributes to /v1/traces', async () => {
    const exporter = new OtelTraceExporter({ url: collector.url, serviceName: 'workbench-test', headers: { 'x-collector-key': 'k1' } });
    const { memory, tracer } = await foldEvents(runWithSubagent(), { exporters: [exporter] });
    await tracer.shutdown();

    assert.ok(collector.requests.length >= 1);
    const request = collector.requests[0]!;
    assert.equal(request.path, '/v1/traces');
    assert.equal(request.contentType, 'application/json');
    assert.equal(request.headers['x-collector-key'], 'k1');
    assert.equal(collector.resourceAttribute('service.name'), 'workbench-test');

    const spans: OtlpSpan[] = collector.spans();
    assert.deepEqual(spans.map((s) => s.name).sort(), memory.spans.map((s: Span) => s.name).sort());
    const run = byName(spans, 'invoke_agent main');
    assert.equal(run.parentSpanId || undefined, undefined, 'the top-level run is a root');
    const mainSteps = spans.filter((s) => s.name === 'step 1' && s.parentSpanId === run.spanId);
    assert.equal(mainSteps.length, 1);
    const task = byName(spans, 'execute_tool task');
    assert.equal(task.parentSpanId, mainSteps[0]!.spanId);
    const subRun = byName(spans, 'invoke_agent researcher');
    assert.equal(subRun.parentSpanId, task.spanId, 'the subagent run hangs under its task tool call');
    assert.ok(spans.every((s) => s.traceId === run.traceId));
    assert.match(run.traceId, /^[0-9a-f]{32}$/);

    assert.equal(otlpAttribute(run, 'gen_ai.operation.name'), 'invoke_agent');
    assert.equal(otlpAttribute(run, 'gen_ai.agent.name'), 'main');
    assert.equal(otlpAttribute(subRun, 'gen_ai.agent.name'), 'researcher');
    const chat = spans.find((s) => s.name === 'chat test-model' && s.parentSpanId === mainSteps[0]!.spanId)!;
    assert.equal(chat.kind, 3, 'SPAN_KIND_CLIENT');
    assert.equal(otlpAttribute(chat, 'gen_ai.operation.name'), 'chat');
    assert.equal(otlpAttribute(chat, 'gen_ai.request.model'), 'test-model');
    assert.equal(otlpAttribute(chat, 'gen_ai.usage.input_tokens'), 100);
    assert.equal(otlpAttribute(chat, 'gen_ai.usage.output_tokens'), 20);
    assert.deepEqual(otlpAttribute(chat, 'gen_ai.response.finish_reasons'), ['tool_calls']);
    assert.equal(otlpAttribute(chat, 'deep_agent.cost_usd'), 0.0012);
    const ls = byName(spans, 'execute_tool ls');
    assert.equal(otlpAttribute(ls, 'gen_ai.tool.name'), 'ls');
    assert.equal(otlpAttribute(ls, 'gen_ai.tool.call.id'), 'call-ls');
    assert.deepEqual(ls.status, { code: 2, message: 'ENOENT: no such directory' });
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
