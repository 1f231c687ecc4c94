/**
 * Helpers for the tracing tests and benchmark: event scripts that fill runId/seq/ts, a one-call
 * "fold these events" helper, and a real OTLP/HTTP collector on 127.0.0.1.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import type { RunEvent, RunEventData, RunEventType, RunStatus, Usage } from '../../src/core/events';
import { MemoryTraceExporter } from '../../src/core/tracing/exporters/memory';
import { sequentialTraceIds } from '../../src/core/tracing/ids';
import { Tracer, type TracerOptions } from '../../src/core/tracing/tracer';

/** A realistic epoch time (the OTel SDK reads small numbers as performance-relative). */
export const T0 = 1_700_000_000_000;

/** Shared by interleaved scripts so timestamps keep increasing across runs. */
export interface ScriptClock {
  ts: number;
}

export const usage = (inputTokens: number, outputTokens: number): Usage => ({
  inputTokens,
  outputTokens,
  totalTokens: inputTokens + outputTokens,
});

/** Builds the events of one run; every event advances the clock by `stepMs`. */
export class RunScript {
  private seq = 0;

  constructor(
    readonly runId: string,
    readonly options: { parentRunId?: string; clock?: ScriptClock; stepMs?: number } = {},
  ) {
    this.options.clock ??= { ts: T0 };
  }

  event<T extends RunEventType>(type: T, data: RunEventData[T]): RunEvent {
    const clock = this.options.clock!;
    clock.ts += this.options.stepMs ?? 10;
    const event = { runId: this.runId, seq: this.seq++, ts: clock.ts, type, data } as RunEvent;
    if (this.options.parentRunId !== undefined) event.parentRunId = this.options.parentRunId;
    return event;
  }

  runStart(data: Partial<RunEventData['run_start']> = {}): RunEvent {
    return this.event('run_start', { agentName: 'main', prompt: 'Summarise the repo', model: 'test-model', maxIterations: 20, depth: 0, ...data });
  }

  stepStart(step: number): RunEvent {
    return this.event('step_start', { step });
  }

  llmStart(step: number, attempt = 1): RunEvent {
    return this.event('llm_start', { step, model: 'test-model', attempt, messageCount: 3, toolCount: 2 });
  }

  llmChunk(step: number, text: string): RunEvent {
    return this.event('llm_chunk', { step, text });
  }

  llmEnd(step: number, data: Partial<RunEventData['llm_end']> = {}): RunEvent {
    return this.event('llm_end', {
      step,
      model: 'test-model-2024',
      text: 'Here is the answer',
      toolCalls: [],
      finishReason: 'stop',
      usage: usage(100, 20),
      costUsd: 0.0012,
      durationMs: 10,
      ...data,
    });
  }

  /** llm_start, one llm_chunk per text piece, llm_end. */
  modelCall(step: number, chunks: string[] = ['Here is ', 'the answer'], end: Partial<RunEventData['llm_end']> = {}): RunEvent[] {
    return [this.llmStart(step), ...chunks.map((text) => this.llmChunk(step, text)), this.llmEnd(step, { text: chunks.join(''), ...end })];
  }

  toolStart(step: number, toolCallId: string, name: string, args: unknown = { path: 'README.md' }): RunEvent {
    return this.event('tool_start', { step, toolCallId, name, args });
  }

  toolEnd(step: number, toolCallId: string, name: string, ok = true, result = 'file contents'): RunEvent {
    return this.event('tool_end', { step, toolCallId, name, ok, result, durationMs: 5 });
  }

  stepEnd(step: number, toolCalls = 0): RunEvent {
    return this.event('step_end', { step, usage: usage(100, 20), costUsd: 0.0012, toolCalls });
  }

  runEnd(status: RunStatus = 'completed', data: Partial<RunEventData['run_end']> = {}): RunEvent {
    return this.event('run_end', { status, output: 'Done.', usage: usage(300, 60), costUsd: 0.0036, steps: 2, durationMs: 100, ...data });
  }
}

/**
 * A run whose step 1 calls the model, runs a failing `ls` (failing with `lsError`) and a `task`
 * subagent: eight spans. The exporters' tests and their contract trace it.
 */
