/** How finished spans reach exporters: later, in batches, in order, and with failing exporters isolated. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RunEvent } from '../../src/core/events';
import { MemoryTraceExporter } from '../../src/core/tracing/exporters/memory';
import { reportExporterErrorOnStderr } from '../../src/core/tracing/exportQueue';
import { sequentialTraceIds } from '../../src/core/tracing/ids';
import { Tracer } from '../../src/core/tracing/tracer';
import type { Span, TraceExporter } from '../../src/core/tracing/types';
import { RunScript } from '../support/tracing';

/** A complete run with one step and one model call: three spans. */
function smallRun(runId: string): RunEvent[] {
  const run = new RunScript(runId);
  return [run.runStart(), run.stepStart(1), ...run.modelCall(1), run.stepEnd(1), run.runEnd()];
}

class RecordingExporter implements TraceExporter {
  readonly batches: (readonly Span[])[] = [];
  flushed = 0;
  shutDown = 0;
  constructor(readonly name = 'recording') {}
  export(spans: readonly Span[]): void {
    this.batches.push(spans);
  }
  async flush(): Promise<void> {
    this.flushed++;
  }
  async shutdown(): Promise<void> {
    this.shutDown++;
  }
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

const nextTick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('Tracer export', () => {
  it('never calls exporters from onEvent; spans of one tick go out as one batch', async () => {
    const exporter = new RecordingExporter();
    const tracer = new Tracer({ exporters: [exporter], ids: sequentialTraceIds() });
    for (const event of smallRun('r1')) tracer.onEvent(event);
    assert.equal(exporter.batches.length, 0, 'nothing exported synchronously');
    await tracer.flush();
    assert.equal(exporter.batches.length, 1);
    assert.deepEqual(exporter.batches[0]!.map((s) => s.kind), ['model_call', 'step', 'run']);
    assert.equal(exporter.flushed, 1, 'flush reaches the exporter');
  });

  it('exports on its own, without flush, once the event loop turns', async () => {
    const exporter = new RecordingExporter();
    const tracer = new Tracer({ exporters: [exporter] });
    for (const event of smallRun('r1')) tracer.onEvent(event);
    await nextTick();
    assert.equal(exporter.batches.length, 1);
  });

  it('reports an exporter that throws once, drops it, and keeps the others going', async () => {
    const errors: [string, unknown][] = [];
    let calls = 0;
    let shutdowns = 0;
    const broken: TraceExporter = {
      name: 'broken',
      export() {
        calls++;
        throw new Error('disk on fire');
      },
      async shutdown() {
        shutdowns++;
      },
    };
    const memory = new MemoryTraceExporter();
    const tracer = new Tracer({ exporters: [broken, memory], onExporterError: (name, error) => errors.push([name, error]) });
    for (const event of smallRun('r1')) tracer.onEvent(event);
    await tracer.flush();
    for (const event of smallRun('r2')) tracer.onEvent(event);
    await tracer.flush();
    assert.equal(errors.length, 1);
    assert.equal(errors[0]![0], 'broken');
    assert.match(String(errors[0]![1]), /disk on fire/);
    assert.equal(calls, 1, 'a dropped exporter is not called again');
    assert.equal(memory.spans.length, 6, 'the memory exporter got both runs');
    await tracer.shutdown();
    assert.equal(shutdowns, 1, 'a dropped exporter is shut down once, to release what it holds');
  });

  it('reports an exporter whose export rejects, or whose flush rejects, once each', async () => {
    const errors: string[] = [];
    const rejecting: TraceExporter = { name: 'rejecting', export: async () => Promise.reject(new Error('HTTP 500')) };
    const badFlush: TraceExporter = { name: 'bad-flush', export() {}, flush: async () => Promise.reject(new Error('cannot flush')) };
    const memory = new MemoryTraceExporter();
    const tracer = new Tracer({ exporters: [rejecting, badFlush, memory], onExporterError: (name, e) => errors.push(`${name}: ${(e as Error).message}`) });
    for (const event of smallRun('r1')) tracer.onEvent(event);
    await tracer.flush();
    await tracer.flush();
    assert.deepEqual(errors.sort(), ['bad-flush: cannot flush', 'rejecting: HTTP 500']);
    assert.equal(memory.spans.length, 3);
  });

  it('gives up on an export that never settles, so flush still returns', async () => {
    const errors: string[] = [];
    const hanging: TraceExporter = { name: 'hanging', export: () => new Promise<void>(() => {}) };
    const memory = new MemoryTraceExporter();
    const tracer = new Tracer({ exporters: [hanging, memory], exportTimeoutMs: 20, onExporterError: (_, e) => errors.push((e as Error).message) });
    for (const event of smallRun('r1')) tracer.onEvent(event);
    await tracer.flush();
    assert.deepEqual(errors, ['export of exporter "hanging" did not finish within 20 ms']);
    assert.equal(memory.spans.length, 3);
  });

  it('flush waits for a slow exporter, which gets its batches in order and one at a time', async () => {
    const gate = deferred();
    const seen: string[] = [];
    let active = 0;
    let maxActive = 0;
    const slow: TraceExporter = {
      name: 'slow',
      async export(spans) {
        active++;
        maxActive = Math.max(maxActive, active);
        await gate.promise;
        seen.push(...spans.map((s) => s.runId));
        active--;
      },
    };
    const tracer = new Tracer({ exporters: [slow] });
    for (const event of smallRun('r1')) tracer.onEvent(event);
    await nextTick(); // first batch handed over, now waiting at the gate
    for (const event of smallRun('r2')) tracer.onEvent(event);
    let flushed = false;
    const flushing = tracer.flush().then(() => (flushed = true));
    await nextTick();
    await nextTick();
    assert.equal(flushed, false, 'flush must wait for the export in progress');
    gate.resolve();
    await flushing;
    assert.equal(maxActive, 1);
    assert.deepEqual(seen, ['r1', 'r1', 'r1', 'r2', 'r2', 'r2']);
  });

  it('shutdown flushes, then shuts exporters down; later spans are not exported', async () => {
    const exporter = new RecordingExporter();
    const tracer = new Tracer({ exporters: [exporter] });
    for (const event of smallRun('r1')) tracer.onEvent(event);
    await tracer.shutdown();
    assert.equal(exporter.batches.length, 1);
    assert.equal(exporter.shutDown, 1);
    for (const event of smallRun('r2')) tracer.onEvent(event);
    await tracer.flush();
    assert.equal(exporter.batches.length, 1);
  });

  it('reports on stderr by default, in one line naming the exporter', () => {
    const written: string[] = [];
    const original = process.stderr.write;
    process.stderr.write = ((chunk: string) => {
      written.push(chunk);
      return true;
    }) as typeof process.stderr.write;
    try {
      reportExporterErrorOnStderr('jsonl', new Error('EACCES: permission denied'));
    } finally {
      process.stderr.write = original;
    }
    assert.deepEqual(written, ['deep-agent tracing: exporter "jsonl" failed and was dropped: EACCES: permission denied\n']);
  });
});
