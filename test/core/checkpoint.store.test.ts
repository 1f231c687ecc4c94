/**
 * The checkpoint store's parts that other suites leave out: compaction (offline, live at
 * compactAfterBytes, and a crash in the middle of it), journal and checkpoint format versions,
 * fork, restore planning, and how write_file / edit_file tell after a crash whether they took
 * effect (done / rerun / unknown).
 */
import assert from 'node:assert/strict';
import fs, { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import fsp, { mkdtemp } from 'node:fs/promises';
import { syncBuiltinESMExports } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { createDeepAgent } from '../../src/core/agent/createDeepAgent';
import type { InterruptedToolCall } from '../../src/core/persistence';
import { FilesystemBackend } from '../../src/core/backends/filesystem';
import { StateBackend } from '../../src/core/backends/state';
import { parseCheckpoint } from '../../src/core/checkpoint/checkpoint';
import { compactEvents } from '../../src/core/checkpoint/compaction';
import { releaseLock } from '../../src/core/checkpoint/fileLock';
import { FileCheckpointStore } from '../../src/core/checkpoint/fileStore';
import { CheckpointManager } from '../../src/core/checkpoint/manager';
import { foldJournal } from '../../src/core/runState';
import { runWithCheckpointing } from '../../src/core/launch/runWithCheckpointing';
import { CheckpointError } from '../../src/core/checkpoint/store';
import { sequentialIds } from '../../src/core/clock';
import type { RunEvent, RunEventOf } from '../../src/core/events';
import { editFileTool, writeFileTool } from '../../src/core/tools/files';
import type { RecoveryContext } from '../../src/core/tools/types';
import { appendLogTool, taskPrompt, taskScript } from '../support/checkpointTask';
import { modelFor, scriptedServer } from '../support/harness';
import type { ChatCompletionBody, ScriptedReply } from '../support/scriptedServer';

// ---------------------------------------------------------------------------------------------
// Helpers

/** A temp directory, removed after the test. */
async function tempDir(t: TestContext, prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A clock that moves 5 ms per reading, so journals do not depend on the machine's speed. */
const steadyClock = () => {
  let now = 1_750_000_000_000;
  return { now: () => (now += 5) };
};

async function setup(t: TestContext, script: Parameters<typeof scriptedServer>[1] = taskScript(), options: { compactAfterBytes?: number } = {}) {
  const server = await scriptedServer(t, script);
  const root = await tempDir(t, 'ckpt-store-');
  const workspace = join(root, 'ws');
  mkdirSync(workspace);
  const store = new FileCheckpointStore(join(root, 'runs'), options);
  const manager = new CheckpointManager(store, { frequency: 'tool_call' });
  const agent = createDeepAgent({ model: modelFor(server), tools: [appendLogTool(workspace)] });
  const backend = new FilesystemBackend({ root: workspace });
  const events: RunEvent[] = [];
  const deps = (prefix = 'run') => ({ backend, ids: sequentialIds(prefix), clock: steadyClock(), onEvent: (e: RunEvent) => void events.push(e) });
  return { server, root, workspace, store, manager, agent, backend, events, deps };
}

/** A fold, comparable with deepEqual/equal: Maps become entry lists. */
const foldText = (events: readonly RunEvent[], end?: number) =>
  JSON.stringify(foldJournal(events, end), (_key, value: unknown) => (value instanceof Map ? [...value.entries()] : value));

/** The streamed text per run and step, as a transcript shows it. */
function streamedText(events: readonly RunEvent[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of events) if (e.type === 'llm_chunk') out[`${e.runId}#${e.data.step}`] = (out[`${e.runId}#${e.data.step}`] ?? '') + e.data.text;
  return out;
}

const usage = { inputTokens: 100, outputTokens: 20, totalTokens: 120 };

/** Writes the files of the workspace exactly (others removed). */
function putWorkspace(dir: string, files: Record<string, string>) {
  for (const name of readdirSync(dir)) fs.rmSync(join(dir, name), { recursive: true, force: true });
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
}

function workspaceFiles(dir: string): Record<string, string> {
  return Object.fromEntries(readdirSync(dir).sort().map((name) => [name, readFileSync(join(dir, name), 'utf8')]));
}

/** Replaces a function of a node built-in module for the length of `body`, as seen by the core's imports too. */
async function patched<T extends object, K extends keyof T>(module: T, key: K, replacement: T[K], body: () => Promise<void>): Promise<void> {
  const original = module[key];
  module[key] = replacement;
  syncBuiltinESMExports();
  try {
    await body();
  } finally {
    module[key] = original;
    syncBuiltinESMExports();
  }
}

// ---------------------------------------------------------------------------------------------
// Compaction

/** A long streamed run: 12 steps of ~600 characters in 2-character chunks, each with a write_file and reported progress. */
function streamedScript(steps = 12) {
  return (body: ChatCompletionBody): ScriptedReply => {
    const turn = body.messages.filter((m) => m.role === 'assistant').length;
    const text = `Step ${turn + 1}. ${'The notes grow by one more paragraph of findings; '.repeat(12)}`;
    const chunks = text.match(/.{1,2}/gs)!;
    if (turn >= steps) return { text: chunks, usage: { prompt: 100, completion: 300 } };
    return { text: chunks, toolCalls: [{ id: `w${turn + 1}`, name: 'write_file', arguments: { path: `notes/${turn + 1}.md`, content: `note ${turn + 1}\n` } }], usage: { prompt: 100, completion: 300 } };
  };
}

test('compaction: a long streamed run\'s journal shrinks, and reads the same (fold, streamed text, checkpoints); compacting again changes nothing', async (t) => {
  const s = await setup(t, streamedScript());
  const result = await runWithCheckpointing(s.agent, 'Write twelve notes.', s.deps(), s.manager);
  assert.equal(result.status, 'completed', result.error?.message);
  const runId = result.runId;
  // The journal as a writer that merges nothing would leave it: every event as it was emitted.
  const rawText = `${JSON.stringify({ deepAgentJournal: 2, runId })}\n${s.events.map((e) => `${JSON.stringify(e)}\n`).join('')}`;
  const closedText = readFileSync(s.store.journalPath(runId), 'utf8');

  // The journal as the live writer left it, in a store of its own, compacted offline.
  const other = new FileCheckpointStore(join(s.root, 'uncompacted'));
  mkdirSync(other.dir);
  writeFileSync(other.journalPath(runId), rawText);
  const original = (await other.readJournal(runId)).events;
  const stats = await other.compact(runId);
  const compacted = (await other.readJournal(runId)).events;
  t.diagnostic(`compacted: ${JSON.stringify(stats)}`);
  assert.equal(stats.eventsBefore, original.length);
  assert.equal(stats.eventsAfter, compacted.length);
  assert.ok(original.filter((e) => e.type === 'llm_chunk').length > 12 * 300, 'the run streamed its text in many chunks');
  assert.ok(stats.eventsAfter * 5 < stats.eventsBefore, `events ${stats.eventsBefore} → ${stats.eventsAfter}`);
  assert.ok(stats.bytesAfter * 3 < stats.bytesBefore, `bytes ${stats.bytesBefore} → ${stats.bytesAfter}`);
  assert.equal(stats.bytesBefore, Buffer.byteLength(rawText));

  // It reads the same: the fold, the streamed text per step, every event but chunks and superseded progress.
  assert.equal(foldText(compacted), foldText(original));
  assert.deepEqual(streamedText(compacted), streamedText(original));
  const kept = (events: RunEvent[]) => events.filter((e) => e.type !== 'llm_chunk' && e.type !== 'progress').map((e) => JSON.stringify(e));
  assert.deepEqual(kept(compacted), kept(original));
  assert.deepEqual(compacted.filter((e) => e.type === 'llm_chunk').map((e) => e.data.step), Array.from({ length: 13 }, (_, i) => i + 1), 'one chunk per model call');
  // Checkpoints list and load the same from either journal.
  const rawManager = new CheckpointManager(new FileCheckpointStore(join(s.root, 'uncompacted-copy')));
  mkdirSync(join(s.root, 'uncompacted-copy'));
  writeFileSync(join(s.root, 'uncompacted-copy', `${runId}.jsonl`), rawText);
  const compactedManager = new CheckpointManager(other);
  const before = await rawManager.listCheckpoints({ runId });
  assert.equal(before.length, 12);
  assert.deepEqual(await compactedManager.listCheckpoints({ runId }), before);
  for (const c of before) assert.deepEqual(await compactedManager.load(c.checkpointId), await rawManager.load(c.checkpointId));

  // The live writer merged chunks as it wrote: its journal reads the same, and compacts no further.
  const closed = (await s.store.readJournal(runId)).events;
  assert.ok(Buffer.byteLength(closedText) * 3 < stats.bytesBefore, `the live journal is small already (${Buffer.byteLength(closedText)} bytes)`);
  assert.equal(foldText(closed), foldText(original));
  assert.deepEqual(streamedText(closed), streamedText(original));
  assert.deepEqual(kept(closed), kept(original));
  const again = await other.compact(runId);
  assert.deepEqual(again, { eventsBefore: compacted.length, eventsAfter: compacted.length, bytesBefore: stats.bytesAfter, bytesAfter: stats.bytesAfter });
});

/** The events of a synthetic streamed run, step by step (what a run's emitter would produce). */
function* syntheticRun(runId: string, steps: number, chunksPerStep: number): Generator<RunEvent[]> {
  let seq = 0;
  let ts = 1_750_000_000_000;
  const ev = <T extends RunEvent['type']>(type: T, data: RunEventOf<T>['data']) => ({ runId, seq: seq++, ts: (ts += 3), type, data }) as RunEvent;
  yield [ev('run_start', { agentName: 'deep-agent', prompt: 'stream a lot', model: 'm', maxIterations: steps + 1, depth: 0 })];
  for (let step = 1; step <= steps; step++) {
    const batch: RunEvent[] = [ev('step_start', { step }), ev('llm_start', { step, model: 'm', attempt: 1, messageCount: step * 2, toolCount: 1 })];
    for (let c = 0; c < chunksPerStep; c++) batch.push(ev('llm_chunk', { step, text: `tok${c % 10}-${step} ` }));
    const call = { id: `c${step}`, name: 'write_file', arguments: '{"path":"a","content":"b"}' };
    batch.push(ev('llm_end', { step, model: 'm', text: 'x', toolCalls: [call], finishReason: 'tool_calls', usage, costUsd: 0.001, durationMs: 1 }));
    batch.push(ev('tool_start', { step, toolCallId: call.id, name: call.name, args: { path: 'a', content: 'b' } }));
    batch.push(ev('tool_end', { step, toolCallId: call.id, name: call.name, ok: true, result: 'Wrote 1 line to a', durationMs: 1 }));
    batch.push(ev('checkpoint', { checkpointId: `${runId}@${seq}`, reason: 'tool_call', step, iteration: step, totalTokens: step * 120, costUsd: step * 0.001 }));
    for (let p = 0; p < 3; p++) batch.push(ev('progress', { step, iteration: step, maxIterations: steps + 1, usage, costUsd: 0, message: `working ${p}` }));
    batch.push(ev('step_end', { step, usage, costUsd: 0.001, toolCalls: 1 }));
    yield batch;
  }
}

test('live compaction: at compactAfterBytes the writer compacts while appends go on, so the journal stays bounded and loses nothing', async (t) => {
  const dir = await tempDir(t, 'ckpt-live-');
  const compactAfterBytes = 32 * 1024;
  const store = new FileCheckpointStore(dir, { compactAfterBytes });
  const journal = await store.openJournal('live');
  const path = store.journalPath('live');
  const appended: RunEvent[] = [];
  let rawBytes = 0;
  let shrinks = 0;
  let last = 0;
  let worstExcess = -Infinity;
  for (const batch of syntheticRun('live', 150, 120)) {
    for (const [i, event] of batch.entries()) {
      journal.append(event);
      appended.push(event);
      rawBytes += Buffer.byteLength(JSON.stringify(event)) + 1;
      // Streamed chunks are written in batches when the event loop turns, as during a model call.
      if (i % 20 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    await journal.flush();
    const size = fs.statSync(path).size;
    if (size < last) shrinks++;
    last = size;
    // Bounded: what compaction of everything so far would leave, plus at most one threshold's worth.
    const compactedSoFar = compactEvents(appended).reduce((n, e) => n + Buffer.byteLength(JSON.stringify(e)) + 1, 0);
    worstExcess = Math.max(worstExcess, size - compactedSoFar);
  }
  t.diagnostic(`appended ${rawBytes} bytes; the journal shrank ${shrinks} times; at most ${worstExcess} bytes above its compacted size (threshold ${compactAfterBytes})`);
  assert.ok(rawBytes > 40 * compactAfterBytes, `appended ${rawBytes} bytes`);
  assert.ok(shrinks >= 5, `the journal was compacted while written (${shrinks} times it shrank)`);
  assert.ok(worstExcess <= compactAfterBytes + 16 * 1024, `at most one threshold above its compacted size (worst: ${worstExcess} bytes above)`);
  await journal.close();

  // Nothing was lost: every event but chunks and superseded progress, the streamed text, the fold.
  const read = await store.readJournal('live');
  assert.equal(read.skippedLines, 0);
  const kept = (events: RunEvent[]) => events.filter((e) => e.type !== 'llm_chunk' && e.type !== 'progress').map((e) => `${e.seq}:${e.type}`);
  assert.deepEqual(kept(read.events), kept(appended));
  assert.deepEqual(streamedText(read.events), streamedText(appended));
  assert.deepEqual(read.events.filter((e) => e.type === 'progress').map((e) => e.seq), compactEvents(appended).filter((e) => e.type === 'progress').map((e) => e.seq));
  assert.equal(foldText(read.events), foldText(appended));
  assert.ok(fs.statSync(path).size < rawBytes / 3);
});

test('a crash between writing the compacted temp file and the rename leaves the old journal readable, and a later compaction succeeds', async (t) => {
  const dir = await tempDir(t, 'ckpt-crash-compact-');
  const store = new FileCheckpointStore(dir, { compactAfterBytes: 16 * 1024 });
  const path = store.journalPath('victim');
  const temp = `${path}.compact`;
  const journal = await store.openJournal('victim');
  const appended: RunEvent[] = [];
  // The rename fails (as on a full disk): compaction is only an optimization, so the journal stays as it was and appends go on.
  const crash = Object.assign(new Error('simulated failure at rename'), { code: 'ESIMULATED' });
  const realRename = fs.renameSync;
  await patched(fs, 'renameSync', ((from: fs.PathLike, to: fs.PathLike) => {
    if (String(from) === temp) throw crash;
    return realRename(from, to);
  }) as typeof fs.renameSync, async () => {
    for (const batch of syntheticRun('victim', 100, 0)) for (const event of batch) {
      appended.push(event);
      journal.append(event);
    }
    await journal.flush();
  });
  assert.ok(!existsSync(temp), 'the failed temp file was removed');
  // A process that died at the rename leaves the temp file and its lock behind.
  fs.writeFileSync(temp, 'half a compaction');
  releaseLock(path.replace(/\.jsonl$/, '.lock'));
  const afterRestart = new FileCheckpointStore(dir, { compactAfterBytes: 16 * 1024 });
  const read = await afterRestart.readJournal('victim');
  assert.equal(read.skippedLines, 0);
  // Every event up to the failure, but the progress events that later ones superseded as they were written.
  assert.deepEqual(read.events.map((e) => e.seq), compactEvents(appended).map((e) => e.seq));
  assert.deepEqual((await afterRestart.listRuns()).map((r) => [r.runId, r.status]), [['victim', 'interrupted']]);
  const point = await new CheckpointManager(afterRestart).resumePoint('victim');
  assert.equal(point.state.step, foldJournal(appended).root!.step);

  // Going on: the writer that takes the run over removes the stale temp file.
  const resumed = await afterRestart.openJournal('victim');
  let seq = appended.at(-1)!.seq;
  for (let i = 0; i < 200; i++) resumed.append({ runId: 'victim', seq: ++seq, ts: 2e12, type: 'progress', data: { step: 99, iteration: 99, maxIterations: 101, usage, costUsd: 0, message: 'x'.repeat(100) } });
  await resumed.close();
  assert.ok(!existsSync(temp), 'the stale temp file was removed');
  const final = await afterRestart.readJournal('victim');
  assert.equal(final.skippedLines, 0);
  assert.equal(final.events.at(-1)!.seq, seq);
  assert.equal(foldText(final.events.filter((e) => e.seq <= appended.at(-1)!.seq)), foldText(compactEvents(appended)));

  // The same for an offline compaction (store.compact): a failed rename leaves the journal as it was.
  t.diagnostic('offline compaction');
  const offline = new FileCheckpointStore(join(dir, 'offline'));
  mkdirSync(offline.dir);
  const text = `${JSON.stringify({ deepAgentJournal: 2, runId: 'r' })}\n${[...syntheticRun('r', 5, 50)].flat().map((e) => JSON.stringify(e)).join('\n')}\n`;
  writeFileSync(offline.journalPath('r'), text);
  await patched(fsp, 'rename', (async () => {
    throw crash;
  }) as typeof fsp.rename, async () => {
    await assert.rejects(offline.compact('r'), crash);
  });
  assert.equal(readFileSync(offline.journalPath('r'), 'utf8'), text);
  assert.deepEqual(readdirSync(offline.dir), ['r.jsonl']);
  const stats = await offline.compact('r');
  assert.ok(stats.eventsAfter < stats.eventsBefore);
  assert.equal(foldText((await offline.readJournal('r')).events), foldText([...syntheticRun('r', 5, 50)].flat()));
});

test('a process killed while creating a journal leaves no journal, never an empty one; the run can start again', async (t) => {
  const dir = await tempDir(t, 'ckpt-crash-create-');
  const store = new FileCheckpointStore(dir);
  const path = store.journalPath('newborn');
  const crash = Object.assign(new Error('simulated kill before the rename'), { code: 'ESIMULATED' });
  const realRename = fs.renameSync;
  await patched(fs, 'renameSync', ((from: fs.PathLike, to: fs.PathLike) => {
    if (String(from) === `${path}.new`) throw crash;
    return realRename(from, to);
  }) as typeof fs.renameSync, async () => {
    await assert.rejects(store.openJournal('newborn'), crash);
  });
  releaseLock(path.replace(/\.jsonl$/, '.lock'));
  // What the killed process left is no journal: nothing lists as foreign or damaged.
  assert.ok(!existsSync(path));
  assert.deepEqual(await store.listRuns(), []);
  const journal = await new FileCheckpointStore(dir).openJournal('newborn');
  for (const event of [...syntheticRun('newborn', 1, 0)].flat()) journal.append(event);
  await journal.close();
  assert.equal((await store.readJournal('newborn')).skippedLines, 0);
  assert.ok(!existsSync(`${path}.new`), 'the leftover temp file was replaced');
});

test('a journal whose last line a crash tore goes on from a new line when reopened: the torn line is skipped, nothing appended after it is lost', async (t) => {
  const dir = await tempDir(t, 'ckpt-torn-');
  const store = new FileCheckpointStore(dir);
  const events = [...syntheticRun('torn', 2, 1)].flat();
  const first = await store.openJournal('torn');
  for (const event of events) first.append(event);
  await first.close();
  const path = store.journalPath('torn');
  const text = readFileSync(path, 'utf8');
  writeFileSync(path, text.slice(0, text.length - 20));
  const last = events.at(-1)!;
  const next = { ...last, seq: last.seq + 1, type: 'progress', data: { step: 2, iteration: 2, maxIterations: 3, usage, costUsd: 0 } } as RunEvent;
  const reopened = await store.openJournal('torn');
  reopened.append(next);
  await reopened.close();
  const read = await store.readJournal('torn');
  assert.equal(read.skippedLines, 1, 'only the torn line is lost');
  assert.deepEqual(read.events.at(-1), next, 'the event appended after reopening is read back whole');
});

// ---------------------------------------------------------------------------------------------
// Journal versions

test('a version-1 journal (no header line) reads, lists and resumes; the resumed run migrates it to version 2', async (t) => {
  const s = await setup(t);
  const full = await runWithCheckpointing(s.agent, taskPrompt, s.deps(), s.manager);
  assert.equal(full.status, 'completed', full.error?.message);
  const path = s.store.journalPath(full.runId);
  const lines = readFileSync(path, 'utf8').split('\n').filter(Boolean);
  assert.deepEqual(JSON.parse(lines[0]!), { deepAgentJournal: 2, runId: full.runId });
  const withHeader = await s.store.readJournal(full.runId);
  // Version 1: no header; cut after step 2's first write-ahead intent, as a crash would leave it.
  const cut = lines.findIndex((l) => l.includes('"type":"file_change"') && l.includes('"step":2,'));
  writeFileSync(path, `${lines.slice(1, cut + 1).join('\n')}\n`);
  const v1 = await s.store.readJournal(full.runId);
  assert.deepEqual(v1.events, withHeader.events.slice(0, cut));
  assert.equal(v1.skippedLines, 0);
  assert.deepEqual((await s.store.listRuns()).map((r) => [r.runId, r.status, r.prompt]), [[full.runId, 'interrupted', taskPrompt]]);
  assert.equal((await s.manager.resumePoint(full.runId)).state.pending?.step, 2);
  putWorkspace(s.workspace, { 'notes.txt': 'first\nEND\n' });

  const resumed = await runWithCheckpointing(s.agent, '', s.deps('again'), s.manager, { resumeFrom: full.runId });
  assert.equal(resumed.status, 'completed', resumed.error?.message);
  assert.deepEqual(resumed.messages, full.messages);
  const migrated = readFileSync(path, 'utf8').split('\n');
  assert.deepEqual(JSON.parse(migrated[0]!), { deepAgentJournal: 2, runId: full.runId }, 'writing to it again migrated it: the header came first');
  const after = await s.store.readJournal(full.runId);
  assert.deepEqual(after.events.slice(0, cut), v1.events);
  assert.equal(after.events.at(-1)!.type, 'run_end');
});

test('a newer journal version is a one-line CheckpointError naming the version and the file; the other runs still list', async (t) => {
  const s = await setup(t);
  const a = await runWithCheckpointing(s.agent, taskPrompt, s.deps('a'), s.manager);
  putWorkspace(s.workspace, {});
  const b = await runWithCheckpointing(s.agent, taskPrompt, s.deps('b'), s.manager);
  const path = s.store.journalPath(b.runId);
  const body = readFileSync(path, 'utf8').split('\n').slice(1).join('\n');
  const expectError = async (header: unknown, message: RegExp) => {
    writeFileSync(path, `${JSON.stringify(header)}\n${body}`);
    for (const attempt of [() => s.store.readJournal(b.runId), () => s.manager.resumePoint(b.runId), () => s.manager.listCheckpoints({ runId: b.runId })]) {
      await assert.rejects(attempt(), (error: unknown) => {
        assert.ok(error instanceof CheckpointError, String(error));
        assert.match(error.message, message);
        assert.ok(error.message.includes(path), error.message);
        assert.doesNotMatch(error.message, /\n/);
        return true;
      });
    }
    assert.deepEqual((await s.store.listRuns()).map((r) => r.runId), [a.runId]);
  };
  await expectError({ deepAgentJournal: 3, runId: b.runId }, /journal version 3; this one reads up to 2/);
  await expectError({ deepAgentJournal: 99 }, /newer Deep Agent \(journal version 99/);
  await expectError({ deepAgentJournal: 0, runId: b.runId }, /journal version 0 is not valid/);
  await expectError({ deepAgentJournal: 'two', runId: b.runId }, /journal version "two" is not valid/);
  // Not a journal at all: no header and no run_start.
  writeFileSync(path, '{"hello":"world"}\n[1,2]\n');
  await assert.rejects(s.store.readJournal(b.runId), new CheckpointError(`${path}: not a Deep Agent run journal (no journal header and no run_start event)`));
  assert.deepEqual((await s.store.listRuns()).map((r) => r.runId), [a.runId]);
});

// ---------------------------------------------------------------------------------------------
// Checkpoint schema versions

test('a version-1 checkpoint migrates to version 2; a newer version, no version or a bad field is a clear error naming the source', async (t) => {
  const s = await setup(t);
  const full = await runWithCheckpointing(s.agent, taskPrompt, s.deps(), s.manager);
  const [, second] = await s.manager.listCheckpoints({ runId: full.runId });
  const current = JSON.parse(JSON.stringify(await s.manager.load(second!.checkpointId))) as Record<string, unknown>;
  assert.equal(current.version, 2);
  assert.deepEqual(parseCheckpoint(current, 'export.json'), current, 'version 2 round-trips through JSON');

  const { seq: _seq, step: _step, usage: _usage, pendingToolCalls: _pending, ...common } = current;
  const v1 = { ...common, version: 1, iterationCount: 1, totalTokens: 240 };
  const migrated = parseCheckpoint(v1, 'old.json');
  assert.deepEqual(migrated, { ...common, version: 2, iterationCount: 1, totalTokens: 240, seq: 0, step: 1, usage: { inputTokens: 0, outputTokens: 0, totalTokens: 240 }, pendingToolCalls: [] });

  const fails = (value: unknown, message: string) => assert.throws(() => parseCheckpoint(value, 'imported.json'), new CheckpointError(message));
  fails({ ...current, version: 3 }, 'imported.json: checkpoint version 3 is newer than this Deep Agent reads (2)');
  fails({ ...v1, version: 0 }, 'imported.json: unknown checkpoint version 0');
  fails({ ...current, version: '2' }, 'imported.json: not a Deep Agent checkpoint (no version)');
  fails(null, 'imported.json: not a Deep Agent checkpoint (no version)');
  fails([current], 'imported.json: not a Deep Agent checkpoint (no version)');
  assert.throws(() => parseCheckpoint({ ...current, messages: [{ role: 'robot' }] }, 'imported.json'), /^CheckpointError: imported\.json: invalid checkpoint: messages\.0\.role: /);
  assert.throws(() => parseCheckpoint({ ...v1, todos: [{ content: 'x', status: 'done' }] }, 'imported.json'), /imported\.json: invalid checkpoint: todos\.0\.status/);
  assert.throws(() => parseCheckpoint({ ...current, pendingToolCalls: undefined }, 'imported.json'), /imported\.json: invalid checkpoint: pendingToolCalls/);
});

// ---------------------------------------------------------------------------------------------
// Fork

test('fork: the original journal stays byte-identical; the fork starts with forkedFrom under its own ids; resuming from the checkpoint continues the run', async (t) => {
  const s = await setup(t);
  const full = await runWithCheckpointing(s.agent, taskPrompt, s.deps(), s.manager);
  assert.equal(full.status, 'completed', full.error?.message);
  const finalFiles = workspaceFiles(s.workspace);
  const originalPath = s.store.journalPath(full.runId);
  const originalBytes = readFileSync(originalPath);
  const original = (await s.store.readJournal(full.runId)).events;
  const subagentId = original.find((e) => e.type === 'run_start' && e.parentRunId)!.runId;
  const checkpoints = await s.manager.listCheckpoints({ runId: full.runId });
  // The checkpoint after the subagent's task call (c6), so the fork holds a subagent too.
  const at = checkpoints.findIndex((c) => original.some((e) => e.type === 'tool_end' && e.data.toolCallId === 'c6' && e.seq === c.seq - 1));
  assert.ok(at > 0);
  const checkpointId = checkpoints[at]!.checkpointId;

  const forkId = await s.manager.fork(checkpointId, { ids: sequentialIds('fork') });
  assert.deepEqual(readFileSync(originalPath), originalBytes, 'the original journal is byte-identical');
  const forked = (await s.store.readJournal(forkId)).events;
  const end = original.findIndex((e) => e.type === 'checkpoint' && e.data.checkpointId === checkpointId) + 1;
  assert.equal(forked.length, end);
  const start = forked[0]!;
  assert.equal(start.type, 'run_start');
  assert.equal(start.runId, forkId);
  assert.deepEqual(start.type === 'run_start' && start.data.forkedFrom, { runId: full.runId, checkpointId });
  assert.ok(forked.every((e) => e.runId !== full.runId && e.runId !== subagentId && e.parentRunId !== full.runId), 'every run of the fork has an id of its own');
  const forkSub = forked.find((e) => e.type === 'run_start' && e.parentRunId)!;
  assert.equal(forkSub.parentRunId, forkId);
  assert.deepEqual(forked.map((e) => e.seq), original.slice(0, end).map((e) => e.seq));
  assert.deepEqual((await s.manager.listCheckpoints({ runId: forkId })).map((c) => c.checkpointId), checkpoints.slice(0, at + 1).map((c) => `${forkId}@${c.seq}`));
  const runs = await s.store.listRuns();
  assert.deepEqual(runs.find((r) => r.runId === full.runId)!.status, 'completed');
  assert.deepEqual(runs.find((r) => r.runId === forkId)!.forkedFrom, { runId: full.runId, checkpointId });
  assert.equal(runs.find((r) => r.runId === forkId)!.status, 'interrupted');

  // Resuming from the checkpoint (which the run went past) forks again and goes on from there.
  await s.manager.restoreFiles(checkpointId, s.backend, { force: true });
  const requests = s.server.requests.length;
  const resumed = await runWithCheckpointing(s.agent, '', s.deps('resumed'), s.manager, { resumeFrom: checkpointId });
  assert.equal(resumed.status, 'completed', resumed.error?.message);
  assert.notEqual(resumed.runId, full.runId);
  assert.notEqual(resumed.runId, forkId);
  assert.deepEqual(resumed.messages, full.messages);
  assert.equal(s.server.requests.length - requests, 2, 'only the model calls after the checkpoint are made again');
  const { ['effects.log']: _log, ...files } = workspaceFiles(s.workspace);
  const { ['effects.log']: _finalLog, ...expected } = finalFiles;
  assert.deepEqual(files, expected);
  assert.deepEqual(readFileSync(originalPath), originalBytes);
  const resumedStart = (await s.store.readJournal(resumed.runId)).events[0]!;
  assert.deepEqual(resumedStart.type === 'run_start' && resumedStart.data.forkedFrom, { runId: full.runId, checkpointId });
  // The fork made by hand can be resumed too.
  await s.manager.restoreFiles(checkpointId, s.backend, { force: true });
  const fromFork = await runWithCheckpointing(s.agent, '', s.deps('fromfork'), s.manager, { resumeFrom: forkId });
  assert.equal(fromFork.status, 'completed', fromFork.error?.message);
  assert.equal(fromFork.runId, forkId);
  assert.deepEqual(fromFork.messages, full.messages);
});

// ---------------------------------------------------------------------------------------------
// Restore planning

test('restore planning: a new file is deleted, an edited one gets its content back, a file changed by something else is a conflict unless forced', async (t) => {
  const s = await setup(t);
  const full = await runWithCheckpointing(s.agent, taskPrompt, s.deps(), s.manager);
  assert.equal(full.status, 'completed', full.error?.message);
  const [afterTodos, afterCreate] = await s.manager.listCheckpoints({ runId: full.runId });
  const finalNotes = 'first\nsecond\nthird\nEND\n';
  assert.equal(readFileSync(join(s.workspace, 'notes.txt'), 'utf8'), finalNotes);

  // Before notes.txt existed: both files the run made are deleted (sub.txt by its subagent).
  assert.deepEqual(await s.manager.planRestore(afterTodos!.checkpointId, s.backend), [
    { path: 'notes.txt', current: finalNotes, target: null, conflict: false },
    { path: 'sub.txt', current: 'from the subagent\n', target: null, conflict: false },
  ]);
  // After notes.txt was created: it goes back to what it held then.
  assert.deepEqual(await s.manager.planRestore(afterCreate!.checkpointId, s.backend), [
    { path: 'notes.txt', current: finalNotes, target: 'first\nEND\n', conflict: false },
    { path: 'sub.txt', current: 'from the subagent\n', target: null, conflict: false },
  ]);

  // Someone else changed notes.txt since the run: a conflict, left alone unless forced.
  writeFileSync(join(s.workspace, 'notes.txt'), 'edited by hand\n');
  const plan = await s.manager.planRestore(afterCreate!.checkpointId, s.backend);
  assert.deepEqual(plan[0], { path: 'notes.txt', current: 'edited by hand\n', target: 'first\nEND\n', conflict: true });
  assert.deepEqual(await s.manager.restoreFiles(afterCreate!.checkpointId, s.backend), { restored: ['sub.txt'], skipped: ['notes.txt'] });
  assert.equal(readFileSync(join(s.workspace, 'notes.txt'), 'utf8'), 'edited by hand\n');
  assert.ok(!existsSync(join(s.workspace, 'sub.txt')));
  // A file deleted by someone else is a conflict too.
  writeFileSync(join(s.workspace, 'sub.txt'), 'from the subagent\n');
  fs.rmSync(join(s.workspace, 'notes.txt'));
  assert.deepEqual(await s.manager.planRestore(afterCreate!.checkpointId, s.backend), [
    { path: 'notes.txt', current: null, target: 'first\nEND\n', conflict: true },
    { path: 'sub.txt', current: 'from the subagent\n', target: null, conflict: false },
  ]);
  writeFileSync(join(s.workspace, 'notes.txt'), 'edited by hand\n');

  assert.deepEqual(await s.manager.restoreFiles(afterCreate!.checkpointId, s.backend, { force: true }), { restored: ['notes.txt', 'sub.txt'], skipped: [] });
  assert.equal(readFileSync(join(s.workspace, 'notes.txt'), 'utf8'), 'first\nEND\n');
  assert.ok(!existsSync(join(s.workspace, 'sub.txt')));
  // Files already as they were at the checkpoint are left out.
  assert.deepEqual(await s.manager.planRestore(afterCreate!.checkpointId, s.backend), []);
  // Restoring never touches the journal.
  assert.equal((await s.store.readJournal(full.runId)).events.at(-1)!.type, 'run_end');
});

// ---------------------------------------------------------------------------------------------
// Tool recovery after a crash

test('write_file and edit_file recovery: done when the file holds the content after, rerun when it holds the content before or nothing was announced, unknown otherwise', async () => {
  const ctx = (backend: StateBackend, fileChanges: RecoveryContext['fileChanges']): RecoveryContext => ({ backend, toolCallId: 'call-1', fileChanges, signal: new AbortController().signal });
  const services = undefined as never;
  const expectedResult = async (tool: typeof writeFileTool | typeof editFileTool, args: never, files: Record<string, string>) =>
    tool.execute(args, { backend: new StateBackend(files), signal: new AbortController().signal, runId: 'r', toolCallId: 'x', reportProgress: () => {}, services });

  // write_file of a new file
  const write = { path: 'a.txt', content: 'new\nlines\n' };
  const created = [{ path: 'a.txt', before: null, after: write.content }];
  assert.deepEqual(await writeFileTool.recover!(write, ctx(new StateBackend(), [])), { outcome: 'rerun' }, 'no write announced: it never got that far');
  assert.deepEqual(await writeFileTool.recover!(write, ctx(new StateBackend(), created)), { outcome: 'rerun' }, 'announced, the file not there');
  assert.deepEqual(await writeFileTool.recover!(write, ctx(new StateBackend({ 'a.txt': write.content }), created)), { outcome: 'done', result: await expectedResult(writeFileTool, write as never, {}) });
  const other = await writeFileTool.recover!(write, ctx(new StateBackend({ 'a.txt': 'someone else\n' }), created));
  assert.equal(other.outcome, 'unknown');
  assert.match((other as { detail: string }).detail, /a\.txt holds neither the content before nor the content after/);
  // write_file over an existing file
  const replaced = [{ path: 'a.txt', before: 'old\n', after: write.content }];
  assert.deepEqual(await writeFileTool.recover!(write, ctx(new StateBackend({ 'a.txt': 'old\n' }), replaced)), { outcome: 'rerun' });
  assert.equal((await writeFileTool.recover!(write, ctx(new StateBackend({ 'a.txt': write.content }), replaced))).outcome, 'done');
  assert.equal((await writeFileTool.recover!(write, ctx(new StateBackend(), replaced))).outcome, 'unknown', 'deleted by something else');

  // edit_file
  const edit = { path: 'n.txt', old_string: 'END', new_string: 'second\nEND' };
  const edited = [{ path: 'n.txt', before: 'first\nEND\n', after: 'first\nsecond\nEND\n' }];
  assert.deepEqual(await editFileTool.recover!(edit, ctx(new StateBackend({ 'n.txt': 'first\nEND\n' }), [])), { outcome: 'rerun' });
  assert.deepEqual(await editFileTool.recover!(edit, ctx(new StateBackend({ 'n.txt': 'first\nEND\n' }), edited)), { outcome: 'rerun' });
  assert.deepEqual(await editFileTool.recover!(edit, ctx(new StateBackend({ 'n.txt': 'first\nsecond\nEND\n' }), edited)), {
    outcome: 'done',
    result: await expectedResult(editFileTool, edit as never, { 'n.txt': 'first\nEND\n' }),
  });
  const clash = await editFileTool.recover!(edit, ctx(new StateBackend({ 'n.txt': 'first\nEND\nmore\n' }), edited));
  assert.equal(clash.outcome, 'unknown');
  assert.match((clash as { detail: string }).detail, /n\.txt/);
});

test('tool recovery through a resume: the run_resumed event says done / rerun / unknown, the file is written once, and an unknown outcome can be rerun on request', async (t) => {
  const s = await setup(t);
  const full = await runWithCheckpointing(s.agent, taskPrompt, s.deps(), s.manager);
  assert.equal(full.status, 'completed', full.error?.message);
  const finalFiles = workspaceFiles(s.workspace);
  const path = s.store.journalPath(full.runId);
  const text = readFileSync(path, 'utf8');
  const lines = text.split('\n').filter(Boolean);
  const intentOf = (callId: string) => lines.findIndex((l) => l.includes('"type":"file_change"') && l.includes(`"toolCallId":"${callId}"`));

  const cases: { call: string; tool: string; before: Record<string, string>; after: Record<string, string> }[] = [
    { call: 'c2', tool: 'write_file', before: {}, after: { 'notes.txt': 'first\nEND\n' } },
    { call: 'c3', tool: 'edit_file', before: { 'notes.txt': 'first\nEND\n' }, after: { 'notes.txt': 'first\nsecond\nEND\n' } },
  ];
  for (const c of cases) {
    const cut = `${lines.slice(0, intentOf(c.call) + 1).join('\n')}\n`;
    const garbage: Record<string, string> = { 'notes.txt': 'garbage\n' };
    const scenarios: { name: string; files: Record<string, string>; outcome: string; decide?: boolean }[] = [
      { name: 'the write happened', files: c.after, outcome: 'done' },
      { name: 'the write did not happen', files: c.before, outcome: 'rerun' },
      { name: 'the file was changed by something else', files: garbage, outcome: 'unknown' },
      { name: 'changed by something else, rerun on request', files: garbage, outcome: 'rerun', decide: true },
    ];
    for (const scenario of scenarios) {
      const where = `${c.tool} ${c.call}: ${scenario.name}`;
      writeFileSync(path, cut);
      putWorkspace(s.workspace, scenario.files);
      s.events.length = 0;
      const asked: InterruptedToolCall[] = [];
      const decideInterrupted = scenario.decide ? async (call: InterruptedToolCall) => (asked.push(call), 'rerun' as const) : undefined;
      const resumed = await runWithCheckpointing(s.agent, '', s.deps(`r-${c.call}-${scenario.outcome}`), s.manager, { resumeFrom: full.runId, decideInterrupted });
      assert.equal(resumed.status, 'completed', `${where}: ${resumed.error?.message}`);
      const started = s.events.find((e): e is RunEventOf<'run_resumed'> => e.type === 'run_resumed')!;
      assert.deepEqual(started.data.interruptedToolCalls, [{ toolCallId: c.call, name: c.tool, outcome: scenario.outcome }], where);
      const end = s.events.find((e): e is RunEventOf<'tool_end'> => e.type === 'tool_end' && e.data.toolCallId === c.call)!;
      const writes = s.events.filter((e) => e.type === 'file_change' && e.data.toolCallId === c.call).length;
      if (scenario.decide) {
        assert.equal(asked.length, 1, where);
        assert.equal(asked[0]!.toolName, c.tool);
        assert.equal(asked[0]!.toolCallId, c.call);
        assert.match(asked[0]!.detail, /notes\.txt holds neither/);
      }
      if (scenario.outcome === 'done') {
        assert.equal(end.data.ok, true, where);
        assert.equal(writes, 0, `${where}: not written again`);
      } else if (scenario.outcome === 'unknown') {
        assert.equal(end.data.ok, false, where);
        assert.match(end.data.result, new RegExp(`interrupted while ${c.tool} was running, and whether it took effect is unknown`), where);
        assert.equal(writes, 0, `${where}: not run again`);
      } else {
        assert.equal(writes, c.tool === 'edit_file' && scenario.decide ? 0 : 1, `${where}: run again`);
      }
      if (scenario.files !== garbage) {
        const { ['effects.log']: _a, ...files } = workspaceFiles(s.workspace);
        const { ['effects.log']: _b, ...expected } = finalFiles;
        assert.deepEqual(files, expected, `${where}: every write happened exactly once`);
        assert.deepEqual(resumed.messages, full.messages, where);
      }
    }
  }
});
