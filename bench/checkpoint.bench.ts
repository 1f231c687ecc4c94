/**
 * Checkpointing, three figures (one JSON line each):
 *
 *  a. checkpoint-overhead — a 200-step run (each step: one streamed answer with one tool call)
 *     against a scripted OpenAI-compatible server on 127.0.0.1 that answers at once, with a
 *     checkpoint after every tool call (CheckpointManager frequency 'tool_call', FileCheckpointStore
 *     in a temp dir on disk) vs the same run with plain agent.execute, in the same process,
 *     interleaved ABBA after a warm-up. Tool: write_file into a FilesystemBackend on disk (the
 *     representative case: a real side effect with its file_change intent); the same is also
 *     reported with `touch_note`, a side-effecting tool that does no I/O (the worst case: nothing
 *     but the agent loop to hide the journal behind). Goal: overhead ≤ 2 %.
 *  b. checkpoint-cost — what taking one checkpoint costs at step 10 vs step 1,000 of a run: the
 *     run's real journal (from a real 1,000-step run, see c) cut there, opened for appending
 *     through the real store, then requestCheckpoint → persistenceFor(journal).takeManualRequest →
 *     the checkpoint event emitted through the run's emitter into the journal → flush, timed many
 *     times at each point (interleaved). Cross-check: the checkpoint appends timed inside the
 *     real 1,000-step run (steps 1–100 vs 901–1,000), and the slowest journal append of that run.
 *     Goal: flat (equal within noise).
 *  c. resume-time — a journal made by actually running 1,001 steps against the scripted server
 *     (1,000 write_file steps, then the final answer), cut after step 1,000 as a crash would (the
 *     file as the live writer left it, not compacted at close), then timed: manager.resumePoint
 *     (read + parse + fold), and the time from runWithCheckpointing(resumeFrom) to the resumed
 *     run's first event (run_resumed). The same for the journal compacted (as a cancelled run's
 *     is at close). Goal: < 100 ms.
 *
 *   node --import tsx bench/checkpoint.bench.ts [a] [b] [c]      (default: all three)
 *   npm run bench -- checkpoint [a] [b] [c]
 * Env: CKPT_BENCH_PAIRS (16), CKPT_BENCH_COST_REPS (3000), CKPT_BENCH_STALL_REPS (10),
 * CKPT_BENCH_RESUME_REPS (30), CKPT_BENCH_DEBUG=1 (each A/B pair on stderr),
 * CKPT_BENCH_SAVE_JOURNAL=<path> (keep the 1,000-step journal, e.g. to profile resume).
 * Each line carries the machine's load average: on a busy machine the wall-time figures of (a) say
 * little; its CPU-time figures less so.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import { createDeepAgent } from '../src/core/agent/createDeepAgent';
import { fanOut, RunEmitter } from '../src/core/agent/emitter';
import { emitterRestoreOf } from '../src/core/agent/resume';
import type { DeepAgentDeps } from '../src/core/agent/types';
import { FilesystemBackend } from '../src/core/backends/filesystem';
import { FileCheckpointStore } from '../src/core/checkpoint/fileStore';
import { CheckpointManager } from '../src/core/checkpoint/manager';
import { foldJournal } from '../src/core/runState';
import { runWithCheckpointing } from '../src/core/launch/runWithCheckpointing';
import type { CheckpointStore, JournalWriter } from '../src/core/checkpoint/store';
import { sequentialIds, systemClock } from '../src/core/clock';
import type { RunEvent } from '../src/core/events';
import { OpenAICompatibleModel } from '../src/core/model/openai';
import { defineTool } from '../src/core/tools/types';
import { startScriptedServer, type ChatCompletionBody, type ScriptedReply, type ScriptedServer } from '../test/support/scriptedServer';
import { summary } from './stats';

const OVERHEAD_STEPS = 200;
const OVERHEAD_PAIRS = Number(process.env.CKPT_BENCH_PAIRS ?? 16);
const LONG_STEPS = 1000;
const COST_REPS = Number(process.env.CKPT_BENCH_COST_REPS ?? 3000);
const RESUME_REPS = Number(process.env.CKPT_BENCH_RESUME_REPS ?? 30);
const STALL_REPS = Number(process.env.CKPT_BENCH_STALL_REPS ?? 10);

const round = (n: number, digits = 3) => Math.round(n * 10 ** digits) / 10 ** digits;
function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** The prompt carries the run's shape, so one server serves every run: "Write 200 notes with write_file." */
const promptFor = (steps: number, tool: string) => `Write ${steps} notes with ${tool}.`;

