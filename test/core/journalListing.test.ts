/**
 * Listing reads a journal's ends, not the journal: real files, with the bytes read counted on the
 * real FileHandle (its read method wrapped to count).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { FileCheckpointStore } from '../../src/core/checkpoint/fileStore';
import { headerLine } from '../../src/core/checkpoint/journalFormat';
import { journalFiles } from '../../src/core/checkpoint/journalListing';
import type { RunEvent } from '../../src/core/events';
import { parseJsonOrUndefined } from '../../src/core/json';

function tempDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'journal-listing-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Counts what every FileHandle reads while `body` runs. */
async function bytesReadDuring(dir: string, body: () => Promise<unknown>): Promise<number> {
  const probe = await open(join(dir, 'probe'), 'w');
  const proto = Object.getPrototypeOf(probe) as { read: (...args: unknown[]) => Promise<{ bytesRead: number }> };
  await probe.close();
  const read = proto.read;
  let total = 0;
  proto.read = async function (this: unknown, ...args: unknown[]) {
    const result = await read.apply(this, args);
    total += result.bytesRead;
    return result;
  };
  try {
    await body();
  } finally {
    proto.read = read;
  }
  return total;
}

const line = (event: RunEvent) => `${JSON.stringify(event)}\n`;

/** A journal of about `megabytes` MB: a run_start, then a subagent's streamed chunks, a progress, more chunks. */
function bigJournal(dir: string, runId: string, megabytes: number, ended: boolean): void {
  const chunk = (runIdOf: string, i: number): RunEvent => ({ runId: runIdOf, parentRunId: runIdOf === runId ? undefined : runId, seq: i, ts: 2_000 + i, type: 'llm_chunk', data: { step: 0, text: `token ${i} `.repeat(40) } });
  const parts = [headerLine(runId), line({ runId, seq: 0, ts: 1_000, type: 'run_start', data: { agentName: 'coder', prompt: `big ${runId}`, model: 'm', maxIterations: 5, depth: 0 } })];
  let size = 0;
  let i = 1;
  while (size < megabytes * 1024 * 1024) {
    const text = line(chunk(`${runId}.sub`, i++));
    parts.push(text);
    size += text.length;
  }
  parts.push(line({ runId, seq: i++, ts: 9_000, type: 'progress', data: { step: 0, iteration: 1, maxIterations: 5, usage: { inputTokens: 10, outputTokens: 32, totalTokens: 42 }, costUsd: 0.5, message: 'step' } }));
  // The subagent goes on after the run's last progress: the tail is read further back to find it.
  for (let k = 0; k < 300; k++) parts.push(line(chunk(`${runId}.sub`, i++)));
  if (ended) parts.push(line({ runId, seq: i, ts: 9_999, type: 'run_end', data: { status: 'completed', output: '', usage: { inputTokens: 10, outputTokens: 50, totalTokens: 60 }, costUsd: 0.75, steps: 1, durationMs: 5 } }));
  writeFileSync(join(dir, `${runId}.jsonl`), parts.join(''));
}

test('listing a directory with a 50 MB journal reads a sliver of it, and still has its status and totals', async (t) => {
  const dir = tempDir(t);
  bigJournal(dir, 'run-big', 50, false);
  let runs: Awaited<ReturnType<FileCheckpointStore['listRuns']>> = [];
  const read = await bytesReadDuring(dir, async () => (runs = await new FileCheckpointStore(dir).listRuns()));
  assert.deepEqual(
    runs.map((r) => [r.runId, r.status, r.prompt, r.totals]),
    [['run-big', 'interrupted', 'big run-big', { tokens: 42, costUsd: 0.5 }]],
  );
  assert.ok(runs[0]!.bytes > 50 * 1024 * 1024);
  assert.ok(read < 2 * 1024 * 1024, `read ${read} bytes of a ${runs[0]!.bytes}-byte journal`);
});

test('listing 20 journals of 2 MB each reads far less than they hold', async (t) => {
  const dir = tempDir(t);
  for (let n = 0; n < 20; n++) bigJournal(dir, `run-${n}`, 2, n % 2 === 0);
  let runs: Awaited<ReturnType<FileCheckpointStore['listRuns']>> = [];
  const read = await bytesReadDuring(dir, async () => (runs = await new FileCheckpointStore(dir).listRuns()));
  const total = runs.reduce((sum, r) => sum + r.bytes, 0);
  assert.equal(runs.length, 20);
  assert.deepEqual(runs.find((r) => r.runId === 'run-0')?.totals, { tokens: 60, costUsd: 0.75 });
  assert.equal(runs.find((r) => r.runId === 'run-0')?.status, 'completed');
  assert.equal(runs.find((r) => r.runId === 'run-1')?.status, 'interrupted');
  assert.ok(read < total / 10, `read ${read} of ${total} bytes`);
});

test('journal files: .jsonl files with a valid run id; none for a missing directory', async (t) => {
  const dir = tempDir(t);
  for (const name of ['run-a.jsonl', 'run-b.lock', 'notes.txt', 'sp ace.jsonl', '.hidden.jsonl', 'run-a.jsonl.compact']) writeFileSync(join(dir, name), '');
  assert.deepEqual(await journalFiles(dir), [{ runId: 'run-a', path: join(dir, 'run-a.jsonl') }]);
  assert.deepEqual(await journalFiles(join(dir, 'missing')), []);
});

test('parseJsonOrUndefined: the value of JSON text, undefined for anything else', () => {
  assert.deepEqual(parseJsonOrUndefined('{"a":[1,null]}'), { a: [1, null] });
  assert.equal(parseJsonOrUndefined('null'), null);
  for (const text of ['', '{"a":', 'undefined', "{'a':1}"]) assert.equal(parseJsonOrUndefined(text), undefined, text);
});
