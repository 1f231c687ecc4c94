/** The memory, JSONL and console exporters, each fed by a real Tracer. */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { RunEvent } from '../../src/core/events';
import { ConsoleTraceExporter, formatDuration } from '../../src/core/tracing/exporters/console';
import { JsonlTraceExporter } from '../../src/core/tracing/exporters/jsonl';
import { sequentialTraceIds } from '../../src/core/tracing/ids';
import { Tracer } from '../../src/core/tracing/tracer';
import type { Span, TraceExporter } from '../../src/core/tracing/types';
import { StringWritable, foldEvents, runWithSubagent } from '../support/tracing';

const workDir = mkdtempSync(join(tmpdir(), 'tracing-exporters-'));
after(() => rmSync(workDir, { recursive: true, force: true }));

async function traceInto(exporter: TraceExporter, events: RunEvent[] = runWithSubagent()): Promise<Tracer> {
  const tracer = new Tracer({ exporters: [exporter], ids: sequentialTraceIds(), onExporterError: (name, error) => assert.fail(`${name}: ${String(error)}`) });
  for (const event of events) tracer.onEvent(event);
  await tracer.flush();
  return tracer;
}

describe('MemoryTraceExporter', () => {
  it('finds spans by kind, name, run, parent and root', async () => {
    const { memory } = await foldEvents(runWithSubagent());
    assert.equal(memory.byKind('run').length, 2);
    assert.equal(memory.byKind('tool_call').length, 2);
    assert.equal(memory.byRun('run-main-sub').length, 3);
    const [root] = memory.roots();
    assert.equal(memory.roots().length, 1);
    assert.deepEqual(memory.children(root!.spanId).map((s) => s.name), ['step 1']);
    const task = memory.byName('execute_tool task')[0]!;
    assert.deepEqual(memory.children(task.spanId).map((s) => s.name), ['invoke_agent researcher']);
    memory.clear();
    assert.equal(memory.spans.length, 0);
  });
});

describe('JsonlTraceExporter', () => {
  // Which spans arrive, their tree, status and attributes: the TraceExporter contract's.
  it('creates missing folders and writes one JSON span per line, the file ending with a newline', async () => {
    const path = join(workDir, 'nested', 'deeper', 'trace.jsonl');
    const tracer = await traceInto(new JsonlTraceExporter({ path }));
    await tracer.shutdown();
    const lines = readFileSync(path, 'utf8').split('\n');
    assert.equal(lines.pop(), '', 'the file ends with a newline');
    assert.equal(lines.map((line) => JSON.parse(line) as Span).length, 8);
  });

  it('appends to an existing file', async () => {
    const path = join(workDir, 'append.jsonl');
    writeFileSync(path, '{"existing":true}\n');
    for (const runId of ['first', 'second']) {
      const tracer = await traceInto(new JsonlTraceExporter({ path }), runWithSubagent(runId));
      await tracer.shutdown();
    }
    const lines = readFileSync(path, 'utf8').trim().split('\n');
    assert.equal(lines.length, 17);
    assert.deepEqual(JSON.parse(lines[0]!), { existing: true });
    assert.equal((JSON.parse(lines[16]!) as Span).runId, 'second');
  });

  it('says which path cannot be opened', () => {
    const blocker = join(workDir, 'a-file');
    writeFileSync(blocker, '');
    const path = join(blocker, 'trace.jsonl');
    assert.throws(() => new JsonlTraceExporter({ path }), (error: Error) => {
      assert.match(error.message, /^JSONL trace file ".*a-file\/trace\.jsonl" cannot be opened: /);
      return true;
    });
  });

  it('rejects exports after shutdown, naming the file', async () => {
    const path = join(workDir, 'closed.jsonl');
    const jsonl = new JsonlTraceExporter({ path });
    await jsonl.shutdown();
    await assert.rejects(async () => jsonl.export([]), /JSONL trace file ".*closed\.jsonl" is already closed/);
  });
});

describe('ConsoleTraceExporter', () => {
  it('prints one readable line per span, indented by depth, with duration, tokens, cost and errors', async () => {
    const out = new StringWritable();
    await traceInto(new ConsoleTraceExporter({ stream: out, colour: false }));
    // Children finish (and print) before their parents; indentation shows the tree.
    assert.deepEqual(out.text.trimEnd().split('\n'), [
      '    ✓ chat test-model  30ms  in 100 · out 20 tok  $0.0012  stop',
      '    ✗ execute_tool ls  10ms — ENOENT: no such directory',
      '          ✓ chat test-model  300ms  in 100 · out 20 tok  $0.0012  stop',
      '        ✓ step 1  500ms  in 100 · out 20 tok  $0.0012',
      '      ✓ invoke_agent researcher  700ms  in 300 · out 60 tok  $0.0036',
      '    ✓ execute_tool task  810ms',
      '  ✓ step 1  890ms  in 100 · out 20 tok  $0.0012',
      '✓ invoke_agent main  910ms  in 300 · out 60 tok  $0.0036',
    ]);
    assert.ok(!out.text.includes('\x1b['), 'no colour codes when colour is off');
  });

  it('colours status marks and errors when asked', async () => {
    const out = new StringWritable();
    await traceInto(new ConsoleTraceExporter({ stream: out, colour: true }));
    assert.match(out.text, /\x1b\[31m✗\x1b\[0m execute_tool ls/);
    assert.match(out.text, /\x1b\[32m✓\x1b\[0m invoke_agent main/);
  });

  it('formats durations for humans', () => {
    assert.equal(formatDuration(7), '7ms');
    assert.equal(formatDuration(1234), '1.23s');
    assert.equal(formatDuration(119_700), '2m00s');
  });
});