const stepText = (n: number) => `Step ${n}: note ${n - 1} is done, so next I write note ${n}, which sums up what the earlier notes found and lists what is still open for the next steps.`;

/**
 * One tool call per step, answering at once: ~150 characters of text streamed in 4-character chunks
 * (about one token each), then write_file of a ~500-byte note (or touch_note); finally an answer.
 */
function script(body: ChatCompletionBody): ScriptedReply {
  const prompt = body.messages.find((m) => m.role === 'user')?.content ?? '';
  const [, steps = '0', tool = 'write_file'] = /Write (\d+) notes with (\w+)/.exec(prompt) ?? [];
  const turn = body.messages.filter((m) => m.role === 'assistant').length;
  const usage = { prompt: 300 + 60 * turn, completion: 40 };
  const chunked = (text: string) => text.match(/.{1,4}/gs)!;
  if (turn >= Number(steps)) return { text: chunked(`All ${steps} notes are written; each one is in notes/, numbered in the order they were made.`), usage };
  const n = turn + 1;
  const text = stepText(n);
  const content = [`# Note ${n}`, '', `This is note ${n} of ${steps}, written by the checkpoint benchmark.`, '', ...Array.from({ length: 8 }, (_, i) => `- finding ${i + 1}: item ${n * 10 + i} looks fine and needs no further change`), ''].join('\n');
  const args = tool === 'write_file' ? { path: `notes/${n}.md`, content } : { text: `note ${n} of ${steps}` };
  return { text: chunked(text), toolCalls: [{ id: `call_${n}`, name: tool, arguments: args }], usage };
}

/** A side-effecting tool that does no I/O: the agent loop and the journal are all there is. */
const touchNote = defineTool({
  name: 'touch_note',
  description: 'Record a note.',
  parameters: z.object({ text: z.string() }),
  readOnly: false,
  async execute({ text }) {
    return `noted: ${text}`;
  },
});

function agentFor(server: ScriptedServer, steps: number) {
  const model = new OpenAICompatibleModel({ baseURL: server.url, model: 'bench-model', apiKey: 'sk-bench' });
  return createDeepAgent({ model, maxIterations: steps + 5, tools: [touchNote] });
}

/** A fresh, empty workspace directory under `root`. */
function workspace(root: string, name: string): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

// ---------------------------------------------------------------------------------------------
// Journals that time themselves (for attribution only; the A/B comparison uses the plain store).

interface TimedAppend {
  type: RunEvent['type'];
  step: number | undefined;
  micros: number;
}

interface JournalTimes {
  appends: TimedAppend[];
  /** Time in JournalWriter.close(): the final fsync and the compaction at close. */
  closeMs: number;
  /** Time in JournalWriter.flush() (the write-ahead barrier before each side effect). */
  flushMs: number;
}

/**
 * A store whose journals time each append, flush and close; `beforeClose` keeps a copy of the file
 * as the live writer left it (before the compaction at close).
 */
