/**
 * Truncated, corrupted and foreign checkpoint files (a fuzz loop of at least 10,000 mutations):
 * a clear error or a clean recovery, never a crash, and other runs stay loadable.
 *
 * A real journal is made by running the scripted task (test/support/checkpointTask) with
 * runWithCheckpointing into a FileCheckpointStore that also holds two healthy runs of the same
 * task. Each mutation rewrites the victim's journal (or the files beside it); then readJournal,
 * listRuns, listCheckpoints, load, resumePoint (and, for some, a fork through resumePoint of a
 * checkpoint id) must each succeed or throw a CheckpointError whose message is one line and names
 * the file or the run. Anything else (TypeError, RangeError, …) is a crash and fails the test with
 * the mutation. The healthy runs must read and fold exactly as before, every time.
 *
 * The loop runs in child processes (CHECKPOINT_FUZZ_SHARDS, default: 2 side by side, each taking
 * every other mutation), watched: a child that makes no progress for 6 s (an endless loop in the
 * core) is killed, the hang is reported with its mutation, and the shard goes on after it.
 *
 *   CHECKPOINT_FUZZ_SEED=<n>          seed (default: random; printed)
 *   CHECKPOINT_FUZZ_MUTATIONS=<n>     journal mutations (default 10,000)
 *   CHECKPOINT_FUZZ_ONLY=<i>          run only mutation i of the seed (to reproduce one)
 *   CHECKPOINT_FUZZ_SHARDS=<n>        child processes side by side (default min(2, CPUs))
 *   CHECKPOINT_FUZZ_WATCHDOG_MS=<n>   silence after which a child counts as hung (default 6,000)
 *   CHECKPOINT_FUZZ_TRACE=1           print each mutation as it runs (stderr)
 */
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { createDeepAgent } from '../../src/core/agent/createDeepAgent';
import { FilesystemBackend } from '../../src/core/backends/filesystem';
import { parseCheckpoint, type Checkpoint } from '../../src/core/checkpoint/checkpoint';
import { FileCheckpointStore } from '../../src/core/checkpoint/fileStore';
import { CheckpointManager } from '../../src/core/checkpoint/manager';
import { foldJournal } from '../../src/core/runState';
import { runWithCheckpointing } from '../../src/core/launch/runWithCheckpointing';
import { CheckpointError, type JournalRead, type StoredRun } from '../../src/core/checkpoint/store';
import { sequentialIds } from '../../src/core/clock';
import { appendLogTool, taskPrompt, taskScript } from '../support/checkpointTask';
import { modelFor } from '../support/harness';
import { startScriptedServer } from '../support/scriptedServer';

const seed = process.env.CHECKPOINT_FUZZ_SEED !== undefined ? Number(process.env.CHECKPOINT_FUZZ_SEED) : randomInt(2 ** 31);
const mutationCount = Number(process.env.CHECKPOINT_FUZZ_MUTATIONS ?? 10_000);
const only = process.env.CHECKPOINT_FUZZ_ONLY !== undefined ? Number(process.env.CHECKPOINT_FUZZ_ONLY) : undefined;
const checkpointMutationCount = 3_000;
const realResumes = 25;

// ---------------------------------------------------------------------------------------------
// A small seeded PRNG (mulberry32); each mutation gets its own stream, so one can be replayed alone.

