/**
 * One contract for every CheckpointStore, run against the FileCheckpointStore (a temp dir per test)
 * and the PgCheckpointStore (a throwaway PostgreSQL cluster, see test/support/postgres.ts; a fresh
 * schema per run of this file and a table prefix per test). PostgreSQL-only behaviour follows.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { appendFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import type { Client } from 'pg';
import { compactEvents } from '../../src/core/checkpoint/compaction';
import { FileCheckpointStore } from '../../src/core/checkpoint/fileStore';
import { PgCheckpointStore, type PgCheckpointStoreOptions } from '../../src/core/checkpoint/pgStore';
import { CheckpointError, type CheckpointStore, type JournalWriter } from '../../src/core/checkpoint/store';
import type { RunEvent, RunEventData, RunEventType, RunStatus } from '../../src/core/events';
import { freePort, startPostgres, type TestPostgres } from '../support/postgres';

// Checked before any test runs: importing the store must not load the driver.
const pgLoadedOnImport = Object.keys(require.cache).some((path) => /[\\/]node_modules[\\/]pg[\\/]/.test(path));

const root = resolve(__dirname, '../..');

interface Subject {
  store: CheckpointStore;
  /** Another store on the same storage, as a second process would have it. */
  another(): CheckpointStore;
  /** CommonJS (run under tsx) that builds the same store in a child process. */
  childStore: string;
  /** Called once a child writing a run was SIGKILLed: waits until the storage has noticed. */
  afterKill?(): Promise<void>;
  /** Adds an entry that is not an event to a run's journal, as damage would. */
  damage(runId: string): Promise<void>;
  /** Adds half an event, as a crash mid-write would; none for a store that only commits whole entries. */
  tear?(runId: string): Promise<void>;
}

type SubjectFactory = (t: TestContext) => Promise<Subject>;

/** Builds a run's events: seq from 0, ts from `startTs`. */
class Run {
  #seq = 0;
  constructor(
    readonly runId: string,
    readonly startTs: number,
    readonly parentRunId?: string,
  ) {}

  event<T extends RunEventType>(type: T, data: RunEventData[T]): RunEvent {
    const seq = this.#seq++;
    const event = { runId: this.runId, seq, ts: this.startTs + seq, type, data } as RunEvent;
    if (this.parentRunId) event.parentRunId = this.parentRunId;
    return event;
  }

  start(agentName = 'coder', prompt = `task of ${this.runId}`, extra: Partial<RunEventData['run_start']> = {}): RunEvent {
    return this.event('run_start', { agentName, prompt, model: 'test-model', maxIterations: 10, depth: this.parentRunId ? 1 : 0, ...extra });
  }

  chunks(step: number, texts: string[]): RunEvent[] {
    return texts.map((text) => this.event('llm_chunk', { step, text }));
  }

  end(status: RunStatus = 'completed'): RunEvent {
    return this.event('run_end', { status, output: 'done', usage: { inputTokens: 3, outputTokens: 4, totalTokens: 7 }, costUsd: 0.01, steps: 1, durationMs: 12 });
  }
}

const usage = { inputTokens: 1, outputTokens: 2, totalTokens: 3 };

/** A run with a subagent whose events interleave with its parent's, and text no store may change. */
function runWithSubagent(runId: string, startTs = 1_000): RunEvent[] {
  const main = new Run(runId, startTs);
  const sub = new Run(`${runId}.sub-1`, startTs + 500, runId);
  return [
    main.start('coder', 'fix the "bug" in \\src\\a.ts ✓', { history: [{ role: 'user', content: 'earlier question' }] }),
    main.event('step_start', { step: 0 }),
    main.event('llm_start', { step: 0, model: 'test-model', attempt: 1, messageCount: 2, toolCount: 3 }),
    ...main.chunks(0, ['Let me ', 'delegate 😀', ' that.\n']),
    main.event('llm_end', {
      step: 0,
      model: 'test-model',
      text: 'Let me delegate 😀 that.\n',
      toolCalls: [{ id: 'call-1', name: 'task', arguments: '{"description":"look"}' }],
      finishReason: 'tool_calls',
      usage,
      costUsd: 0.001,
      durationMs: 30,
    }),
    main.event('tool_start', { step: 0, toolCallId: 'call-1', name: 'task', args: { description: 'look' } }),
    sub.start('explorer', 'look', { parentToolCallId: 'call-1' }),
    sub.event('step_start', { step: 0 }),
    ...sub.chunks(0, ['nul \u0000 inside', ', tab\t, "quotes"']),
    main.event('progress', { step: 0, iteration: 1, maxIterations: 10, usage, costUsd: 0.001, message: 'waiting for explorer' }),
    ...sub.chunks(0, [' and a line\nbreak']),
    sub.event('file_change', { step: 0, toolCallId: 'call-9', path: 'notes/new.md', before: null, after: 'héllo\n' }),
    sub.end(),
    main.event('tool_end', { step: 0, toolCallId: 'call-1', name: 'task', ok: true, result: 'found it', durationMs: 40 }),
    main.event('checkpoint', { checkpointId: `${runId}:14`, reason: 'step', step: 0, iteration: 1, totalTokens: 3, costUsd: 0.001 }),
    ...main.chunks(1, ['All ', 'done.']),
    main.end(),
  ];
}