function timingStore(inner: FileCheckpointStore, times: JournalTimes, beforeClose?: (runId: string) => string): CheckpointStore {
  return {
    description: inner.description,
    readJournal: (runId) => inner.readJournal(runId),
    listRuns: (filter) => inner.listRuns(filter),
    deleteRun: (runId) => inner.deleteRun(runId),
    compact: (runId) => inner.compact(runId),
    close: () => inner.close(),
    async openJournal(runId): Promise<JournalWriter> {
      const journal = await inner.openJournal(runId);
      return {
        append(event) {
          const t0 = process.hrtime.bigint();
          journal.append(event);
          const micros = Number(process.hrtime.bigint() - t0) / 1000;
          if (!event.parentRunId) times.appends.push({ type: event.type, step: (event.data as { step?: number }).step, micros });
        },
        async flush() {
          const t0 = performance.now();
          await journal.flush();
          times.flushMs += performance.now() - t0;
        },
        async close() {
          if (beforeClose) {
            await journal.flush();
            copyFileSync(inner.journalPath(runId), beforeClose(runId));
          }
          const t0 = performance.now();
          await journal.close();
          times.closeMs += performance.now() - t0;
        },
      };
    },
  };
}

// ---------------------------------------------------------------------------------------------
// a. overhead

async function overhead(server: ScriptedServer, root: string, tool: 'write_file' | 'touch_note') {
  const agent = agentFor(server, OVERHEAD_STEPS);
  const prompt = promptFor(OVERHEAD_STEPS, tool);
  let n = 0;
  const plain = async () => {
    const backend = new FilesystemBackend({ root: workspace(root, `plain-${tool}-${++n}`) });
    const cpu = process.cpuUsage();
    const started = performance.now();
    const result = await agent.execute(prompt, { backend, ids: sequentialIds(`plain${n}`) });
    const ms = performance.now() - started;
    const used = process.cpuUsage(cpu);
    if (result.status !== 'completed' || result.steps !== OVERHEAD_STEPS + 1) throw new Error(`plain run: ${result.status} after ${result.steps} steps: ${result.error?.message}`);
    return { ms, cpuMs: (used.user + used.system) / 1000 };
  };
  const checkpointed = async (times?: JournalTimes) => {
    const backend = new FilesystemBackend({ root: workspace(root, `ckpt-${tool}-${++n}`) });
    const files = new FileCheckpointStore(join(root, `runs-${tool}-${n}`));
    const manager = new CheckpointManager(times ? timingStore(files, times) : files, { frequency: 'tool_call' });
    const cpu = process.cpuUsage();
    const started = performance.now();
    const result = await runWithCheckpointing(agent, prompt, { backend, ids: sequentialIds(`ckpt${n}`) }, manager);
    const ms = performance.now() - started;
    const used = process.cpuUsage(cpu);
    if (result.status !== 'completed' || result.steps !== OVERHEAD_STEPS + 1) throw new Error(`checkpointed run: ${result.status} after ${result.steps} steps: ${result.error?.message}`);
    const checkpoints = await manager.listCheckpoints({ runId: result.runId });
    if (checkpoints.length !== OVERHEAD_STEPS) throw new Error(`checkpointed run: ${checkpoints.length} checkpoints, expected ${OVERHEAD_STEPS}`);
    return { ms, cpuMs: (used.user + used.system) / 1000 };
  };
  // Warm-up: JIT, the HTTP keep-alive connection, the disk.
  for (let i = 0; i < 2; i++) {
    await plain();
    await checkpointed();
  }
  const a: number[] = [];
  const b: number[] = [];
  const ratios: number[] = [];
  const cpuA: number[] = [];
  const cpuB: number[] = [];
  const cpuRatios: number[] = [];
  const loadBefore = loadavg()[0]!;
  for (let i = 0; i < OVERHEAD_PAIRS; i++) {
    // ABBA: A B, then B A, so a drift in either direction hits both sides alike.
    let pa: { ms: number; cpuMs: number }, pb: { ms: number; cpuMs: number };
    if (i % 2 === 0) {
      pa = await plain();
      pb = await checkpointed();
    } else {
      pb = await checkpointed();
      pa = await plain();
    }
    a.push(pa.ms);
    b.push(pb.ms);
    ratios.push(pb.ms / pa.ms - 1);
    cpuA.push(pa.cpuMs);
    cpuB.push(pb.cpuMs);
    cpuRatios.push(pb.cpuMs / pa.cpuMs - 1);
    if (process.env.CKPT_BENCH_DEBUG) console.error(`${tool} pair ${i}: plain ${Math.round(pa.ms)} ms (cpu ${Math.round(pa.cpuMs)}), checkpointed ${Math.round(pb.ms)} ms (cpu ${Math.round(pb.cpuMs)})`);
  }
  // Where the time goes: a few more checkpointed runs with the journal timing itself (not part of the A/B).
  const attributionRuns = 3;
  const times: JournalTimes = { appends: [], closeMs: 0, flushMs: 0 };
  for (let i = 0; i < attributionRuns; i++) await checkpointed(times);
  const appendMs = times.appends.reduce((sum, x) => sum + x.micros, 0) / 1000;
  const stalls = times.appends.filter((x) => x.micros >= 1000);

  const plainMs = median(a);
  const ckptMs = median(b);
  // Per pair (run A and run B side by side), then the median: what drift and disk noise disturb least.
  const overheadPct = round(median(ratios) * 100, 1);
  console.log(
    JSON.stringify({
      bench: 'checkpoint-overhead',
      tool,
      toolDoes: tool === 'write_file' ? 'write_file of a ~500-byte note into a FilesystemBackend in a temp dir on disk (atomic write + fsync)' : 'touch_note: side-effecting custom tool that does no I/O (worst case)',
      steps: OVERHEAD_STEPS,
      toolCallsPerStep: 1,
      streamedChunksPerStep: Math.ceil(stepText(100).length / 4),
      server: 'scripted OpenAI-compatible server on 127.0.0.1, answers at once, through the openai client',
      checkpointFrequency: 'tool_call',
      store: 'FileCheckpointStore in a temp dir on disk',
      pairs: OVERHEAD_PAIRS,
      unit: 'ms per run (medians); overheads in %',
      plainMs: round(plainMs, 1),
      checkpointedMs: round(ckptMs, 1),
      plain: summary(a),
      checkpointed: summary(b),
      overheadPct,
      overheadPctOfMedians: round(((ckptMs - plainMs) / plainMs) * 100, 1),
      overheadPerStepMicros: round((median(ratios) * plainMs * 1000) / OVERHEAD_STEPS, 0),
      cpu: {
        note: 'CPU time of this process (user + system) per run: less disturbed by other load on the machine than wall time; it leaves out waiting for the disk',
        plainMs: round(median(cpuA), 1),
        checkpointedMs: round(median(cpuB), 1),
        overheadPct: round(median(cpuRatios) * 100, 1),
        overheadPctOfMedians: round(((median(cpuB) - median(cpuA)) / median(cpuA)) * 100, 1),
      },
      machineLoad1m: { before: round(loadBefore, 2), after: round(loadavg()[0]!, 2), cpus: availableParallelism() },
      perRun: {
        note: `from ${attributionRuns} extra checkpointed runs whose journal times itself`,
        journalAppendMs: round(appendMs / attributionRuns, 1),
        appendsPerRun: Math.round(times.appends.length / attributionRuns),
        appendMicros: summary(times.appends.map((x) => x.micros)),
        appendStallsOver1msPerRun: round(stalls.length / attributionRuns, 1),
        appendStallMsPerRun: round(stalls.reduce((sum, x) => sum + x.micros, 0) / 1000 / attributionRuns, 1),
        flushMs: round(times.flushMs / attributionRuns, 1),
        closeMs: round(times.closeMs / attributionRuns, 1),
      },
      goal: 'overheadPct <= 2 (median over pairs of checkpointed / plain - 1)',
      pass: overheadPct <= 2,
    }),
  );
}

