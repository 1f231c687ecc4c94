/**
 * The readable view of a run: the model's text as it streams and one line per tool call on stdout,
 * a status line (iteration, tokens, cost) on stderr — rewritten in place on a terminal.
 */
import type { Writable } from 'node:stream';
import type { RunEvent } from '../core';

export interface ViewStreams {
  out: Writable & { isTTY?: boolean };
  err: Writable & { isTTY?: boolean };
}

export function readableView({ out, err }: ViewStreams): (event: RunEvent) => void {
  const depthOf = new Map<string, number>();
  const live = err.isTTY === true;
  let midLine = false;
  let status = '';

  // The status line sits on the terminal's last line. While stdout's text on the same terminal is
  // mid-line it stays hidden: drawing it there and erasing it (\r + clear line) would erase the text.
  let statusShown = false;
  const clearStatus = () => {
    if (statusShown) err.write('\r\x1b[K');
    statusShown = false;
  };
  const showStatus = () => {
    if (!live || !status || statusShown || (out.isTTY && midLine)) return;
    err.write(status);
    statusShown = true;
  };
  const line = (text: string) => {
    endThinking();
    clearStatus();
    if (midLine) out.write('\n');
    midLine = false;
    out.write(`${text}\n`);
    showStatus();
  };

  // The model's thinking: dimmed on a terminal, never on stdout when stdout is not one (it is not the answer).
  let thinking = false;
  let thought = '';
  const dim = (stream: ViewStreams['out'], text: string) => (stream.isTTY ? `\x1b[2m${text}\x1b[22m` : text);
  const think = (text: string) => {
    if (out.isTTY) {
      clearStatus();
      if (!thinking && midLine) out.write('\n');
      out.write(dim(out, text));
      midLine = !text.endsWith('\n');
      showStatus();
    } else {
      // Whole lines on stderr, so they never tangle with the status line.
      thought += text;
      const end = thought.lastIndexOf('\n');
      if (end >= 0) writeThought(thought.slice(0, end));
      thought = thought.slice(end + 1);
    }
    thinking = true;
  };
  const writeThought = (text: string) => {
    clearStatus();
    for (const part of text.split('\n')) err.write(`${dim(err, `thinking: ${part}`)}\n`);
    showStatus();
  };
  function endThinking(): void {
    if (!thinking) return;
    thinking = false;
    if (thought) writeThought(thought);
    thought = '';
    if (out.isTTY && midLine) {
      out.write('\n');
      midLine = false;
    }
  }

  return (event) => {
    const depth = depthOf.get(event.runId) ?? 0;
    const pad = '  '.repeat(depth);
    switch (event.type) {
      case 'run_start':
        depthOf.set(event.runId, event.data.depth);
        if (event.data.depth > 0) line(`${'  '.repeat(event.data.depth)}┌ subagent ${event.data.agentName}`);
        break;
      case 'run_resumed': {
        // A resumed subagent has no run_start in this process: it sits one level below its parent.
        const level = event.parentRunId ? (depthOf.get(event.parentRunId) ?? 0) + 1 : 0;
        depthOf.set(event.runId, level);
        const indent = '  '.repeat(level);
        line(level > 0 ? `${indent}┌ subagent resumed from step ${event.data.step}` : `↻ resumed run ${event.runId} from step ${event.data.step}`);
        for (const call of event.data.interruptedToolCalls) line(`${indent}  ${call.name} (${call.toolCallId}) was interrupted: ${interruptedOutcome[call.outcome]}`);
        break;
      }
      case 'llm_reasoning':
        if (depth === 0) think(event.data.text);
        break;
      case 'llm_chunk':
        // Subagents' text is their own working; the parent sees their report as a tool result.
        if (depth > 0) break;
        endThinking();
        clearStatus();
        out.write(event.data.text);
        midLine = !event.data.text.endsWith('\n');
        showStatus();
        break;
      case 'tool_start':
        if (event.data.name === 'write_todos' && isTodoArgs(event.data.args)) {
          line(`${pad}→ plan`);
          for (const todo of event.data.args.todos) line(`${pad}  ${todoMark[todo.status] ?? '[ ]'} ${todo.content}`);
          break;
        }
        line(`${pad}→ ${event.data.name} ${summarize(event.data.args)}`);
        break;
      case 'tool_end':
        if (!event.data.ok) line(`${pad}  ✗ ${firstLine(event.data.result)}`);
        break;
      case 'memory_recall': {
        // The recall tool shows as a tool call; what was recalled into the prompt shows here.
        if (depth > 0 || event.data.source !== 'injection') break;
        const n = event.data.memories.length;
        line(`↺ recalled ${n} ${n === 1 ? 'memory' : 'memories'} into the prompt${event.data.fallback ? ` (embedded by ${event.data.embedder}, the hashing fallback: matched by words, not meaning)` : ''}`);
        break;
      }
      case 'guardrail':
        line(`${pad}! guardrail ${event.data.guardrail} ${event.data.action}: ${event.data.message}`);
        break;
      case 'error':
        line(`${pad}${event.data.fatal ? '✗' : '!'} ${event.data.message}`);
        break;
      case 'progress':
        if (depth > 0) break;
        endThinking();
        status = `[step ${event.data.iteration}/${event.data.maxIterations} · ${event.data.usage.totalTokens.toLocaleString('en-US')} tokens · $${event.data.costUsd.toFixed(4)}]`;
        if (live) {
          clearStatus();
          showStatus();
        } else {
          err.write(`${status}\n`);
        }
        break;
      // checkpoint and file_change events are bookkeeping for resume and restore; --events shows them.
      case 'run_end':
        if (depth === 0) endThinking();
        if (event.data.status !== 'completed' || depth > 0) {
          if (depth > 0) line(`${pad}└ ${event.data.status}`);
          break;
        }
        clearStatus();
        status = '';
        if (midLine) out.write('\n');
        midLine = false;
        err.write(`✓ completed in ${event.data.steps} steps · ${event.data.usage.totalTokens.toLocaleString('en-US')} tokens · $${event.data.costUsd.toFixed(4)} · ${(event.data.durationMs / 1000).toFixed(1)} s\n`);
        break;
    }
  };
}

const interruptedOutcome: Record<string, string> = {
  done: 'it had taken effect; its result is kept',
  rerun: 'it is safe to run again, and runs again',
  unknown: 'whether it took effect is unknown; the model is told',
};

const todoMark: Record<string, string> = { pending: '[ ]', in_progress: '[~]', completed: '[x]' };

function isTodoArgs(args: unknown): args is { todos: { content: string; status: string }[] } {
  return typeof args === 'object' && args !== null && Array.isArray((args as { todos?: unknown }).todos);
}

function summarize(args: unknown): string {
  if (typeof args !== 'object' || args === null) return firstLine(String(args)).slice(0, 80);
  const entries = Object.entries(args as Record<string, unknown>).map(([key, value]) => {
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    return `${key}=${firstLine(text ?? '').slice(0, 40)}${(text ?? '').length > 40 ? '…' : ''}`;
  });
  return entries.join(' ');
}

const firstLine = (text: string) => text.split('\n', 1)[0]!;