/** Streamed text per run and step: what transcripts show, and what compaction must keep. */
function streamedText(events: readonly RunEvent[]): Record<string, string> {
  const text: Record<string, string> = {};
  for (const e of events) if (e.type === 'llm_chunk') text[`${e.runId}/${e.data.step}`] = (text[`${e.runId}/${e.data.step}`] ?? '') + e.data.text;
  return text;
}

/** A read as a store may keep it: a model call's streamed chunks merged. */
const asStored = (read: { events: RunEvent[]; skippedLines: number }) => ({ ...read, events: compactEvents(read.events) });

const withoutChunks = (events: readonly RunEvent[]) => events.filter((e) => e.type !== 'llm_chunk');

async function write(store: CheckpointStore, runId: string, events: readonly RunEvent[], close = true): Promise<JournalWriter> {
  const writer = await store.openJournal(runId);
  for (const event of events) writer.append(event);
  await writer.flush();
  if (close) await writer.close();
  return writer;
}

const isCheckpointError = (pattern?: RegExp) => (error: unknown) => {
  assert.ok(error instanceof CheckpointError, `expected a CheckpointError, got ${String(error)}`);
  if (pattern) assert.match(error.message, pattern);
  assert.doesNotMatch(error.message, /\n/);
  return true;
};

/** Opens the run in a child process, appends and flushes the events there, then SIGKILLs it: a crash. */
async function crashWhileWriting(t: TestContext, subject: Subject, runId: string, events: readonly RunEvent[]): Promise<void> {
  const code = `
    const store = ${subject.childStore};
    let input = '';
    process.stdin.setEncoding('utf8').on('data', (d) => { input += d; }).on('end', async () => {
      try {
        const writer = await store.openJournal(${JSON.stringify(runId)});
        for (const event of JSON.parse(input)) writer.append(event);
        await writer.flush();
        process.stdout.write('flushed\\n');
      } catch (error) {
        process.stderr.write(String(error));
        process.exit(1);
      }
    });
    setInterval(() => {}, 60_000);`;
  const child = spawn(process.execPath, ['--import', 'tsx', '-e', code], { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] });
  t.after(() => child.kill('SIGKILL'));
  let stderr = '';
  child.stderr.on('data', (data) => (stderr += data));
  const exited = once(child, 'exit');
  child.stdin.end(JSON.stringify(events));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (data) => String(data).includes('flushed') && resolve());
    child.once('exit', (code) => reject(new Error(`the writing child exited (${code}) before it flushed: ${stderr}`)));
  });
  child.kill('SIGKILL');
  await exited;
  await subject.afterKill?.();
}