// ---------------------------------------------------------------------------------------------
// The long run: 1,000 write_file steps and a final answer, checkpoint per tool call, with every
// journal append timed inside the run and the journal kept as the live writer left it.

interface LongRun {
  runId: string;
  /** The journal as a crash after step 1,000 would leave it (live-written, compacted only by the writer's own threshold). */
  crashedText: string;
  times: JournalTimes;
  runMs: number;
  liveJournalBytes: number;
}

async function longRun(server: ScriptedServer, root: string): Promise<LongRun> {
  const agent = agentFor(server, LONG_STEPS + 1);
  const files = new FileCheckpointStore(join(root, 'long-runs'));
  const times: JournalTimes = { appends: [], closeMs: 0, flushMs: 0 };
  const rawPath = join(root, 'long-run-before-close.jsonl');
  const manager = new CheckpointManager(timingStore(files, times, () => rawPath), { frequency: 'tool_call' });
  const backend = new FilesystemBackend({ root: workspace(root, 'long-ws') });
  const started = performance.now();
  const result = await runWithCheckpointing(agent, promptFor(LONG_STEPS, 'write_file'), { backend, ids: sequentialIds('long') }, manager);
  const runMs = performance.now() - started;
  if (result.status !== 'completed' || result.steps !== LONG_STEPS + 1) throw new Error(`long run: ${result.status} after ${result.steps} steps: ${result.error?.message}`);
  const raw = readFileSync(rawPath, 'utf8');
  // Cut before the final step's step_start: a crash between step 1,000 and step 1,001.
  const lines = raw.split('\n');
  const cut = lines.findIndex((line) => isTopLevel(line, 'step_start', LONG_STEPS + 1));
  if (cut < 0) throw new Error('long run: no step_start of the final step in the journal');
  return { runId: result.runId, crashedText: `${lines.slice(0, cut).join('\n')}\n`, times, runMs, liveJournalBytes: Buffer.byteLength(raw) };
}

