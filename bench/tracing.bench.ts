/**
 * Tracing cost per run event, with every exporter attached: console (to a discarding stream),
 * memory, JSONL (temp file) and OpenTelemetry (OTLP/HTTP to a collector on 127.0.0.1).
 *
 * The mix: top-level runs of 20 steps; each step streams 40 chunks, calls 1–2 tools and reports
 * progress; every 5th step delegates to a subagent of 3 steps. Time includes the final flush,
 * i.e. until every span has reached every exporter (and the collector).
 *
 *   node --import tsx bench/tracing.bench.ts [runs]
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { RunEvent } from '../src/core/events';
import { ConsoleTraceExporter } from '../src/core/tracing/exporters/console';
import { JsonlTraceExporter } from '../src/core/tracing/exporters/jsonl';
import { MemoryTraceExporter } from '../src/core/tracing/exporters/memory';
import { OtelTraceExporter } from '../src/core/tracing/exporters/otel';
import { Tracer } from '../src/core/tracing/tracer';
import { RunScript, T0, startOtlpCollector, usage, type ScriptClock } from '../test/support/tracing';

const GOAL_MICROS = 20;
const STEPS = 20;
const CHUNKS_PER_CALL = 40;
const SUBAGENT_EVERY = 5;
const SUBAGENT_STEPS = 3;

function step(run: RunScript, n: number, chunks: number, tools: string[], subagent?: (taskCallId: string) => RunEvent[]): RunEvent[] {
  const events: RunEvent[] = [run.stepStart(n), run.llmStart(n)];
  for (let i = 0; i < chunks; i++) events.push(run.llmChunk(n, `tok${i} `));
  events.push(run.llmEnd(n, { finishReason: tools.length > 0 ? 'tool_calls' : 'stop', usage: usage(1500 + n * 200, 120) }));
  tools.forEach((name, i) => {
    const id = `${run.runId}-s${n}-t${i}`;
    events.push(run.toolStart(n, id, name, { path: `src/file${i}.ts`, pattern: 'TODO' }));
    if (name === 'task' && subagent) events.push(...subagent(id));
    events.push(run.toolEnd(n, id, name, true, 'x'.repeat(300)));
  });
  events.push(run.event('progress', { step: n, iteration: n, maxIterations: STEPS, usage: usage(n * 1700, n * 120), costUsd: n * 0.001 }));
  events.push(run.stepEnd(n, tools.length));
  return events;
}

function topLevelRun(index: number, clock: ScriptClock): RunEvent[] {
  const runId = `run-${index}`;
  const main = new RunScript(runId, { clock, stepMs: 1 });
  const events: RunEvent[] = [main.runStart({ prompt: 'Refactor the tracing module and write tests for it. '.repeat(5) })];
  for (let n = 1; n <= STEPS; n++) {
    const delegate = n % SUBAGENT_EVERY === 0;
    const tools = delegate ? ['read_file', 'task'] : n % 2 === 0 ? ['read_file', 'grep'] : ['edit_file'];
    events.push(
      ...step(main, n, CHUNKS_PER_CALL, tools, (taskCallId) => {
        const sub = new RunScript(`${runId}-sub-${n}`, { clock, stepMs: 1, parentRunId: runId });
        const subEvents = [sub.runStart({ agentName: 'researcher', depth: 1, parentToolCallId: taskCallId })];
        for (let s = 1; s <= SUBAGENT_STEPS; s++) subEvents.push(...step(sub, s, CHUNKS_PER_CALL / 2, s < SUBAGENT_STEPS ? ['grep'] : []));
        subEvents.push(sub.runEnd('completed', { steps: SUBAGENT_STEPS }));
        return subEvents;
      }),
    );
  }
  events.push(main.runEnd('completed', { steps: STEPS }));
  return events;
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

async function main(): Promise<void> {
  const runCount = Number(process.argv[2] ?? 50);
  const clock = { ts: T0 };
  const warmupRuns = Array.from({ length: 5 }, (_, i) => topLevelRun(-1 - i, clock));
  const runs = Array.from({ length: runCount }, (_, i) => topLevelRun(i, clock));
  const eventCount = runs.reduce((n, run) => n + run.length, 0);

  const dir = mkdtempSync(join(tmpdir(), 'tracing-bench-'));
  const collector = await startOtlpCollector();
  const discard = new Writable({ write: (_chunk, _encoding, done) => done() });
  const memory = new MemoryTraceExporter();
  const jsonlPath = join(dir, 'trace.jsonl');
  const exporterErrors: string[] = [];
  const tracer = new Tracer({
    exporters: [
      new ConsoleTraceExporter({ stream: discard, colour: false }),
      memory,
      new JsonlTraceExporter({ path: jsonlPath }),
      new OtelTraceExporter({ url: collector.url }),
    ],
    onExporterError: (name, error) => exporterErrors.push(`${name}: ${String(error)}`),
  });

  try {
    for (const run of warmupRuns) for (const event of run) tracer.onEvent(event);
    await tracer.flush();
    const warmupSpans = memory.spans.length;
    memory.clear();
    collector.requests.length = 0;

    let onEventNanos = 0n;
    const started = process.hrtime.bigint();
    for (const run of runs) {
      const before = process.hrtime.bigint();
      for (const event of run) tracer.onEvent(event);
      onEventNanos += process.hrtime.bigint() - before;
      // A real run awaits the model between events; let queued exports run as they would.
      await yieldToEventLoop();
    }
    await tracer.flush();
    const totalNanos = process.hrtime.bigint() - started;

    const spans = memory.spans.length;
    const collected = collector.spans().length;
    const jsonlLines = readFileSync(jsonlPath, 'utf8').trimEnd().split('\n').length - warmupSpans;
    if (exporterErrors.length > 0 || collected !== spans || jsonlLines !== spans) {
      throw new Error(`bench invalid: ${exporterErrors.join('; ') || `collector got ${collected}, JSONL ${jsonlLines} of ${spans} spans`}`);
    }
    const perEventMicros = Number(totalNanos) / 1000 / eventCount;
    console.log(
      JSON.stringify({
        bench: 'tracing',
        events: eventCount,
        runs: runCount,
        spans,
        perEventMicros: round(perEventMicros),
        goalMicros: GOAL_MICROS,
        withinGoal: perEventMicros < GOAL_MICROS,
        onEventMicros: round(Number(onEventNanos) / 1000 / eventCount),
        totalMs: round(Number(totalNanos) / 1e6),
        exporters: ['console', 'memory', 'jsonl', 'otel'],
        otlpRequests: collector.requests.length,
        spansAtCollector: collected,
        jsonlLines,
        node: process.version,
      }),
    );
  } finally {
    await tracer.shutdown();
    await collector.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}

main().catch((error: unknown) => {
  console.error(`tracing bench failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
