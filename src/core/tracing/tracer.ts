/**
 * Folds run events into spans: run → step → model call / tool call → subagent run.
 * `onEvent` is on the agent's hot path (every streamed token), so it only updates a few maps;
 * finished spans go to an ExportQueue that exports them later, off that path.
 */
import { systemClock, type Clock } from '../clock';
import type { RunEvent, RunEventData } from '../events';
import { DeepAgentAttr, GenAiAttr } from './attributes';
import { ExportQueue, type ExporterErrorHandler } from './exportQueue';
import { randomTraceIds, type TraceIdSource } from './ids';
import { redactSecrets } from './preview';
import {
  addModelCallEndAttributes,
  addRunEndAttributes,
  addStepEndAttributes,
  addToolCallEndAttributes,
  modelCallStartAttributes,
  runStartAttributes,
  stepStartAttributes,
  toolCallStartAttributes,
} from './spanAttributes';
import type { Span, SpanKind, TraceExporter } from './types';

export interface TracerOptions {
  exporters?: readonly TraceExporter[];
  /** Where trace and span ids come from; random by default, sequentialTraceIds() for replays. */
  ids?: TraceIdSource;
  /** Only for spans still open at shutdown (events carry their own times). Default: system clock. */
  clock?: Clock;
  /** Told once about an exporter that threw, rejected or timed out; it is then dropped. Default: one line on stderr. */
  onExporterError?: ExporterErrorHandler;
  /** Length of prompt / output / tool argument previews in attributes; 0 leaves them out. Default 80. */
  previewChars?: number;
  /** An export that has not settled after this long counts as failed. Default 30 000. */
  exportTimeoutMs?: number;
}

interface OpenModelCall {
  span: Span;
  chunks: number;
  firstChunkTs: number | undefined;
  /** The model's thinking: its length, and its start for the preview. */
  reasoningChars: number;
  reasoningHead: string;
  /** The last non-fatal error while this call was open: the reason it gets retried. */
  lastError: string | undefined;
}

interface OpenStep {
  span: Span;
  modelCall: OpenModelCall | undefined;
}

interface OpenToolCall {
  span: Span;
  step: number;
}

interface OpenRun {
  span: Span;
  depth: number;
  steps: Map<number, OpenStep>;
  /** By toolCallId: tool_end and a subagent's run_start find their tool call here. */
  toolCalls: Map<string, OpenToolCall>;
  lastError: string | undefined;
}

interface SpanError {
  message: string;
  /** Value of the error.type attribute. */
  type: string;
}

/** Error messages leave the process too: cut and masked like previews, but a little longer. */
const ERROR_MESSAGE_CHARS = 200;

export class Tracer {
  private readonly runs = new Map<string, OpenRun>();
  private readonly queue: ExportQueue;
  private readonly ids: TraceIdSource;
  private readonly clock: Clock;
  private readonly previewChars: number;
  private ignored = 0;
  private stopped = false;

  constructor(options: TracerOptions = {}) {
    this.ids = options.ids ?? randomTraceIds();
    this.clock = options.clock ?? systemClock;
    this.previewChars = options.previewChars ?? 80;
    this.queue = new ExportQueue(options.exporters ?? [], {
      onExporterError: options.onExporterError,
      exportTimeoutMs: options.exportTimeoutMs,
    });
  }

  /** Events that named a run, step or tool call the tracer does not know (or came out of order). */
  get ignoredEventCount(): number {
    return this.ignored;
  }

  /** Spans started and not yet finished, across all runs. */
  get openSpanCount(): number {
    let count = 0;
    for (const run of this.runs.values()) {
      count += 1 + run.toolCalls.size;
      for (const step of run.steps.values()) count += step.modelCall ? 2 : 1;
    }
    return count;
  }

  /** Synchronous, cheap, never throws; an arrow so it can be handed around as a listener. */
  readonly onEvent = (event: RunEvent): void => {
    if (this.stopped) return;
    try {
      if (!this.fold(event)) this.ignored++;
    } catch {
      // A malformed event (missing data) must not break the run that emitted it.
      this.ignored++;
    }
  };

  /** Resolves when every finished span has been exported and every exporter has flushed. */
  flush(): Promise<void> {
    return this.queue.flush();
  }

  /** Closes still-open spans as errors, flushes, and shuts the exporters down. Later events are ignored. */
  async shutdown(): Promise<void> {
    if (!this.stopped) {
      this.stopped = true;
      const now = this.clock.now();
      for (const run of this.runs.values()) this.closeRun(run, now, 'tracer shutdown', unfinished(run.span, 'tracer shutdown'));
      this.runs.clear();
    }
    await this.queue.shutdown();
  }