/** A journal line of the top-level run with this event type and step. */
const isTopLevel = (line: string, type: string, step: number) =>
  !line.includes('"parentRunId"') && (line.includes(`"type":"${type}","data":{"step":${step},`) || line.includes(`"type":"${type}","data":{"step":${step}}`));

// ---------------------------------------------------------------------------------------------
// b. checkpoint cost at step 10 vs step 1,000

/** The long run's journal cut after `step`, opened for appending, with the run's emitter restored from its fold (as a resumed run has it). */
async function openAt(dir: string, long: LongRun, step: number, compactAfterBytes?: number) {
  const lines = long.crashedText.split('\n');
  const end = lines.findIndex((line) => isTopLevel(line, 'step_end', step));
  if (end < 0) throw new Error(`no step_end of step ${step}`);
  const text = `${lines.slice(0, end + 1).join('\n')}\n`;
  const store = new FileCheckpointStore(dir, { compactAfterBytes });
  mkdirSync(dir, { recursive: true });
  writeFileSync(store.journalPath(long.runId), text);
  const manager = new CheckpointManager(store, { frequency: 'tool_call' });
  const { events } = await store.readJournal(long.runId);
  const state = foldJournal(events).root!;
  const journal = await store.openJournal(long.runId);
  const persistence = manager.persistenceFor(journal, state);
  const emitter = new RunEmitter(long.runId, undefined, fanOut([persistence.journal.append.bind(persistence.journal)]), systemClock, emitterRestoreOf(state));
  /** What the run loop does at a checkpoint boundary (run.ts takeCheckpoint), then the write-ahead flush that precedes the next side effect. */
  const take = async () => {
    manager.requestCheckpoint('bench');
    const label = persistence.takeManualRequest!();
    emitter.emit('checkpoint', {
      checkpointId: `${emitter.runId}@${emitter.nextSeq}`,
      reason: 'manual',
      step,
      iteration: emitter.totals.modelCalls,
      totalTokens: emitter.totals.usage.totalTokens,
      costUsd: emitter.totals.costUsd,
      ...(label ? { label } : {}),
    });
    await persistence.journal.flush();
  };
  return { step, events: events.length, bytes: Buffer.byteLength(text), messages: state.messages.length, take, journal };
}