function checkpointStoreContract(name: string, create: SubjectFactory): void {
  describe(`CheckpointStore contract: ${name}`, () => {
    it('reads back what was appended, in order, subagent events interleaved; flushed events are readable elsewhere', async (t) => {
      const { store, another } = await create(t);
      const events = runWithSubagent('run-a');
      const writer = await store.openJournal('run-a');
      // Appended in bursts, flushed between some: batches must keep their order.
      for (const [i, event] of events.entries()) {
        writer.append(event);
        if (i % 7 === 0) await writer.flush();
      }
      await writer.flush();
      // flush() is the write-ahead barrier: another store (process) sees everything (a store may merge a model call's chunks as it writes).
      assert.deepEqual(asStored(await another().readJournal('run-a')), { events: compactEvents(events), skippedLines: 0 });
      await writer.close();
      // Events after close (a window closing mid-run) are dropped, not thrown at the run.
      writer.append(new Run('run-a', 99_000).event('step_start', { step: 9 }));
      await writer.flush();
      // A store may merge streamed chunks when a run closes; nothing else changes, and the text reads the same.
      const read = await store.readJournal('run-a');
      assert.deepEqual(withoutChunks(read.events), withoutChunks(events));
      assert.deepEqual(streamedText(read.events), streamedText(events));
      assert.equal(read.skippedLines, 0);
    });

    it('reopens a run to resume it and appends after what it had', async (t) => {
      const { store } = await create(t);
      const run = new Run('run-r', 5_000);
      const first = [run.start(), run.event('step_start', { step: 0 }), run.event('tool_start', { step: 0, toolCallId: 'c1', name: 'ls', args: {} })];
      await write(store, 'run-r', first);
      assert.equal((await store.listRuns())[0]?.status, 'interrupted');
      const second = [
        run.event('run_resumed', { agentName: 'coder', model: 'm', depth: 0, fromSeq: 2, step: 0, interruptedToolCalls: [{ toolCallId: 'c1', name: 'ls', outcome: 'rerun' }] }),
        run.event('tool_end', { step: 0, toolCallId: 'c1', name: 'ls', ok: true, result: 'a.ts', durationMs: 1 }),
        run.end('completed'),
      ];
      const writer = await write(store, 'run-r', second, false);
      assert.equal((await store.listRuns())[0]?.status, 'running');
      await writer.close();
      assert.deepEqual(compactEvents((await store.readJournal('run-r')).events), compactEvents([...first, ...second]));
      assert.equal((await store.listRuns())[0]?.status, 'completed');
    });

    it('refuses a second writer while a live one holds the run, from this store or another', async (t) => {
      const { store, another } = await create(t);
      const run = new Run('run-l', 1_000);
      const writer = await write(store, 'run-l', [run.start()], false);
      const other = another();
      await assert.rejects(store.openJournal('run-l'), isCheckpointError(/run-l/));
      await assert.rejects(other.openJournal('run-l'), isCheckpointError(/run-l/));
      // The refusals changed nothing: the live writer goes on, other runs open as usual.
      writer.append(run.event('step_start', { step: 0 }));
      await writer.flush();
      await (await other.openJournal('run-other')).close();
      await writer.close();
      assert.deepEqual(
        (await other.readJournal('run-l')).events.map((e) => e.type),
        ['run_start', 'step_start'],
      );
      // Released on close: now another store may take it.
      await (await other.openJournal('run-l')).close();
    });

    it('a writer whose process was killed leaves the run interrupted; it compacts and reopens', async (t) => {
      const subject = await create(t);
      const { store } = subject;
      const run = new Run('run-k', 1_000);
      const tokens = Array.from({ length: 120 }, (_, i) => `tok${i} `);
      const events = [run.start('coder', 'crash me'), run.event('step_start', { step: 0 }), run.event('llm_start', { step: 0, model: 'm', attempt: 1, messageCount: 1, toolCount: 0 }), ...run.chunks(0, tokens)];
      await crashWhileWriting(t, subject, 'run-k', events);

      const [listed] = await store.listRuns();
      assert.equal(listed?.runId, 'run-k');
      assert.equal(listed.status, 'interrupted');
      // Everything flushed before the kill is there.
      const beforeCompaction = (await store.readJournal('run-k')).events;
      assert.deepEqual(compactEvents(beforeCompaction), compactEvents(events));

      const stats = await store.compact('run-k');
      assert.equal(stats.eventsBefore, beforeCompaction.length);
      assert.equal(stats.eventsAfter, 4);
      // Smaller, unless the store merged the chunks as it wrote them already.
      assert.ok(stats.bytesAfter < stats.bytesBefore || beforeCompaction.length === 4, JSON.stringify(stats));
      const compacted = (await store.readJournal('run-k')).events;
      assert.equal(compacted.length, 4);
      assert.deepEqual(streamedText(compacted), { 'run-k/0': tokens.join('') });
      assert.deepEqual(withoutChunks(compacted), withoutChunks(events));
      assert.ok((await store.listRuns())[0]!.bytes <= listed.bytes);
      const again = await store.compact('run-k');
      assert.equal(again.eventsAfter, again.eventsBefore);

      // The dead writer does not hold the run: it resumes here.
      await write(store, 'run-k', [run.event('run_resumed', { agentName: 'coder', model: 'm', depth: 0, fromSeq: events.length - 1, step: 0, interruptedToolCalls: [] }), run.end('completed')]);
      assert.equal((await store.listRuns())[0]?.status, 'completed');
    });

    it('lists top-level runs newest first, with status, agent, prompt, sizes and forks', async (t) => {
      const { store } = await create(t);
      const testStart = Date.now();
      const old = new Run('run-old', 1_000);
      await write(store, 'run-old', [old.start('coder', 'old task'), old.end('completed')]);
      const newest = new Run('run-new', 3_000);
      await write(store, 'run-new', [newest.start('reviewer', 'review'), newest.end('failed')]);
      const mid = new Run('run-mid', 2_000);
      await write(store, 'run-mid', [mid.start('coder', 'forked', { forkedFrom: { runId: 'run-old', checkpointId: 'run-old:1' } }), mid.event('step_start', { step: 0 })]);
      const live = new Run('run-live', 2_500);
      const liveWriter = await write(store, 'run-live', [live.start('coder', 'going'), live.end('completed')], false);
      await write(store, 'run-sub', runWithSubagent('run-sub', 500));
      // Opened, never written: not a run yet.
      await (await store.openJournal('run-empty')).close();

      const runs = await store.listRuns();
      assert.deepEqual(
        runs.map((r) => [r.runId, r.status, r.agentName, r.startedAt]),
        [
          ['run-new', 'failed', 'reviewer', 3_000],
          // Ended, but written again (a follow-up): live again.
          ['run-live', 'running', 'coder', 2_500],
          ['run-mid', 'interrupted', 'coder', 2_000],
          ['run-old', 'completed', 'coder', 1_000],
          // Its subagent (run-sub.sub-1) is part of its journal, not a run of its own.
          ['run-sub', 'completed', 'coder', 500],
        ],
      );
      const byId = Object.fromEntries(runs.map((r) => [r.runId, r]));
      assert.equal(byId['run-old']!.prompt, 'old task');
      assert.deepEqual(byId['run-mid']!.forkedFrom, { runId: 'run-old', checkpointId: 'run-old:1' });
      assert.equal(byId['run-old']!.forkedFrom, undefined);
      for (const r of runs) {
        assert.ok(r.bytes > 0, `${r.runId} bytes ${r.bytes}`);
        assert.ok(r.updatedAt >= testStart - 5_000 && r.updatedAt <= Date.now() + 5_000, `${r.runId} updatedAt ${r.updatedAt}`);
        assert.ok(Number.isInteger(r.startedAt) && Number.isInteger(r.updatedAt), `${r.runId} times are whole milliseconds: ${r.startedAt}, ${r.updatedAt}`);
      }
      assert.ok(byId['run-sub']!.bytes > byId['run-old']!.bytes);

      assert.deepEqual(
        (await store.listRuns({ agentName: 'coder' })).map((r) => r.runId),
        ['run-live', 'run-mid', 'run-old', 'run-sub'],
      );
      assert.deepEqual(await store.listRuns({ agentName: 'nobody' }), []);
      await liveWriter.close();
      assert.equal((await store.listRuns({ agentName: 'coder' }))[0]?.status, 'completed');
    });

    it('lists what a run list shows without the events: totals from the last progress or run_end, and a child run with its parent', async (t) => {
      const { store } = await create(t);
      const parent = new Run('run-parent', 1_000);
      const progress = (run: Run, totalTokens: number, costUsd: number) =>
        run.event('progress', { step: 0, iteration: 1, maxIterations: 10, usage: { inputTokens: 1, outputTokens: totalTokens - 1, totalTokens }, costUsd, message: 'step' });
      // Interrupted after a progress: its in-journal subagent's later progress is not the run's.
      const sub = new Run('run-parent.sub-1', 1_100, 'run-parent');
      await write(store, 'run-parent', [parent.start('coder', 'the parent'), progress(parent, 40, 0.25), sub.start('explorer', 'look'), progress(sub, 999, 9), sub.event('step_start', { step: 1 })]);
      // A child run journaled on its own: its run_start names the parent and what in it started the child.
      const child = new Run('run-child', 2_000, 'run-parent');
      await write(store, 'run-child', [
        child.start('explorer', 'the child', { parent: { kind: 'tool_call', id: 'call-7' } } as Partial<RunEventData['run_start']>),
        progress(child, 5, 0.5),
        child.end('completed'),
      ]);
      const plain = new Run('run-plain', 3_000);
      await write(store, 'run-plain', [plain.start('coder', 'no steps yet')]);

      const byId = Object.fromEntries((await store.listRuns()).map((r) => [r.runId, r]));
      assert.deepEqual(Object.keys(byId).sort(), ['run-child', 'run-parent', 'run-plain']);
      assert.deepEqual(byId['run-parent']!.totals, { tokens: 40, costUsd: 0.25 });
      assert.equal(byId['run-parent']!.status, 'interrupted');
      assert.equal(byId['run-parent']!.parentRunId, undefined);
      assert.equal(byId['run-parent']!.parent, undefined);
      // The run_end's totals are the last word.
      assert.deepEqual(byId['run-child']!.totals, { tokens: 7, costUsd: 0.01 });
      assert.equal(byId['run-child']!.status, 'completed');
      assert.equal(byId['run-child']!.parentRunId, 'run-parent');
      assert.deepEqual(byId['run-child']!.parent, { kind: 'tool_call', id: 'call-7' });
      assert.equal(byId['run-child']!.prompt, 'the child');
      assert.deepEqual(byId['run-plain']!.totals, { tokens: 0, costUsd: 0 });
    });

    it('a torn last entry is skipped: the run lists by its last whole event', async (t) => {
      const subject = await create(t);
      if (!subject.tear) return t.skip('this store commits whole entries only');
      const run = new Run('run-torn', 1_000);
      await write(subject.store, 'run-torn', [run.start('coder', 'torn'), run.event('progress', { step: 0, iteration: 1, maxIterations: 10, usage, costUsd: 0.002, message: 'step' })]);
      await subject.tear('run-torn');
      const [listed] = await subject.store.listRuns();
      assert.deepEqual([listed?.runId, listed?.status, listed?.totals], ['run-torn', 'interrupted', { tokens: 3, costUsd: 0.002 }]);
      const ended = new Run('run-ended', 2_000);
      await write(subject.store, 'run-ended', [ended.start('coder', 'ended'), ended.end('cancelled')]);
      await subject.tear('run-ended');
      const [listedEnded] = await subject.store.listRuns();
      assert.deepEqual([listedEnded?.runId, listedEnded?.status, listedEnded?.totals], ['run-ended', 'cancelled', { tokens: 7, costUsd: 0.01 }]);
    });

    it('skips and counts damaged entries instead of failing, and still lists the run', async (t) => {
      const subject = await create(t);
      const run = new Run('run-d', 1_000);
      const events = [run.start(), run.event('step_start', { step: 0 })];
      await write(subject.store, 'run-d', events);
      await subject.damage('run-d');
      const end = run.end('stopped');
      await write(subject.store, 'run-d', [end]);
      assert.deepEqual(asStored(await subject.store.readJournal('run-d')), { events: [...events, end], skippedLines: 1 });
      assert.equal((await subject.store.listRuns())[0]?.status, 'stopped');
    });

    it('deletes a run, refused while it is written; false when there is none; other runs intact', async (t) => {
      const { store } = await create(t);
      const keep = runWithSubagent('run-keep');
      await write(store, 'run-keep', keep);
      const keptBefore = await store.readJournal('run-keep');
      const doomed = new Run('run-del', 2_000);
      const writer = await write(store, 'run-del', [doomed.start()], false);
      await assert.rejects(store.deleteRun('run-del'), isCheckpointError(/run-del/));
      assert.equal((await store.readJournal('run-del')).events.length, 1);
      await writer.close();

      assert.equal(await store.deleteRun('run-del'), true);
      await assert.rejects(store.readJournal('run-del'), isCheckpointError(/run-del/));
      assert.deepEqual((await store.listRuns()).map((r) => r.runId), ['run-keep']);
      assert.equal(await store.deleteRun('run-del'), false);
      assert.equal(await store.deleteRun('run-never'), false);
      assert.deepEqual(await store.readJournal('run-keep'), keptBefore);
      // The id is free again.
      await write(store, 'run-del', [new Run('run-del', 9_000).start()]);
      assert.equal((await store.readJournal('run-del')).events[0]?.ts, 9_000);
    });

    it('refuses to compact a run that is being written, or one that does not exist', async (t) => {
      const { store } = await create(t);
      const run = new Run('run-c', 1_000);
      const writer = await write(store, 'run-c', [run.start(), ...run.chunks(0, ['a', 'b', 'c'])], false);
      await assert.rejects(store.compact('run-c'), isCheckpointError(/run-c/));
      assert.deepEqual(streamedText((await store.readJournal('run-c')).events), { 'run-c/0': 'abc' });
      await writer.close();
      await assert.rejects(store.compact('run-none'), isCheckpointError(/run-none/));
    });

    it('an unknown run or an invalid run id is a CheckpointError', async (t) => {
      const { store } = await create(t);
      await assert.rejects(store.readJournal('run-missing'), isCheckpointError(/run-missing/));
      for (const bad of ['', '../escape', 'a/b', '.hidden', 'sp ace', 'x'.repeat(200)]) {
        await assert.rejects(store.openJournal(bad), isCheckpointError(), `openJournal(${JSON.stringify(bad)})`);
        await assert.rejects(store.readJournal(bad), isCheckpointError(), `readJournal(${JSON.stringify(bad)})`);
        await assert.rejects(store.deleteRun(bad), isCheckpointError(), `deleteRun(${JSON.stringify(bad)})`);
        await assert.rejects(store.compact(bad), isCheckpointError(), `compact(${JSON.stringify(bad)})`);
      }
      assert.deepEqual(await store.listRuns(), []);
    });
  });
}