class Rng {
  #s: number;
  constructor(seed: number) {
    this.#s = seed >>> 0;
  }
  static for(seed: number, index: number, salt = 0): Rng {
    return new Rng(Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(index + 1, 0xc2b2ae35) ^ Math.imul(salt + 7, 0x27d4eb2f));
  }
  next(): number {
    let t = (this.#s = (this.#s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

// ---------------------------------------------------------------------------------------------
// Nasty values: wrong types, huge and odd numbers, objects that String() cannot print.

/** Stands for an array nested 20,000 deep: JSON.parse reads it, JSON.stringify cannot write it back. */
const DEEP = '\u0001deep';
const deepText = '['.repeat(20_000) + ']'.repeat(20_000);
const withDeep = (json: string) => json.replace(JSON.stringify(DEEP), deepText);
const nastyValues: unknown[] = [
  null, true, false, 0, -1, 1.5, -0.5, 1e308, -1e308, 9007199254740993, 2 ** 53, -(2 ** 31), '', 'x', '2', 'line one\nline two', '\u0000', '\ud800', 'é'.repeat(3),
  'x'.repeat(100_000), [], [1, 2], [null], {}, { a: 1 }, { toString: 1 }, { valueOf: {} }, { toString: 1, valueOf: 1 }, JSON.parse('{"__proto__":{"step":1}}'),
  DEEP, { role: 'user', content: 1 },
];
/** Number tokens put in place of numbers in the JSON text, some out of any safe range. */
const nastyNumberTokens = ['1e308', '-1e308', '1e999', '-1e999', '9007199254740993', '-0', '1e-400', '1.5', '-1', '123456789012345678901234567890', '0.1e1', '4294967296'];
/** Lines that are JSON but not events of this run. */
const foreignLines = [
  '{"hello":"world"}',
  '[]',
  '[1,2,3]',
  'null',
  '42',
  '"a string"',
  'true',
  '{}',
  '{"deepAgentJournal":2,"runId":"victim-1"}',
  '{"deepAgentJournal":3,"runId":"victim-1"}',
  '{"runId":"victim-1","seq":1}',
  '{"runId":"victim-1","seq":999,"ts":1,"type":"nonsense","data":{}}',
  '{"runId":"victim-1","seq":999,"ts":1,"type":"run_end","data":{"status":"exploded"}}',
  '{"runId":"victim-1","seq":999,"ts":1,"type":"llm_end","data":null}',
  '{"runId":"","seq":0,"ts":0,"type":"run_start","data":{}}',
  '{"runId":"victim-1","seq":-1,"ts":0,"type":"step_start","data":{"step":-1}}',
  '{"runId":"victim-1","seq":1e999,"ts":1e999,"type":"step_start","data":{"step":1e999}}',
  '{"__proto__":{"runId":"victim-1","seq":5,"ts":1,"type":"step_start","data":{"step":1}}}',
  '{"runId":"victim-1","seq":900,"ts":1,"type":"checkpoint","data":{"checkpointId":"victim-1@900","reason":"manual","step":1,"iteration":1,"totalTokens":1,"costUsd":0}}',
  '{"runId":"victim-1","seq":901,"ts":1,"type":"run_start","data":{"agentName":"x","prompt":"p","model":"m","maxIterations":1,"depth":0}}',
  '{"runId":"intruder","seq":0,"ts":1,"type":"run_start","data":{"agentName":"deep-agent","prompt":"p","model":"m","maxIterations":1,"depth":0}}',
  `[${'['.repeat(50_000)}${']'.repeat(50_000)}]`,
  '{"a":'.repeat(20_000) + '1' + '}'.repeat(20_000),
];
const eventTypes = ['run_start', 'run_resumed', 'step_start', 'llm_start', 'llm_chunk', 'llm_end', 'tool_start', 'tool_end', 'file_change', 'checkpoint', 'approval_requested', 'approval_resolved', 'progress', 'partial_result', 'guardrail', 'error', 'step_end', 'run_end'];
/** Byte sequences that are not UTF-8. */
const invalidUtf8 = [[0xff], [0xfe, 0xff], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xe2, 0x82], [0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xc3]];

// ---------------------------------------------------------------------------------------------
// Mutations of a journal: what a crash, a disk, a careless hand or another program could leave.

interface Fixture {
  victimId: string;
  healthyIds: string[];
  bases: { name: string; text: string }[];
  healthyText: string;
}

interface Mutation {
  kind: string;
  detail: string;
  /** The victim's journal: bytes, or a directory in its place. */
  victim: Buffer | 'directory';
  /** Other files to put in the store directory for this mutation only (name → content). */
  extra?: Record<string, Buffer>;
  /** The line that was changed, when one was: what the failure report shows. */
  focus?: string;
}

const linesOf = (text: string) => text.split('\n');
const joinLines = (lines: string[]) => Buffer.from(lines.join('\n'));
/** Indexes of the non-empty lines, header included. */
const lineIndexes = (lines: string[]) => lines.flatMap((l, i) => (l ? [i] : []));

/** All paths into a JSON value (objects and arrays), for "set this to the wrong type". */
function pathsOf(value: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  if (typeof value !== 'object' || value === null || out.length > 200) return out;
  for (const key of Array.isArray(value) ? value.keys() : Object.keys(value)) {
    const path = [...prefix, key];
    out.push(path);
    pathsOf((value as Record<string | number, unknown>)[key], path, out);
  }
  return out;
}

function setPath(root: unknown, path: (string | number)[], value: unknown, remove: boolean): void {
  let node = root as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  const last = path.at(-1)!;
  if (remove) {
    if (Array.isArray(node)) node.splice(Number(last), 1);
    else delete node[last];
  } else {
    Object.defineProperty(node, last, { value, enumerable: true, writable: true, configurable: true });
  }
}

const show = (value: unknown) => {
  if (value === DEEP) return 'an array nested 20,000 deep';
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = Object.prototype.toString.call(value);
  }
  return text.length > 80 ? `${text.slice(0, 60)}…(${text.length} chars)` : text;
};

function mutate(rng: Rng, fx: Fixture): Mutation {
  const base = rng.pick(fx.bases);
  const bytes = Buffer.from(base.text);
  const lines = linesOf(base.text);
  const at = (what: string) => `${base.name} journal: ${what}`;
  const randomLine = () => rng.pick(lineIndexes(lines));
  const kinds: [number, () => Mutation][] = [
    [8, () => {
      const cut = rng.int(bytes.length + 1);
      return { kind: 'truncate', detail: at(`cut at byte ${cut} of ${bytes.length}`), victim: bytes.subarray(0, cut) };
    }],
    [8, () => {
      const out = Buffer.from(bytes);
      const flips = Array.from({ length: 1 + rng.int(8) }, () => [rng.int(out.length), 1 << rng.int(8)] as const);
      for (const [i, bit] of flips) out[i]! ^= bit;
      return { kind: 'flip-bits', detail: at(`xor ${flips.map(([i, b]) => `byte ${i} ^ 0x${b.toString(16)}`).join(', ')}`), victim: out };
    }],
    [8, () => {
      let out = Buffer.from(bytes);
      const done: string[] = [];
      for (let k = 1 + rng.int(8); k > 0; k--) {
        const i = rng.int(out.length + 1);
        const byte = rng.chance(0.5) ? rng.pick([...'{}[]",:\n\\0123456789-eE.tfn ']).charCodeAt(0) : rng.int(256);
        out = Buffer.concat([out.subarray(0, i), Buffer.from([byte]), out.subarray(i)]);
        done.push(`0x${byte.toString(16)} at ${i}`);
      }
      return { kind: 'insert-bytes', detail: at(`insert ${done.join(', ')}`), victim: out };
    }],
    [8, () => {
      let out = Buffer.from(bytes);
      const done: string[] = [];
      for (let k = 1 + rng.int(4); k > 0 && out.length > 0; k--) {
        const i = rng.int(out.length);
        const n = 1 + rng.int(32);
        out = Buffer.concat([out.subarray(0, i), out.subarray(i + n)]);
        done.push(`${n} at ${i}`);
      }
      return { kind: 'delete-bytes', detail: at(`delete ${done.join(', ')}`), victim: out };
    }],
    [5, () => {
      const out = [...lines];
      const i = randomLine();
      const to = rng.int(out.length + 1);
      out.splice(to, 0, out[i]!);
      return { kind: 'duplicate-line', detail: at(`line ${i} copied to ${to}`), victim: joinLines(out) };
    }],
    [5, () => {
      const out = [...lines];
      const i = randomLine();
      const j = randomLine();
      [out[i], out[j]] = [out[j]!, out[i]!];
      return { kind: 'swap-lines', detail: at(`lines ${i} and ${j} swapped`), victim: joinLines(out) };
    }],
    [5, () => {
      const out = [...lines];
      const dropped: number[] = [];
      for (let k = 1 + rng.int(3); k > 0; k--) {
        const i = rng.int(out.length);
        out.splice(i, 1);
        dropped.push(i);
      }
      return { kind: 'drop-lines', detail: at(`lines ${dropped.join(', ')} dropped`), victim: joinLines(out) };
    }],
    [2, () => {
      const out = lineIndexes(lines).map((i) => lines[i]!);
      for (let i = out.length - 1; i > 0; i--) {
        const j = rng.int(i + 1);
        [out[i], out[j]] = [out[j]!, out[i]!];
      }
      return { kind: 'shuffle-lines', detail: at('every line shuffled'), victim: joinLines(out) };
    }],
    [6, () => {
      const out = [...lines];
      const i = randomLine();
      const line = rng.pick(foreignLines);
      out[i] = line;
      return { kind: 'foreign-line', detail: at(`line ${i} replaced by ${show(line)}`), victim: joinLines(out), focus: line };
    }],
    [6, () => {
      const out = [...lines];
      const choice = rng.int(6);
      const version = rng.chance(0.4) ? rng.pick([3, 4, 99, 1e308, 2 ** 53]) : rng.pick(nastyValues);
      if (choice === 0) out.splice(0, 1);
      else if (choice === 1) out[0] = JSON.stringify({ deepAgentJournal: version, runId: fx.victimId });
      else if (choice === 2) out[0] = `{"deepAgentJournal":${rng.pick(nastyNumberTokens)},"runId":"${fx.victimId}"}`;
      else if (choice === 3) out[0] = JSON.stringify({ deepAgentJournal: 2, runId: rng.pick([...fx.healthyIds, '', 'someone-else', 42]) });
      else if (choice === 4) out.push(out[0]!);
      else out[0] = JSON.stringify({ deepAgentJournal: version });
      const what = ['header dropped (a version-1 journal)', `header version ${show(version)}`, 'header version as an odd number token', 'header names another run', 'header repeated at the end', `header without runId, version ${show(version)}`][choice]!;
      return { kind: 'header', detail: at(what), victim: joinLines(out), focus: out[0] };
    }],
    [4, () => {
      const choice = rng.int(12);
      const random = Buffer.from(Array.from({ length: rng.int(4096) }, () => rng.int(256)));
      const options: [string, () => Buffer | 'directory'][] = [
        ['random binary bytes', () => random],
        ['a JSON array of the events', () => Buffer.from(JSON.stringify(lines.slice(1).filter(Boolean).map((l) => JSON.parse(l)), null, 1))],
        ['empty', () => Buffer.alloc(0)],
        ['blank lines only', () => Buffer.from('\n\n  \n\t\n')],
        ['"null"', () => Buffer.from('null\n')],
        ['another run\'s journal', () => Buffer.from(fx.healthyText)],
        ['UTF-16LE with BOM', () => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(base.text, 'utf16le')])],
        ['gzip of the journal', () => gzipSync(bytes)],
        ['UTF-8 BOM + journal', () => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), bytes])],
        ['a directory', () => 'directory'],
        ['NUL bytes', () => Buffer.alloc(1 + rng.int(2048))],
        ['a pretty-printed event per file', () => Buffer.from(JSON.stringify(JSON.parse(lines[1]!), null, 2))],
      ];
      const [what, make] = options[choice]!;
      return { kind: 'foreign-file', detail: at(`file replaced by ${what}`), victim: make() };
    }],
    [5, () => {
      let out = Buffer.from(bytes);
      const done: string[] = [];
      for (let k = 1 + rng.int(3); k > 0; k--) {
        const seq = rng.pick(invalidUtf8);
        const i = rng.int(out.length + 1);
        const replace = rng.chance(0.5) ? seq.length : 0;
        out = Buffer.concat([out.subarray(0, i), Buffer.from(seq), out.subarray(i + replace)]);
        done.push(`${seq.map((b) => b.toString(16)).join(' ')} ${replace ? 'over' : 'at'} ${i}`);
      }
      return { kind: 'invalid-utf8', detail: at(done.join(', ')), victim: out };
    }],
    [6, () => {
      const out = [...lines];
      const i = randomLine();
      const numbers = [...out[i]!.matchAll(/-?\d+(\.\d+)?([eE][-+]?\d+)?/g)];
      if (numbers.length === 0) return { kind: 'huge-number', detail: at(`line ${i} has no number`), victim: joinLines(out) };
      const m = rng.pick(numbers);
      const token = rng.pick(nastyNumberTokens);
      out[i] = out[i]!.slice(0, m.index) + token + out[i]!.slice(m.index! + m[0].length);
      return { kind: 'huge-number', detail: at(`line ${i}: number ${m[0]} at column ${m.index} → ${token}`), victim: joinLines(out), focus: out[i] };
    }],
    [14, () => {
      const out = [...lines];
      const i = randomLine();
      let value: unknown;
      try {
        value = JSON.parse(out[i]!);
      } catch {
        return { kind: 'wrong-type', detail: at(`line ${i} is not JSON`), victim: joinLines(out) };
      }
      const paths = pathsOf(value);
      if (paths.length === 0) return { kind: 'wrong-type', detail: at(`line ${i} has no fields`), victim: joinLines(out) };
      const path = rng.pick(paths);
      const remove = rng.chance(0.2);
      const nasty = rng.pick(nastyValues);
      setPath(value, path, nasty, remove);
      out[i] = withDeep(JSON.stringify(value));
      return { kind: 'wrong-type', detail: at(`line ${i}: ${path.join('.')} ${remove ? 'removed' : `= ${show(nasty)}`}`), victim: joinLines(out), focus: out[i] };
    }],
    [6, () => {
      const out = [...lines];
      const i = randomLine();
      let event: Record<string, unknown>;
      try {
        event = JSON.parse(out[i]!) as Record<string, unknown>;
      } catch {
        return { kind: 'envelope', detail: at(`line ${i} is not JSON`), victim: joinLines(out) };
      }
      const choice = rng.int(5);
      let what: string;
      if (choice === 0) {
        event.type = rng.pick(eventTypes);
        what = `type → ${String(event.type)}`;
      } else if (choice === 1) {
        event.runId = rng.pick([...fx.healthyIds, 'victim-2', 'nobody', fx.victimId]);
        what = `runId → ${String(event.runId)}`;
      } else if (choice === 2) {
        event.parentRunId = rng.pick([fx.victimId, 'victim-2', 'nobody', ...fx.healthyIds]);
        what = `parentRunId → ${String(event.parentRunId)}`;
      } else if (choice === 3) {
        event.seq = rng.pick([0, 1, 2, 5, 10, 50, 1000, 2 ** 40, -1]);
        what = `seq → ${String(event.seq)}`;
      } else {
        const data = (event.data ?? {}) as Record<string, unknown>;
        data.checkpointId = rng.pick(['', '@', 'x@-1', `${fx.victimId}@0`, `${fx.victimId}@12`, `${fx.healthyIds[0]}@3`, 'victim-1@1e3']);
        event.data = data;
        what = `data.checkpointId → ${String(data.checkpointId)}`;
      }
      out[i] = JSON.stringify(event);
      return { kind: 'envelope', detail: at(`line ${i}: ${what}`), victim: joinLines(out), focus: out[i] };
    }],
    [2, () => {
      // JSON.parse reads any depth; JSON.stringify (a fork writing the event again) cannot.
      const out = [...lines];
      const i = rng.pick(lineIndexes(lines).slice(1));
      let event: { data?: Record<string, unknown> };
      try {
        event = JSON.parse(out[i]!) as typeof event;
      } catch {
        return { kind: 'deep-nesting', detail: at(`line ${i} is not JSON`), victim: joinLines(out) };
      }
      const key = rng.pick(['args', 'extra', 'result', 'history', 'text']);
      if (typeof event.data === 'object' && event.data !== null) event.data[key] = DEEP;
      out[i] = withDeep(JSON.stringify(event));
      return { kind: 'deep-nesting', detail: at(`line ${i}: data.${key} = an array nested 20,000 deep`), victim: joinLines(out), focus: out[i] };
    }],
    [2, () => {
      const crlf = rng.chance(0.5);
      return { kind: 'line-endings', detail: at(crlf ? 'CRLF line endings' : 'CR line endings'), victim: Buffer.from(base.text.replace(/\n/g, crlf ? '\r\n' : '\r')) };
    }],
    [3, () => {
      const choice = rng.int(6);
      const random = Buffer.from(Array.from({ length: rng.int(200) }, () => rng.int(256)));
      const extras: [string, Record<string, Buffer>][] = [
        ['a garbage lock file', { [`${fx.victimId}.lock`]: random }],
        ['a lock naming a live process (pid 1)', { [`${fx.victimId}.lock`]: Buffer.from(JSON.stringify({ pid: 1, host: hostname() })) }],
        ['a leftover compaction temp file', { [`${fx.victimId}.jsonl.compact`]: bytes.subarray(0, rng.int(bytes.length)) }],
        ['a foreign binary .jsonl beside it', { 'notes.jsonl': random }],
        ['a copy of the victim under a name that is not a run id', { 'copy of victim.jsonl': bytes }],
        ['a hidden copy of the victim', { '.victim.jsonl': bytes }],
      ];
      const [what, extra] = extras[choice]!;
      return { kind: 'stray-file', detail: at(`victim untouched; ${what}`), victim: bytes, extra };
    }],
  ];
  const total = kinds.reduce((sum, [weight]) => sum + weight, 0);
  let roll = rng.int(total);
  for (const [weight, make] of kinds) {
    if (roll < weight) return make();
    roll -= weight;
  }
  throw new Error('unreachable');
}