  /** Returns false when the event was ignored. */
  private fold(event: RunEvent): boolean {
    if (event.type === 'run_start') return this.startRun(event.runId, event.parentRunId, event.ts, event.data);
    // A run resumed in a new process: its trace goes on from here (its start was traced by the old one).
    if (event.type === 'run_resumed' && !this.runs.has(event.runId)) {
      return this.startRun(event.runId, event.parentRunId, event.ts, { ...event.data, prompt: '', maxIterations: 0 });
    }
    const run = this.runs.get(event.runId);
    if (run === undefined) return false;
    switch (event.type) {
      case 'step_start':
        return this.startStep(run, event.ts, event.data.step);
      case 'llm_start':
        return this.startModelCall(run, event.ts, event.data);
      case 'llm_chunk': {
        const call = run.steps.get(event.data.step)?.modelCall;
        if (call === undefined) return false;
        call.chunks++;
        call.firstChunkTs ??= event.ts;
        return true;
      }
      case 'llm_reasoning': {
        const call = run.steps.get(event.data.step)?.modelCall;
        if (call === undefined) return false;
        // Thinking is what the user sees first, so it counts for the time to the first chunk.
        call.firstChunkTs ??= event.ts;
        call.reasoningChars += event.data.text.length;
        if (call.reasoningHead.length < this.previewChars) call.reasoningHead += event.data.text;
        return true;
      }
      case 'llm_end':
        return this.endModelCall(run, event.ts, event.data);
      case 'tool_start':
        return this.startToolCall(run, event.ts, event.data);
      case 'tool_end':
        return this.endToolCall(run, event.ts, event.data);
      case 'error':
        this.noteError(run, event.ts, event.data);
        return true;
      case 'guardrail':
        if (event.data.action === 'stopped') run.span.attributes[DeepAgentAttr.stoppedBy] = event.data.guardrail;
        return true;
      case 'memory_recall':
        // The recall tool's own span shows its result; what went into the prompt is the run's.
        if (event.data.source === 'injection') {
          run.span.attributes[DeepAgentAttr.memoryRecalled] = event.data.memories.length;
          run.span.attributes[DeepAgentAttr.memoryEmbedder] = event.data.embedder;
          run.span.attributes[DeepAgentAttr.memoryFallback] = event.data.fallback;
        }
        return true;
      case 'step_end':
        return this.endStep(run, event.ts, event.data);
      case 'run_end':
        this.endRun(run, event.ts, event.data);
        return true;
      default:
        // progress, partial_result, and event types added later: nothing to trace.
        return true;
    }
  }

  private startRun(runId: string, parentRunId: string | undefined, ts: number, data: RunEventData['run_start']): boolean {
    if (this.runs.has(runId)) return false;
    // A subagent hangs under the task tool call that started it, in its parent's trace. If that
    // tool call is unknown it hangs under the parent run; if the parent is unknown it starts a trace.
    const parent = parentRunId === undefined ? undefined : this.runs.get(parentRunId);
    const parentToolCall = data.parentToolCallId === undefined ? undefined : parent?.toolCalls.get(data.parentToolCallId);
    const span = this.newSpan(
      'run',
      `invoke_agent ${data.agentName}`,
      runId,
      ts,
      parent?.span.traceId ?? this.ids.traceId(),
      parentToolCall?.span.spanId ?? parent?.span.spanId,
      runStartAttributes(runId, parentRunId, data, this.previewChars),
    );
    this.runs.set(runId, { span, depth: data.depth, steps: new Map(), toolCalls: new Map(), lastError: undefined });
    return true;
  }

  private startStep(run: OpenRun, ts: number, step: number): boolean {
    if (run.steps.has(step)) return false;
    const span = this.childSpan(run, run.span, 'step', `step ${step}`, ts, stepStartAttributes(run.span.runId, run.depth, step));
    run.steps.set(step, { span, modelCall: undefined });
    return true;
  }

  private startModelCall(run: OpenRun, ts: number, data: RunEventData['llm_start']): boolean {
    const step = run.steps.get(data.step);
    if (step === undefined) return false;
    const previous = step.modelCall;
    if (previous !== undefined) {
      const error: SpanError =
        data.attempt > 1
          ? { message: `retried as attempt ${data.attempt}${previous.lastError ? ` after: ${previous.lastError}` : ''}`, type: 'retried' }
          : { message: `${previous.span.name} never finished: another model call started`, type: 'unfinished' };
      this.finish(previous.span, ts, error);
    }
    const span = this.childSpan(run, step.span, 'model_call', `chat ${data.model}`, ts, modelCallStartAttributes(run.span.runId, run.depth, data));
    step.modelCall = { span, chunks: 0, firstChunkTs: undefined, reasoningChars: 0, reasoningHead: '', lastError: undefined };
    return true;
  }

  private endModelCall(run: OpenRun, ts: number, data: RunEventData['llm_end']): boolean {
    const step = run.steps.get(data.step);
    const call = step?.modelCall;
    if (step === undefined || call === undefined) return false;
    const secondsToFirstChunk = call.firstChunkTs === undefined ? undefined : (call.firstChunkTs - call.span.startTs) / 1000;
    const streamed = { chunks: call.chunks, secondsToFirstChunk, reasoningChars: call.reasoningChars, reasoningHead: call.reasoningHead };
    addModelCallEndAttributes(call.span.attributes, data, streamed, this.previewChars);
    this.finish(call.span, ts);
    step.modelCall = undefined;
    return true;
  }