checkpointStoreContract('FileCheckpointStore', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'checkpoints-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return {
    store: new FileCheckpointStore(dir),
    another: () => new FileCheckpointStore(dir),
    childStore: `new (require(${JSON.stringify(join(root, 'src/core/checkpoint/fileStore.ts'))}).FileCheckpointStore)(${JSON.stringify(dir)})`,
    damage: (runId) => appendFile(join(dir, `${runId}.jsonl`), '{"runId":"run-d","seq":9,"ts":1,"type":"step_st\n'),
    tear: (runId) => appendFile(join(dir, `${runId}.jsonl`), `{"runId":"${runId}","seq":99,"ts":1,"type":"run_end","data":{"status":"compl`),
  };
});

describe('PgCheckpointStore', () => {
  let server: TestPostgres;
  const schema = `deep_agent_test_${process.pid}_${Date.now().toString(36)}`;
  let tests = 0;

  before(async () => {
    server = await startPostgres();
  });
  after(async () => {
    await admin(server, (client) => client.query(`drop schema if exists "${schema}" cascade`)).catch(() => {});
    await server?.stop();
  });

  const storeOptions = (): PgCheckpointStoreOptions => ({ connectionString: server.connectionString, schema, tablePrefix: `t${++tests}_` });

  /** A store whose connections carry `name`, so a test can cut them off. */
  const named = (options: PgCheckpointStoreOptions, name: string): PgCheckpointStoreOptions => {
    const url = new URL(options.connectionString!);
    url.searchParams.set('application_name', name);
    return { ...options, connectionString: url.toString() };
  };
  /** Terminates the connections named `name`, waiting until they are gone (their locks with them). */
  const cutOff = (name: string) =>
    admin(server, (client) => client.query('select pg_terminate_backend(pid, 10000) from pg_stat_activity where application_name = $1', [name]));

  checkpointStoreContract('PgCheckpointStore', async (t) => {
    const options = storeOptions();
    const stores = [new PgCheckpointStore(options)];
    t.after(() => Promise.all(stores.map((s) => s.close())));
    const childName = `crash_${process.pid}_${tests}`;
    return {
      store: stores[0]!,
      another: () => {
        stores.push(new PgCheckpointStore(options));
        return stores.at(-1)!;
      },
      childStore: `new (require(${JSON.stringify(join(root, 'src/core/checkpoint/pgStore.ts'))}).PgCheckpointStore)(${JSON.stringify(named(options, childName))})`,
      afterKill: async () => {
        await cutOff(childName);
      },
      damage: async (runId) => {
        const events = `"${schema}"."${options.tablePrefix}events"`;
        await admin(server, (client) =>
          client.query(`insert into ${events} (run_id, idx, type, event) select $1, max(idx) + 1, 'step_start', '{"hello": 1}' from ${events} where run_id = $1`, [runId]),
        );
      },
    };
  });

  describe('PostgreSQL specifics', () => {
    it('does not load pg until a store is used', () => {
      assert.equal(pgLoadedOnImport, false);
    });

    it('a dead server is a clear one-line error naming it, never the password', async () => {
      const port = await freePort();
      const store = new PgCheckpointStore({ connectionString: `postgresql://deep:s3cret-pw@127.0.0.1:${port}/runs`, schema: 'x' });
      assert.doesNotMatch(store.description, /s3cret/);
      const named = (error: unknown) => {
        isCheckpointError(new RegExp(`127\\.0\\.0\\.1:${port}/runs`))(error);
        assert.doesNotMatch((error as Error).message, /s3cret/);
        return true;
      };
      await assert.rejects(store.listRuns(), named);
      await assert.rejects(store.openJournal('run-1'), named);
      await assert.rejects(store.readJournal('run-1'), named);
      await assert.rejects(store.deleteRun('run-1'), named);
      await store.close();
    });

    it('a writer whose connection is lost fails at the next flush and close; the run is then interrupted and reopens', async (t) => {
      const options = storeOptions();
      const store = new PgCheckpointStore(options);
      const doomed = new PgCheckpointStore(named(options, `lost_${process.pid}`));
      t.after(() => Promise.all([store.close(), doomed.close()]));
      const run = new Run('run-lost', 1_000);
      const writer = await write(doomed, 'run-lost', [run.start()], false);
      assert.equal((await store.listRuns())[0]?.status, 'running');

      await cutOff(`lost_${process.pid}`);
      writer.append(run.event('step_start', { step: 0 }));
      const lost = (error: unknown) => {
        isCheckpointError(/writing run run-lost/)(error);
        assert.ok((error as Error).message.startsWith(doomed.description), (error as Error).message);
        return true;
      };
      await assert.rejects(writer.flush(), lost);
      await assert.rejects(writer.close(), lost);

      assert.equal((await store.listRuns())[0]?.status, 'interrupted');
      assert.deepEqual((await store.readJournal('run-lost')).events.map((e) => e.type), ['run_start']);
      await write(store, 'run-lost', [run.end('completed')]);
      // The store whose connections were cut off works again with new ones.
      assert.equal((await doomed.listRuns())[0]?.status, 'completed');
    });

    it('creates its tables once when stores race, and refuses tables of a newer version', async (t) => {
      const options = storeOptions();
      const racing = Array.from({ length: 5 }, () => new PgCheckpointStore(options));
      t.after(() => Promise.all(racing.map((s) => s.close())));
      assert.deepEqual(await Promise.all(racing.map((s) => s.listRuns())), [[], [], [], [], []]);

      await admin(server, (client) => client.query(`update "${schema}"."${options.tablePrefix}meta" set value = '99' where key = 'schema_version'`));
      const later = new PgCheckpointStore(options);
      t.after(() => later.close());
      await assert.rejects(later.openJournal('run-1'), isCheckpointError(/newer.*schema version 99/));
      await assert.rejects(later.listRuns(), isCheckpointError(/newer/));
    });

    it('refuses schema names and table prefixes it would have to quote', () => {
      assert.throws(() => new PgCheckpointStore({ schema: 'a"; drop table x; --' }), isCheckpointError());
      assert.throws(() => new PgCheckpointStore({ tablePrefix: 'a-b' }), isCheckpointError());
    });
  });
});

async function admin<T>(server: TestPostgres, use: (client: Client) => Promise<T>): Promise<T> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: server.connectionString });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

