/**
 * One readable line per finished span, indented by its place in the tree. Spans finish children
 * first, so a run's line comes after its steps; the indentation shows who belongs to whom.
 *
 *       ✓ chat gpt-4o-mini  1.20s  in 1200 · out 85 tok  $0.0004  stop
 *       ✓ execute_tool read_file  12ms
 *     ✓ step 1  1.23s  in 1200 · out 85 tok  $0.0004
 *   ✗ invoke_agent main  4.10s  … — run failed: model_http_500
 */
import type { Writable } from 'node:stream';
import { DeepAgentAttr, GenAiAttr } from '../attributes';
import type { Span, SpanKind, TraceExporter } from '../types';

export interface ConsoleTraceExporterOptions {
  /** Default process.stderr, so traces never mix with a command's output. */
  stream?: Writable;
  /** Default: when the stream is a terminal and NO_COLOR is not set. */
  colour?: boolean;
}

/** Levels below its run: run → step → model call / tool call; a subagent run sits under its tool call. */
const LEVEL_IN_RUN: Record<SpanKind, number> = { run: 0, step: 1, model_call: 2, tool_call: 2 };
const LEVELS_PER_DEPTH = 3;

const ANSI = { red: '\x1b[31m', green: '\x1b[32m', dim: '\x1b[2m', reset: '\x1b[0m' } as const;

export class ConsoleTraceExporter implements TraceExporter {
  readonly name = 'console';
  private readonly stream: Writable;
  private readonly colour: boolean;

  constructor(options: ConsoleTraceExporterOptions = {}) {
    this.stream = options.stream ?? process.stderr;
    this.colour = options.colour ?? (isTerminal(this.stream) && process.env['NO_COLOR'] === undefined);
  }

  export(spans: readonly Span[]): void {
    let text = '';
    for (const span of spans) text += `${this.formatSpan(span)}\n`;
    this.stream.write(text);
  }

  formatSpan(span: Span): string {
    const depth = numberAttribute(span, DeepAgentAttr.depth) ?? 0;
    const indent = '  '.repeat(depth * LEVELS_PER_DEPTH + LEVEL_IN_RUN[span.kind]);
    const ok = span.status === 'ok';
    const mark = this.paint(ok ? '✓' : '✗', ok ? ANSI.green : ANSI.red);
    const parts = [`${indent}${mark} ${span.name}`, this.paint(formatDuration(span.endTs - span.startTs), ANSI.dim)];
    const tokens = formatTokens(span);
    if (tokens) parts.push(tokens);
    const cost = numberAttribute(span, DeepAgentAttr.costUsd);
    if (cost !== undefined && cost > 0) parts.push(`$${cost.toFixed(4)}`);
    const finish = span.attributes[GenAiAttr.finishReasons];
    if (Array.isArray(finish) && finish.length > 0) parts.push(finish.join(','));
    let line = parts.join('  ');
    if (!ok && span.errorMessage) line += this.paint(` — ${span.errorMessage}`, ANSI.red);
    return line;
  }

  private paint(text: string, colour: string): string {
    return this.colour ? `${colour}${text}${ANSI.reset}` : text;
  }
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(2)}s`;
  const totalSeconds = Math.round(ms / 1000);
  return `${Math.floor(totalSeconds / 60)}m${String(totalSeconds % 60).padStart(2, '0')}s`;
}

function formatTokens(span: Span): string {
  const input = numberAttribute(span, GenAiAttr.inputTokens);
  const output = numberAttribute(span, GenAiAttr.outputTokens);
  if (input === undefined && output === undefined) return '';
  return `in ${input ?? 0} · out ${output ?? 0} tok`;
}

function numberAttribute(span: Span, key: string): number | undefined {
  const value = span.attributes[key];
  return typeof value === 'number' ? value : undefined;
}

function isTerminal(stream: Writable): boolean {
  return (stream as Writable & { isTTY?: boolean }).isTTY === true;
}