async function checkpointCost(root: string, long: LongRun) {
  const points = [await openAt(join(root, 'cost-10'), long, 10), await openAt(join(root, `cost-${LONG_STEPS}`), long, LONG_STEPS)];
  const micros = points.map(() => [] as number[]);
  for (let i = 0; i < 200; i++) for (const p of points) await p.take(); // warm-up
  for (let i = 0; i < COST_REPS; i++) {
    for (const k of i % 2 === 0 ? [0, 1] : [1, 0]) {
      const t0 = process.hrtime.bigint();
      await points[k]!.take();
      micros[k]!.push(Number(process.hrtime.bigint() - t0) / 1000);
      // A run awaits the model between checkpoints: let the background fdatasync complete as it would.
      await yieldToEventLoop();
    }
  }
  for (const p of points) await p.journal.close();
  const [at10, at1000] = micros.map(summary) as [ReturnType<typeof summary>, ReturnType<typeof summary>];

  // The one append that crosses compactAfterBytes compacts the whole journal, synchronously.
  const stallMs: number[][] = [[], []];
  for (let i = 0; i < STALL_REPS; i++) {
    for (const k of i % 2 === 0 ? [0, 1] : [1, 0]) {
      const step = k === 0 ? 10 : LONG_STEPS;
      const p = await openAt(join(root, `stall-${step}-${i}`), long, step, 1);
      const t0 = performance.now();
      await p.take();
      stallMs[k]!.push(performance.now() - t0);
      await p.journal.close();
    }
  }

  // Cross-check inside the real 1,000-step run: the checkpoint events' appends, early vs late.
  const inRun = (from: number, to: number) => summary(long.times.appends.filter((a) => a.type === 'checkpoint' && a.step! >= from && a.step! <= to).map((a) => a.micros));
  const slowest = [...long.times.appends].sort((x, y) => y.micros - x.micros).slice(0, 3).map((a) => ({ type: a.type, step: a.step, ms: round(a.micros / 1000, 1) }));
  const ratioP50 = round(at1000.p50 / at10.p50, 2);
  console.log(
    JSON.stringify({
      bench: 'checkpoint-cost',
      what: 'requestCheckpoint → persistenceFor(journal).takeManualRequest → checkpoint event through the run emitter into the FileCheckpointStore journal (temp dir on disk) → flush',
      journalSource: 'the real 1,000-step run of resume-time, cut after step 10 / step 1,000',
      unit: 'µs per checkpoint',
      reps: COST_REPS,
      at10: { ...at10, journalEvents: points[0]!.events, journalBytes: points[0]!.bytes, messages: points[0]!.messages },
      at1000: { ...at1000, journalEvents: points[1]!.events, journalBytes: points[1]!.bytes, messages: points[1]!.messages },
      ratioP50,
      ratioP99: round(at1000.p99 / at10.p99, 2),
      inRealRun: { unit: 'µs per checkpoint append inside the 1,000-step run', steps1to100: inRun(1, 100), steps901to1000: inRun(901, 1000), slowestAppendsAnyType: slowest },
      compactionStall: {
        what: 'the checkpoint whose append crosses compactAfterBytes (default 8 MiB): the writer compacts the whole journal synchronously inside append()',
        unit: 'ms',
        reps: STALL_REPS,
        at10: summary(stallMs[0]!),
        at1000: summary(stallMs[1]!),
      },
      machineLoad1m: round(loadavg()[0]!, 2),
      goal: 'flat: at1000 equal to at10 within noise (ratioP50 ≈ 1)',
      pass: ratioP50 <= 1.25 && ratioP50 >= 0.8,
    }),
  );
}

// ---------------------------------------------------------------------------------------------
// c. resume time from a 1,000-step journal