export function runWithSubagent(runId = 'run-main', options: { lsError?: string; prompt?: string } = {}): RunEvent[] {
  const clock = { ts: T0 };
  const main = new RunScript(runId, { clock });
  const sub = new RunScript(`${runId}-sub`, { clock, parentRunId: runId, stepMs: 100 });
  return [
    main.runStart(options.prompt === undefined ? {} : { prompt: options.prompt }),
    main.stepStart(1),
    ...main.modelCall(1),
    main.toolStart(1, 'call-ls', 'ls'),
    main.toolEnd(1, 'call-ls', 'ls', false, options.lsError ?? 'ENOENT: no such directory'),
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

/** Keeps what is written to it, e.g. what the console exporter prints. */
export class StringWritable extends Writable {
  text = '';
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    this.text += chunk.toString('utf8');
    done();
  }
}

/** A tracer with a memory exporter and sequential ids, fed `events`, flushed. */
export async function foldEvents(events: RunEvent[], options: TracerOptions = {}): Promise<{ tracer: Tracer; memory: MemoryTraceExporter }> {
  const memory = new MemoryTraceExporter();
  const tracer = new Tracer({ ids: sequentialTraceIds(), ...options, exporters: [memory, ...(options.exporters ?? [])] });
  for (const event of events) tracer.onEvent(event);
  await tracer.flush();
  return { tracer, memory };
}

// --- A minimal OTLP/HTTP (JSON) collector ---

export type OtlpAnyValue =
  | { stringValue: string }
  | { intValue: number | string }
  | { doubleValue: number }
  | { boolValue: boolean }
  | { arrayValue: { values?: OtlpAnyValue[] } };

export interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes?: { key: string; value: OtlpAnyValue }[];
  status?: { code?: number; message?: string };
}

interface OtlpExportRequest {
  resourceSpans?: {
    resource?: { attributes?: { key: string; value: OtlpAnyValue }[] };
    scopeSpans?: { spans?: OtlpSpan[] }[];
  }[];
}

export interface OtlpCollector {
  /** The traces endpoint, e.g. http://127.0.0.1:PORT/v1/traces. */
  url: string;
  requests: { path: string; contentType: string | undefined; headers: IncomingMessage['headers']; body: OtlpExportRequest }[];
  spans(): OtlpSpan[];
  resourceAttribute(key: string): unknown;
  /** Reply to every later request with this HTTP status (e.g. 400 to make exports fail). */
  failWith(status: number | undefined): void;
  close(): Promise<void>;
}

export async function startOtlpCollector(): Promise<OtlpCollector> {
  const requests: OtlpCollector['requests'] = [];
  let failStatus: number | undefined;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/v1/traces') {
        res.writeHead(404).end();
        return;
      }
      if (failStatus !== undefined) {
        res.writeHead(failStatus, { 'content-type': 'application/json' }).end('{"message":"collector says no"}');
        return;
      }
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as OtlpExportRequest;
      requests.push({ path: req.url, contentType: req.headers['content-type'], headers: req.headers, body });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1/traces`,
    requests,
    spans: () =>
      requests.flatMap((r) => (r.body.resourceSpans ?? []).flatMap((rs) => (rs.scopeSpans ?? []).flatMap((ss) => ss.spans ?? []))),
    resourceAttribute: (key) => {
      for (const r of requests)
        for (const rs of r.body.resourceSpans ?? [])
          for (const attribute of rs.resource?.attributes ?? []) if (attribute.key === key) return plainValue(attribute.value);
      return undefined;
    },
    failWith: (status) => {
      failStatus = status;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/** An OTLP attribute of a span, as a plain JS value. */
export function otlpAttribute(span: OtlpSpan, key: string): unknown {
  const attribute = span.attributes?.find((a) => a.key === key);
  return attribute === undefined ? undefined : plainValue(attribute.value);
}

function plainValue(value: OtlpAnyValue): unknown {
  if ('stringValue' in value) return value.stringValue;
  if ('intValue' in value) return Number(value.intValue);
  if ('doubleValue' in value) return value.doubleValue;
  if ('boolValue' in value) return value.boolValue;
  return (value.arrayValue.values ?? []).map(plainValue);
}