  private startToolCall(run: OpenRun, ts: number, data: RunEventData['tool_start']): boolean {
    const step = run.steps.get(data.step);
    if (step === undefined || run.toolCalls.has(data.toolCallId)) return false;
    const attributes = toolCallStartAttributes(run.span.runId, run.depth, data, this.previewChars);
    const span = this.childSpan(run, step.span, 'tool_call', `execute_tool ${data.name}`, ts, attributes);
    run.toolCalls.set(data.toolCallId, { span, step: data.step });
    return true;
  }

  private endToolCall(run: OpenRun, ts: number, data: RunEventData['tool_end']): boolean {
    const call = run.toolCalls.get(data.toolCallId);
    if (call === undefined) return false;
    addToolCallEndAttributes(call.span.attributes, data, this.previewChars);
    this.finish(call.span, ts, data.ok ? undefined : { message: errorText(data.result), type: 'tool_failed' });
    run.toolCalls.delete(data.toolCallId);
    return true;
  }

  /** A fatal error ends the open model call now; a non-fatal one is the reason for the retry that follows. */
  private noteError(run: OpenRun, ts: number, data: RunEventData['error']): void {
    const message = errorText(`${data.code}: ${data.message}`);
    run.lastError = message;
    for (const step of run.steps.values()) {
      const call = step.modelCall;
      if (call === undefined) continue;
      if (data.fatal) {
        this.finish(call.span, ts, { message, type: data.code });
        step.modelCall = undefined;
      } else {
        call.lastError = message;
      }
    }
  }

  private endStep(run: OpenRun, ts: number, data: RunEventData['step_end']): boolean {
    const step = run.steps.get(data.step);
    if (step === undefined) return false;
    this.closeStep(run, data.step, step, ts, 'step_end');
    addStepEndAttributes(step.span.attributes, data);
    this.finish(step.span, ts);
    run.steps.delete(data.step);
    return true;
  }

  private endRun(run: OpenRun, ts: number, data: RunEventData['run_end']): void {
    addRunEndAttributes(run.span.attributes, data, this.previewChars);
    const error: SpanError | undefined =
      data.status === 'completed'
        ? undefined
        : { message: errorText(`run ${data.status}${data.error ? `: ${data.error}` : run.lastError ? `: ${run.lastError}` : ''}`), type: data.status };
    this.closeRun(run, ts, 'run_end', error);
    this.runs.delete(run.span.runId);
  }

  /** Closes whatever of the run is still open as an error, then the run span itself. */
  private closeRun(run: OpenRun, ts: number, endedBy: string, runError: SpanError | undefined): void {
    for (const [number, step] of run.steps) {
      this.closeStep(run, number, step, ts, endedBy);
      this.finish(step.span, ts, unfinished(step.span, endedBy));
    }
    run.steps.clear();
    // Every tool call belongs to a step closed above; this is only a safety net.
    for (const call of run.toolCalls.values()) this.finish(call.span, ts, unfinished(call.span, endedBy));
    run.toolCalls.clear();
    this.finish(run.span, ts, runError);
  }

  /** Closes the still-open children of a step (its model call and tool calls) as errors. */
  private closeStep(run: OpenRun, number: number, step: OpenStep, ts: number, endedBy: string): void {
    if (step.modelCall !== undefined) {
      this.finish(step.modelCall.span, ts, unfinished(step.modelCall.span, endedBy));
      step.modelCall = undefined;
    }
    for (const [id, call] of run.toolCalls) {
      if (call.step !== number) continue;
      this.finish(call.span, ts, unfinished(call.span, endedBy));
      run.toolCalls.delete(id);
    }
  }

  private childSpan(run: OpenRun, parent: Span, kind: SpanKind, name: string, ts: number, attributes: Span['attributes']): Span {
    return this.newSpan(kind, name, run.span.runId, ts, parent.traceId, parent.spanId, attributes);
  }

  private newSpan(
    kind: SpanKind,
    name: string,
    runId: string,
    ts: number,
    traceId: string,
    parentSpanId: string | undefined,
    attributes: Span['attributes'],
  ): Span {
    const span: Span = { traceId, spanId: this.ids.spanId(), kind, name, runId, startTs: ts, endTs: ts, status: 'ok', attributes };
    if (parentSpanId !== undefined) span.parentSpanId = parentSpanId;
    return span;
  }

  /** A span is handed to the queue once, and never changed after that. */
  private finish(span: Span, ts: number, error?: SpanError): void {
    span.endTs = ts > span.startTs ? ts : span.startTs;
    if (error !== undefined) {
      span.status = 'error';
      span.errorMessage = error.message;
      span.attributes[GenAiAttr.errorType] = error.type;
    }
    this.queue.push(span);
  }
}

function unfinished(span: Span, endedBy: string): SpanError {
  return { message: `${span.name} never finished: ${endedBy} came first`, type: 'unfinished' };
}

function errorText(text: string): string {
  const masked = redactSecrets(text.length > ERROR_MESSAGE_CHARS * 2 ? text.slice(0, ERROR_MESSAGE_CHARS * 2) : text);
  return masked.length > ERROR_MESSAGE_CHARS ? `${masked.slice(0, ERROR_MESSAGE_CHARS)}…` : masked;
}