async function resumeTime(server: ScriptedServer, root: string, long: LongRun) {
  const agent = agentFor(server, LONG_STEPS + 1);
  const store = new FileCheckpointStore(join(root, 'resume-runs'));
  mkdirSync(store.dir, { recursive: true });
  const manager = new CheckpointManager(store, { frequency: 'tool_call' });
  const path = store.journalPath(long.runId);
  writeFileSync(path, long.crashedText);
  await store.compact(long.runId);
  const compactedText = readFileSync(path, 'utf8');

  const variants = [
    { journal: 'as written live (crash after step 1,000)', text: long.crashedText },
    { journal: 'compacted', text: compactedText },
  ];
  for (const variant of variants) {
    const pointMs: number[] = [];
    const readMs: number[] = [];
    const firstEventMs: number[] = [];
    let events = 0;
    for (let i = -3; i < RESUME_REPS; i++) {
      writeFileSync(path, variant.text);
      const t0 = performance.now();
      const point = await manager.resumePoint(long.runId);
      const t1 = performance.now();
      if (point.state.step !== LONG_STEPS || point.state.messages.length !== 2 * LONG_STEPS) throw new Error(`resume point at step ${point.state.step} with ${point.state.messages.length} messages`);
      const t2 = performance.now();
      const read = await store.readJournal(long.runId);
      const t3 = performance.now();
      events = read.events.length;

      writeFileSync(path, variant.text);
      let first: number | undefined;
      let firstType: string | undefined;
      const backend = new FilesystemBackend({ root: join(root, 'long-ws') });
      const deps: DeepAgentDeps = {
        backend,
        ids: sequentialIds(`resume${i}`),
        onEvent: (e) => {
          if (first === undefined) {
            first = performance.now();
            firstType = e.type;
          }
        },
      };
      const t4 = performance.now();
      const result = await runWithCheckpointing(agent, '', deps, manager, { resumeFrom: long.runId });
      if (result.status !== 'completed' || result.steps !== LONG_STEPS + 1) throw new Error(`resumed run: ${result.status} after ${result.steps} steps: ${result.error?.message}`);
      if (firstType !== 'run_resumed') throw new Error(`resumed run's first event is ${firstType}`);
      if (i < 0) continue; // warm-up
      pointMs.push(t1 - t0);
      readMs.push(t3 - t2);
      firstEventMs.push(first! - t4);
    }
    const point = summary(pointMs);
    const firstEvent = summary(firstEventMs);
    console.log(
      JSON.stringify({
        bench: 'resume-time',
        journal: variant.journal,
        journalSource: 'a real 1,001-step run against the scripted server (write_file per step, checkpoint per tool call), cut after step 1,000',
        steps: LONG_STEPS,
        journalEvents: events,
        journalBytes: Buffer.byteLength(variant.text),
        reps: RESUME_REPS,
        unit: 'ms',
        resumePoint: point,
        readAndParse: summary(readMs),
        untilFirstEvent: firstEvent,
        machineLoad1m: round(loadavg()[0]!, 2),
        goal: 'resumePoint p99 < 100 and untilFirstEvent p99 < 100',
        pass: point.p99 < 100 && firstEvent.p99 < 100,
      }),
    );
  }
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const which = new Set(process.argv.slice(2).length ? process.argv.slice(2) : ['a', 'b', 'c']);
  const root = mkdtempSync(join(tmpdir(), 'bench-checkpoint-'));
  const server = await startScriptedServer(script);
  try {
    if (which.has('a')) {
      await overhead(server, root, 'write_file');
      await overhead(server, root, 'touch_note');
    }
    if (which.has('b') || which.has('c')) {
      const long = await longRun(server, root);
      console.error(`checkpoint bench: the ${LONG_STEPS + 1}-step run took ${Math.round(long.runMs)} ms; its journal was ${long.liveJournalBytes} bytes before close`);
      // For profiling resume on its own: CKPT_BENCH_SAVE_JOURNAL=/tmp/run.jsonl keeps the cut journal.
      if (process.env.CKPT_BENCH_SAVE_JOURNAL) writeFileSync(process.env.CKPT_BENCH_SAVE_JOURNAL, long.crashedText);
      if (which.has('b')) await checkpointCost(root, long);
      if (which.has('c')) await resumeTime(server, root, long);
    }
  } finally {
    await server.close();
    rmSync(root, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(`checkpoint bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exitCode = 1;
});