/** A printable excerpt of the mutated journal (the changed line when there is one), for the failure report. */
function excerpt(m: Mutation): string {
  if (m.victim === 'directory') return '(a directory)';
  const cut = (text: string) => JSON.stringify(text.length > 400 ? `${text.slice(0, 250)} … ${text.slice(-120)}` : text);
  return m.focus !== undefined ? `the changed line: ${cut(m.focus)}` : `the file: ${cut(m.victim.toString('latin1'))}`;
}

// ---------------------------------------------------------------------------------------------
// Checking one operation's outcome.

interface Problem {
  op: string;
  mutation: string;
  error: string;
  stack: string;
  input: string;
}

/** A fold, made comparable: Maps as arrays of entries. */
const foldText = (events: Parameters<typeof foldJournal>[0]) =>
  JSON.stringify(foldJournal(events), (_key, value: unknown) => (value instanceof Map ? [...value.entries()] : value));

function checkError(error: unknown, names: string[]): string | undefined {
  if (!(error instanceof CheckpointError)) return 'not a CheckpointError';
  if (/[\r\n]/.test(error.message)) return 'message is not one line';
  if (!names.some((name) => error.message.includes(name))) return `message names neither ${names.join(' nor ')}`;
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// The fuzz loop runs in child processes (one per shard, side by side), so that a mutation that makes
// the core loop forever is caught by a watchdog and reported, not a test run that never ends.

type ChildMessage =
  | { type: 'progress'; index: number; label: string; stats: ShardStats }
  | { type: 'problem'; severity: 'crash' | 'unclear'; problem: Problem }
  | { type: 'done'; stats: ShardStats };

const emptyStats = (): ShardStats => ({ mutations: 0, kinds: {}, checkpointMutations: 0, forks: 0, realResumes: 0, succeeded: 0, clearErrors: 0 });

interface ShardStats {
  mutations: number;
  kinds: Record<string, number>;
  checkpointMutations: number;
  forks: number;
  realResumes: number;
  succeeded: number;
  clearErrors: number;
}

/** A deterministic clock, so every process makes byte-identical journals and a mutation index always means the same bytes. */
const fixedClock = () => {
  let now = 1_750_000_000_000;
  return { now: () => (now += 7) };
};

async function fuzzShard(shard: number, shards: number, startAt: number, send: (message: ChildMessage) => void): Promise<void> {
  const stats = emptyStats();
  const root = mkdtempSync(join(tmpdir(), 'ckpt-fuzz-'));
  const runs = join(root, 'runs');
  // Temp paths differ per process; the report names the store directory <store>.
  const report = (severity: 'crash' | 'unclear', problem: Problem) =>
    send({ type: 'problem', severity, problem: { ...problem, error: problem.error.split(runs).join('<store>'), stack: problem.stack.split(runs).join('<store>') } });
  send({ type: 'progress', index: startAt, label: 'setting up: three runs of the scripted task', stats });
  const server = await startScriptedServer(taskScript());
  try {
    const store = new FileCheckpointStore(runs);
    const manager = new CheckpointManager(store, { frequency: 'tool_call' });

    // Three real runs of the scripted task: two healthy ones and the victim.
    const runTask = async (name: string) => {
      send({ type: 'progress', index: startAt, label: `setting up: the run "${name}" of the scripted task`, stats });
      const workspace = join(root, `ws-${name}`);
      mkdirSync(workspace, { recursive: true });
      const agent = createDeepAgent({ model: modelFor(server), tools: [appendLogTool(workspace)] });
      const deps = { backend: new FilesystemBackend({ root: workspace }), ids: sequentialIds(name), clock: fixedClock() };
      const result = await runWithCheckpointing(agent, taskPrompt, deps, manager);
      assert.equal(result.status, 'completed', result.error?.message);
      return result.runId;
    };
    const healthyIds = [await runTask('healthy'), await runTask('other')];
    const victimId = await runTask('victim');
    assert.equal(victimId, 'victim-1');
    const victimPath = store.journalPath(victimId);
    const fullText = readFileSync(victimPath, 'utf8');
    const knownCheckpoint = (await manager.listCheckpoints({ runId: victimId }))[1]!.checkpointId;
    // The same run, cut as a crash would leave it: after the first write-ahead intent of step 2, before its tool_end.
    const fullLines = linesOf(fullText);
    const intent = fullLines.findIndex((l) => l.includes('"type":"file_change"') && l.includes('"step":2,') && !l.includes('parentRunId'));
    assert.ok(intent > 0 && fullLines.slice(0, intent).some((l) => l.includes(`"checkpointId":"${knownCheckpoint}"`)));
    const cutText = `${fullLines.slice(0, intent + 1).join('\n')}\n`;
    const fixture: Fixture = {
      victimId,
      healthyIds,
      bases: [
        { name: 'completed', text: fullText },
        { name: 'interrupted', text: cutText },
      ],
      healthyText: readFileSync(store.journalPath(healthyIds[0]!), 'utf8'),
    };

    // What the healthy runs look like now; they must look the same after every mutation.
    const healthy = new Map<string, { fold: string; skipped: number; listed: string; checkpoints: string[] }>();
    const before = await store.listRuns();
    for (const id of healthyIds) {
      const read = await store.readJournal(id);
      const checkpoints = (await manager.listCheckpoints({ runId: id })).map((c) => c.checkpointId);
      healthy.set(id, { fold: foldText(read.events), skipped: read.skippedLines, listed: JSON.stringify(before.find((r) => r.runId === id)), checkpoints });
    }
    const healthyCheckpointIds = [...healthy.values()].flatMap((h) => h.checkpoints);
    // Both bases load and resume (the completed one is refused clearly).
    writeFileSync(victimPath, cutText);
    assert.equal((await manager.resumePoint(victimId)).state.pending?.step, 2);
    writeFileSync(victimPath, fullText);
    await assert.rejects(manager.resumePoint(victimId), /already completed/);

    const restoreVictim = (m: Mutation) => {
      rmSync(victimPath, { recursive: true, force: true });
      if (m.victim === 'directory') mkdirSync(victimPath);
      else writeFileSync(victimPath, m.victim);
      for (const [name, content] of Object.entries(m.extra ?? {})) writeFileSync(join(runs, name), content);
    };
    const cleanUp = (m: Mutation) => {
      for (const name of Object.keys(m.extra ?? {})) rmSync(join(runs, name), { force: true });
    };
    /** Runs one operation: its value, or undefined after a clear CheckpointError; anything else is reported. */
    const attemptFor = (m: Mutation, label: string) => async (op: string, f: () => Promise<unknown>, names = [victimId, victimPath]) => {
      try {
        const value = await f();
        stats.succeeded++;
        return value;
      } catch (error) {
        const problem = checkError(error, names);
        if (problem === undefined) {
          stats.clearErrors++;
          return undefined;
        }
        const e = error instanceof Error ? error : new Error(String(error));
        report(error instanceof CheckpointError ? 'unclear' : 'crash', { op, mutation: label, error: `${problem}: ${e.name}: ${e.message.slice(0, 300)}`, stack: e.stack ?? '', input: excerpt(m) });
        return undefined;
      }
    };

    const end = only !== undefined ? only + 1 : mutationCount;
    for (let i = only ?? startAt; i < end; i += only !== undefined ? 1 : shards) {
      const rng = Rng.for(seed, i);
      const m = mutate(rng, fixture);
      const label = `seed ${seed} mutation ${i}: ${m.kind}: ${m.detail}`;
      if (process.env.CHECKPOINT_FUZZ_TRACE) console.error(label);
      stats.mutations++;
      stats.kinds[m.kind] = (stats.kinds[m.kind] ?? 0) + 1;
      send({ type: 'progress', index: i, label, stats });
      restoreVictim(m);
      const attempt = attemptFor(m, label);
      // The operations only read, so they run side by side (as a UI listing runs while a resume starts would).
      const agentWide = i % 10 === 0;
      const [read, listed, , all, , , ...healthyReads] = await Promise.all([
        attempt('store.readJournal', () => store.readJournal(victimId)) as Promise<JournalRead | undefined>,
        attempt('store.listRuns', () => store.listRuns()) as Promise<StoredRun[] | undefined>,
        attempt('manager.listCheckpoints(runId)', () => manager.listCheckpoints({ runId: victimId })),
        // Every 10th time: the agent's checkpoints, every run at once (the healthy runs' must all be there).
        agentWide ? (attempt('manager.listCheckpoints(agentName)', () => manager.listCheckpoints({ agentName: 'deep-agent' }), [victimId, victimPath, ...Object.keys(m.extra ?? {})]) as Promise<{ checkpointId: string }[] | undefined>) : undefined,
        attempt('manager.load', () => manager.load(knownCheckpoint)),
        attempt('manager.resumePoint(runId)', () => manager.resumePoint(victimId)),
        ...healthyIds.map((id) => store.readJournal(id)),
      ]);
      if (read) {
        assert.ok(Array.isArray(read.events) && Number.isInteger(read.skippedLines), label);
        // Whatever was read must fold without throwing (the fold never throws on damage).
        await attempt('foldJournal', async () => foldJournal(read.events));
      }
      // The healthy runs list, read and fold exactly as before.
      healthyIds.forEach((id, k) => {
        const h = healthy.get(id)!;
        assert.equal(JSON.stringify(listed?.find((r) => r.runId === id)), h.listed, `${label}: healthy run ${id} is listed differently`);
        assert.equal(healthyReads[k]!.skippedLines, h.skipped, `${label}: healthy run ${id} now skips lines`);
        assert.equal(foldText(healthyReads[k]!.events), h.fold, `${label}: healthy run ${id} folds differently`);
      });
      if (all) for (const id of healthyCheckpointIds) assert.ok(all.some((c) => c.checkpointId === id), `${label}: healthy checkpoint ${id} missing from the agent's list`);
      if (rng.chance(m.kind === 'deep-nesting' ? 0.5 : 0.05)) {
        // Resume from a checkpoint the run went past: a fork into a new journal, then removed.
        const forked = (await attempt('manager.resumePoint(checkpointId) (fork)', () => manager.resumePoint(knownCheckpoint, { ids: sequentialIds(`fork${i}-`) }))) as { runId: string } | undefined;
        if (forked && forked.runId !== victimId) stats.forks++;
        // A fork is a new journal beside the others (kept even when it cannot be resumed): remove it.
        for (const name of readdirSync(runs)) if (name.startsWith(`fork${i}-`)) rmSync(join(runs, name), { force: true });
      }
      cleanUp(m);
    }
    rmSync(victimPath, { recursive: true, force: true });
    writeFileSync(victimPath, fullText);

    if (shard === 0 && only === undefined) {
      // Checkpoint JSON (export/import), v1 and v2: parseCheckpoint on mutated values.
      const v2 = JSON.parse(JSON.stringify(await manager.load(knownCheckpoint))) as Checkpoint;
      assert.deepEqual(parseCheckpoint(v2, 'export.json'), v2);
      const { seq: _seq, step: _step, usage: _usage, pendingToolCalls: _pending, ...rest } = v2;
      const v1 = { ...rest, version: 1 };
      assert.equal(parseCheckpoint(v1, 'v1.json').version, 2);
      for (let i = 0; i < checkpointMutationCount; i++) {
        const rng = Rng.for(seed, i, 1);
        const original = rng.chance(0.5) ? v1 : v2;
        let value: unknown = JSON.parse(JSON.stringify(original));
        let detail: string;
        const choice = rng.int(4);
        if (choice === 0) {
          const path = rng.pick(pathsOf(value));
          const nasty = rng.pick(nastyValues);
          const remove = rng.chance(0.25);
          setPath(value, path, nasty === DEEP ? JSON.parse(deepText) : nasty, remove);
          detail = `${path.join('.')} ${remove ? 'removed' : `= ${show(nasty)}`}`;
        } else if (choice === 1) {
          (value as Record<string, unknown>).version = rng.pick([0, 3, 99, 1.5, -1, 1e308, Infinity, NaN, '2', null, [2], { toString: 1 }]);
          detail = `version = ${show((value as Record<string, unknown>).version)}`;
        } else if (choice === 2) {
          value = rng.pick(nastyValues);
          detail = `the whole checkpoint = ${show(value)}`;
          if (value === DEEP) value = JSON.parse(deepText);
        } else {
          // Damage to the JSON text, where it still parses.
          const text = Buffer.from(JSON.stringify(original));
          for (let k = 1 + rng.int(4); k > 0; k--) text[rng.int(text.length)] = rng.pick([...'{}[]",:0123456789-eE.tfnul x']).charCodeAt(0);
          try {
            value = JSON.parse(text.toString());
          } catch {
            continue; // not JSON any more: nothing for parseCheckpoint to see
          }
          detail = 'bytes of its JSON text replaced';
        }
        stats.checkpointMutations++;
        const label = `seed ${seed} checkpoint mutation ${i} (v${original.version}): ${detail}`;
        if (i % 100 === 0) send({ type: 'progress', index: mutationCount, label, stats });
        try {
          assert.equal(parseCheckpoint(value, 'imported.json').version, 2, label);
          stats.succeeded++;
        } catch (error) {
          const problem = checkError(error, ['imported.json']);
          if (problem === undefined) {
            stats.clearErrors++;
            continue;
          }
          const e = error as Error;
          report(error instanceof CheckpointError ? 'unclear' : 'crash', { op: 'parseCheckpoint', mutation: label, error: `${problem}: ${e.name}: ${e.message.slice(0, 300)}`, stack: e.stack ?? '', input: show(value) });
        }
      }

      // A few real resumes of mutated interrupted journals, through the model: a result or a clear error.
      const resumeWorkspace = join(root, 'ws-resume');
      mkdirSync(resumeWorkspace, { recursive: true });
      const agent = createDeepAgent({ model: modelFor(server), tools: [appendLogTool(resumeWorkspace)], maxIterations: 12 });
      for (let i = 0; i < realResumes; i++) {
        const rng = Rng.for(seed, i, 2);
        const m = mutate(rng, { ...fixture, bases: [fixture.bases[1]!] });
        const label = `seed ${seed} real resume ${i}: ${m.kind}: ${m.detail}`;
        send({ type: 'progress', index: mutationCount, label, stats });
        restoreVictim(m);
        try {
          const deps = { backend: new FilesystemBackend({ root: resumeWorkspace }), ids: sequentialIds(`resumed${i}-`), clock: fixedClock() };
          const result = await runWithCheckpointing(agent, '', deps, manager, { resumeFrom: victimId });
          stats.realResumes++;
          // A resumed run may fail, but not on a bug of ours.
          if (result.error && ['TypeError', 'RangeError', 'ReferenceError', 'SyntaxError'].includes(result.error.name)) {
            report('crash', { op: 'runWithCheckpointing(resumeFrom): the run failed', mutation: label, error: `${result.error.name}: ${result.error.message}`, stack: result.error.stack ?? '', input: excerpt(m) });
          }
        } catch (error) {
          const problem = checkError(error, [victimId, victimPath]);
          if (problem !== undefined) {
            const e = error as Error;
            report(error instanceof CheckpointError ? 'unclear' : 'crash', { op: 'runWithCheckpointing(resumeFrom)', mutation: label, error: `${problem}: ${e.name}: ${e.message}`, stack: e.stack ?? '', input: excerpt(m) });
          }
        }
        cleanUp(m);
        rmSync(join(runs, `${victimId}.lock`), { force: true });
      }
      for (const id of healthyIds) assert.equal(foldText((await store.readJournal(id)).events), healthy.get(id)!.fold);
    }
    send({ type: 'done', stats });
  } finally {
    await server.close();
    rmSync(root, { recursive: true, force: true });
  }
}

interface ShardOutcome {
  stats: ShardStats[];
  problems: { severity: 'crash' | 'unclear'; problem: Problem }[];
  hangs: string[];
  exits: string[];
}

/** Runs a shard in a child process; a child that stops reporting progress is killed and the shard goes on after that mutation. */
async function runShard(shard: number, shards: number, out: ShardOutcome): Promise<void> {
  let startAt = shard;
  let restarts = 0;
  for (;;) {
    let last: { index: number; label: string } = { index: startAt, label: '(starting)' };
    let finished = false;
    let stderr = '';
    // Not a test process of the runner's: its stdout is the runner's report channel.
    const { NODE_TEST_CONTEXT: _context, ...env } = process.env;
    const child = spawn(process.execPath, [...process.execArgv.filter((a) => !a.startsWith('--test')), __filename], {
      env: { ...env, CHECKPOINT_FUZZ_CHILD: JSON.stringify({ shard, shards, startAt }), CHECKPOINT_FUZZ_SEED: String(seed) },
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
      if (process.env.CHECKPOINT_FUZZ_TRACE) process.stderr.write(chunk);
    });
    let lastHeard = Date.now();
    // The child's running totals, kept as they come, so a killed child's work still counts.
    let stats = emptyStats();
    child.on('message', (message: ChildMessage) => {
      lastHeard = Date.now();
      if (message.type === 'progress') {
        last = message;
        stats = message.stats;
      } else if (message.type === 'problem') out.problems.push(message);
      else {
        stats = message.stats;
        finished = true;
      }
    });
    const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    let hung = false;
    const watchdog = setInterval(() => {
      if (Date.now() - lastHeard > watchdogMs) {
        hung = true;
        child.kill('SIGKILL');
      }
    }, 250);
    const code = await exit;
    clearInterval(watchdog);
    out.stats.push(stats);
    if (finished && code === 0) return;
    if (hung) out.hangs.push(`no progress for ${watchdogMs / 1000} s (an endless loop?) after ${last.label}`);
    else out.exits.push(`the fuzz process exited with ${code} during ${last.label}: ${stderr.trim().split('\n').slice(-8).join(' | ')}`);
    if (++restarts > 3 || last.index >= mutationCount || only !== undefined) return;
    startAt = last.index + shards;
  }
}

const watchdogMs = Number(process.env.CHECKPOINT_FUZZ_WATCHDOG_MS ?? 6_000);
const shardCount = Math.max(1, Number(process.env.CHECKPOINT_FUZZ_SHARDS ?? Math.min(2, availableParallelism())));

if (process.env.CHECKPOINT_FUZZ_CHILD) {
  const { shard, shards, startAt } = JSON.parse(process.env.CHECKPOINT_FUZZ_CHILD) as { shard: number; shards: number; startAt: number };
  fuzzShard(shard, shards, startAt, (message) => process.send!(message)).then(
    () => process.disconnect(),
    (error: unknown) => {
      console.error(error instanceof Error ? error.stack : String(error));
      process.exit(1);
    },
  );
} else {
  test(`checkpoint files: ${mutationCount} journal mutations and ${checkpointMutationCount} checkpoint mutations give a clear error or a clean recovery, never a crash (seed ${seed})`, async (t) => {
    console.log(`checkpoint fuzz: seed ${seed} (CHECKPOINT_FUZZ_SEED=${seed} to repeat; CHECKPOINT_FUZZ_ONLY=<i> for one mutation)`);
    t.diagnostic(`seed ${seed}`);
    const started = Date.now();
    const out: ShardOutcome = { stats: [], problems: [], hangs: [], exits: [] };
    const shards = only !== undefined ? 1 : shardCount;
    await Promise.all(Array.from({ length: shards }, (_, shard) => runShard(shard, shards, out)));

    const total = (key: keyof ShardStats) => out.stats.reduce((sum, s) => sum + (s[key] as number), 0);
    const kinds: Record<string, number> = {};
    for (const s of out.stats) for (const [kind, n] of Object.entries(s.kinds)) kinds[kind] = (kinds[kind] ?? 0) + n;
    const crashes = out.problems.filter((p) => p.severity === 'crash').map((p) => p.problem);
    const unclear = out.problems.filter((p) => p.severity === 'unclear').map((p) => p.problem);
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    const line =
      `checkpoint fuzz: seed ${seed}: ${total('mutations')} journal mutations in ${shards} process(es) (${Object.entries(kinds).map(([k, n]) => `${k} ${n}`).join(', ')}), ` +
      `${total('checkpointMutations')} checkpoint mutations, ${total('forks')} forks, ${total('realResumes')} real resumes; ` +
      `${total('succeeded')} operations succeeded, ${total('clearErrors')} gave a clear CheckpointError; ` +
      `${crashes.length} crashes, ${unclear.length} unclear errors, ${out.hangs.length} hangs, ${out.exits.length} dead processes; ${seconds} s`;
    t.diagnostic(line);
    const failures = [
      ...out.hangs.map((h) => `HANG: ${h}`),
      ...out.exits.map((e) => `DIED: ${e}`),
      ...(crashes.length ? [`crashes (not a CheckpointError):\n${describe(crashes)}`] : []),
      ...(unclear.length ? [`CheckpointErrors that are not one line naming the file or run:\n${describe(unclear)}`] : []),
    ];
    if (failures.length) assert.fail(`checkpoint fuzz (seed ${seed}):\n${failures.join('\n')}`);
    if (only === undefined) assert.ok(total('mutations') >= mutationCount, `only ${total('mutations')} of ${mutationCount} mutations ran`);
  });
}

/** One entry per distinct failure (same operation, same kind of error, same place in src), with the first mutation that showed it. */
function describe(list: Problem[]): string {
  const distinct = new Map<string, { problem: Problem; ops: Set<string>; count: number }>();
  for (const p of list) {
    const where = p.stack.split('\n').find((l) => l.includes('/src/')) ?? '';
    const key = `${p.error.replace(/<store>\S*/g, '').replace(/\d+/g, 'N').slice(0, 70)}|${where}`;
    const seen = distinct.get(key);
    if (seen) {
      seen.count++;
      seen.ops.add(p.op);
    } else distinct.set(key, { problem: p, ops: new Set([p.op]), count: 1 });
  }
  return [...distinct.values()]
    .map(({ problem: p, ops, count }) => `- ${p.error}\n  in ${[...ops].join(', ')} (${count}×); first: ${p.mutation}\n  input: ${p.input}\n  ${p.stack.split('\n').slice(0, 6).join('\n  ')}`)
    .join('\n');
}
