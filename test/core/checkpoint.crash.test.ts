/**
 * THE crash test: a child process (test/support/crashChild.ts) runs the scripted multi-step task
 * with side-effecting tools and is killed with SIGKILL at 50 random points — before its first
 * event, mid-stream, between tool calls and steps, inside the subagent, right after a write-ahead
 * file_change (so mid-write). Each time the run is resumed (sometimes killed again while resuming)
 * and must end exactly as an uninterrupted run: same messages, same workspace, and no side effect
 * twice — the workspace (notes.txt appends, effects.log entries) and the scripted server's request
 * log (tool results per tool_call_id) prove it.
 *
 * The seed is printed; CRASH_SEED=<n> repeats a run, CRASH_POINTS=<n> changes the number of kills.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { build } from 'esbuild';
import { FileCheckpointStore } from '../../src/core/checkpoint/fileStore';
import { foldJournal } from '../../src/core/runState';
import type { RunEvent } from '../../src/core/events';
import type { ChatMessage } from '../../src/core/model/types';
import { taskScript } from '../support/checkpointTask';
import { startScriptedServer, type ReceivedRequest, type ScriptedServer } from '../support/scriptedServer';

const POINTS = Number(process.env.CRASH_POINTS ?? 50);
const SEED = process.env.CRASH_SEED !== undefined ? Number(process.env.CRASH_SEED) : Math.floor(Math.random() * 2 ** 31);
/** Streams take time, so kills land inside them. */
const CHUNK_DELAY_MS = 2;
/** The child pauses this long after each side effect, so kills land between an effect and its result too. */
const EFFECT_PAUSE_MS = 6;
/** No single child may take longer than this; a hung child fails the test instead of hanging it. */
const CHILD_TIMEOUT_MS = 30_000;

/** mulberry32: a small seeded PRNG, so a failing seed can be run again. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * When the parent kills the child: on the k-th event line; on the line announcing the n-th side
 * effect (a file_change, or the tool_start of append_log), at once or `extraMs` later; or `ms` after
 * the start.
 */
type KillPlan = { kind: 'event'; k: number } | { kind: 'effect'; n: number; extraMs: number } | { kind: 'delay'; ms: number } | { kind: 'none' };

const announcesEffect = (e: RunEvent) => e.type === 'file_change' || (e.type === 'tool_start' && e.data.name === 'append_log');

interface ChildRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  events: RunEvent[];
  result?: { runId: string; status: string; error?: string; messages: ChatMessage[] };
  stderr: string;
  ms: number;
}

/** The child, bundled once: a bundled script starts several times faster than one through tsx, and there are 100+ starts. */
let childScript = '';
before(async () => {
  const dir = await mkdtemp(join(tmpdir(), 'crash-child-'));
  childScript = join(dir, 'crashChild.cjs');
  await build({ entryPoints: [join(__dirname, '../support/crashChild.ts')], outfile: childScript, bundle: true, platform: 'node', target: 'node20', format: 'cjs', logLevel: 'error', external: ['@lancedb/lancedb-*'] });
});
after(() => rm(join(childScript, '..'), { recursive: true, force: true }));

function runChild(args: string[], plan: KillPlan): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [childScript, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, CRASH_EFFECT_PAUSE_MS: String(EFFECT_PAUSE_MS) },
    });
    const events: RunEvent[] = [];
    let result: ChildRun['result'];
    let stderr = '';
    let pending = '';
    let effects = 0;
    const kill = () => child.kill('SIGKILL');
    const timers: NodeJS.Timeout[] = [];
    timers.push(
      setTimeout(() => {
        kill();
        reject(new Error(`crash child ${args.join(' ')} took over ${CHILD_TIMEOUT_MS} ms; stderr: ${stderr}`));
      }, CHILD_TIMEOUT_MS),
    );
    if (plan.kind === 'delay') timers.push(setTimeout(kill, plan.ms));
    child.stdout.on('data', (data: Buffer) => {
      pending += data;
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const line of lines) {
        const value = JSON.parse(line) as RunEvent | { result: ChildRun['result'] };
        if ('result' in value) {
          result = value.result;
          continue;
        }
        events.push(value);
        if (plan.kind === 'event' && events.length === plan.k) kill();
        if (plan.kind === 'effect' && announcesEffect(value) && ++effects === plan.n) {
          if (plan.extraMs === 0) kill();
          else timers.push(setTimeout(kill, plan.extraMs));
        }
      }
    });
    child.stderr.on('data', (data: Buffer) => (stderr += data));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      for (const timer of timers) clearTimeout(timer);
      resolve({ code, signal, events, result, stderr, ms: performance.now() - started });
    });
  });
}

async function workspaceFiles(dir: string): Promise<{ files: Record<string, string>; leftovers: string[] }> {
  const files: Record<string, string> = {};
  const leftovers: string[] = [];
  for (const name of (await readdir(dir)).sort()) {
    // An atomic write killed before its rename leaves its temp file (named so it can be recognised).
    if (name.endsWith('.dawtmp')) leftovers.push(name);
    else files[name] = await readFile(join(dir, name), 'utf8');
  }
  return { files, leftovers };
}

/** Tool results the model was sent, by tool_call_id; fails on a request that answers one call twice. */
function toolResultsSent(requests: readonly ReceivedRequest[], where: string): Map<string, Set<string>> {
  const sent = new Map<string, Set<string>>();
  for (const [i, { body }] of requests.entries()) {
    const ids = body.messages.filter((m) => m.role === 'tool').map((m) => m.tool_call_id!);
    assert.equal(new Set(ids).size, ids.length, `${where}: request #${i + 1} answers a tool call twice: ${ids.join(', ')}`);
    for (const m of body.messages) {
      if (m.role !== 'tool') continue;
      const seen = sent.get(m.tool_call_id!) ?? new Set<string>();
      seen.add(m.content ?? '');
      sent.set(m.tool_call_id!, seen);
    }
  }
  return sent;
}

/** Where a kill landed, from the journal it left (what a resume goes on from) and the workspace. */
async function killCategory(store: FileCheckpointStore, checkpointDir: string, workspace: string): Promise<{ category: string; runId?: string; inSubagent: boolean }> {
  const names = (await readdir(checkpointDir).catch(() => [] as string[])).filter((n) => n.endsWith('.jsonl'));
  if (names.length === 0) return { category: 'before the journal', inSubagent: false };
  assert.equal(names.length, 1, `one journal, got ${names.join(', ')}`);
  const runId = names[0]!.slice(0, -'.jsonl'.length);
  const { events } = await store.readJournal(runId);
  const last = events.at(-1);
  if (!last || !events.some((e) => e.type === 'run_start')) return { category: 'before run_start', runId, inSubagent: false };
  const inSubagent = last.parentRunId !== undefined;
  const previous = events.at(-2);
  // The run's answer is in (its last model call asked for no tools), only run_end is missing.
  const answer = events.findLast((e) => e.type === 'llm_end' && e.runId === last.runId);
  const finalStep = answer?.type === 'llm_end' && answer.data.toolCalls.length === 0;
  switch (last.type) {
    case 'run_start':
      return { category: 'before the first step', runId, inSubagent };
    case 'step_start':
      return { category: 'between steps', runId, inSubagent };
    case 'llm_start':
      return { category: 'model call sent, nothing streamed yet', runId, inSubagent };
    case 'llm_chunk':
      return { category: 'mid-stream', runId, inSubagent };
    case 'llm_end':
    case 'partial_result':
      return { category: 'after a model answer', runId, inSubagent };
    case 'tool_start': {
      if (last.data.name !== 'append_log') return { category: 'inside a tool call', runId, inSubagent };
      const log = await readFile(join(workspace, 'effects.log'), 'utf8').catch(() => '');
      const logged = log.split('\n').some((line) => line.startsWith(`${last.data.toolCallId} `));
      return { category: logged ? 'inside append_log, logged' : 'inside append_log, not logged', runId, inSubagent };
    }
    case 'file_change': {
      const current = await readFile(join(workspace, last.data.path), 'utf8').catch(() => null);
      return { category: current === last.data.after ? 'after file_change, written' : 'after file_change, not written', runId, inSubagent };
    }
    case 'tool_end':
      return { category: 'between tool calls', runId, inSubagent };
    case 'checkpoint':
      if (previous?.type !== 'step_end') return { category: 'between tool calls', runId, inSubagent };
      return { category: finalStep ? 'after the final step, before run_end' : 'between steps', runId, inSubagent };
    case 'progress':
    case 'step_end':
      return { category: finalStep ? 'after the final step, before run_end' : 'between steps', runId, inSubagent };
    case 'run_end':
      return { category: last.parentRunId ? 'between tool calls' : 'after run_end', runId, inSubagent };
    default:
      return { category: `after ${last.type}`, runId, inSubagent };
  }
}

test(`SIGKILL at ${POINTS} random points: resume always ends as the uninterrupted run, with no side effect twice`, { timeout: 300_000 }, async (t) => {
  const started = performance.now();
  const root = await mkdtemp(join(tmpdir(), 'crash-'));
  t.after(() => rm(root, { recursive: true, force: true }));
  const random = prng(SEED);
  t.diagnostic(`seed ${SEED} (CRASH_SEED=${SEED} repeats this run)`);

  const servers: ScriptedServer[] = [];
  t.after(() => Promise.all(servers.map((s) => s.close())));
  const setup = async (name: string) => {
    const server = await startScriptedServer(taskScript({ chunkDelayMs: CHUNK_DELAY_MS }));
    servers.push(server);
    const dir = join(root, name);
    const workspace = join(dir, 'ws');
    const checkpointDir = join(dir, 'runs');
    await mkdir(workspace, { recursive: true });
    return { server, workspace, checkpointDir, store: new FileCheckpointStore(checkpointDir), args: [server.url, workspace, checkpointDir] };
  };

  // The uninterrupted run: what every crashed-and-resumed run must end as.
  const base = await setup('uninterrupted');
  const full = await runChild([...base.args, 'start'], { kind: 'none' });
  assert.equal(full.code, 0, full.stderr);
  assert.equal(full.result?.status, 'completed');
  const expectedMessages = full.result.messages;
  const expected = await workspaceFiles(base.workspace);
  assert.equal(expected.files['notes.txt'], 'first\nsecond\nthird\nEND\n');
  assert.equal(expected.files['sub.txt'], 'from the subagent\n');
  assert.deepEqual(expected.files['effects.log']!.split('\n').filter(Boolean).sort(), ['c5 notes extended', 'c8 all done']);
  const expectedResults = toolResultsSent(base.server.requests, 'uninterrupted run');
  assert.deepEqual([...expectedResults.keys()].sort(), ['c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7', 'c8', 'c9', 'sub_w']);
  for (const [id, contents] of expectedResults) assert.equal(contents.size, 1, `${id} answered one way`);
  const eventCount = full.events.length;
  assert.equal(full.events.filter((e) => e.type === 'file_change').length, 4);
  const effectCount = full.events.filter(announcesEffect).length;
  const firstEventMs = full.ms - (full.events.at(-1)!.ts - full.events[0]!.ts);

  const categories = new Map<string, number>();
  const count = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);
  const recoveries = new Map<string, number>();
  let subagentKills = 0;
  let resumeKills = 0;
  let leftoverTempFiles = 0;
  // Most events are streamed chunks: half the event kills aim at one, half at any other event.
  const chunkLines = full.events.flatMap((e, i) => (e.type === 'llm_chunk' ? [i + 1] : []));
  const otherLines = full.events.flatMap((e, i) => (e.type !== 'llm_chunk' ? [i + 1] : []));
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const pickPlan = (): KillPlan => {
    const r = random();
    if (r < 0.4) return { kind: 'event', k: pick(random() < 0.5 ? chunkLines : otherLines) };
    // The effect follows its line: killed at once, it has mostly not happened yet; a few ms later, it has.
    if (r < 0.7) return { kind: 'effect', n: 1 + Math.floor(random() * effectCount), extraMs: random() < 0.5 ? 0 : 1 + Math.floor(random() * 8) };
    return { kind: 'delay', ms: Math.floor(firstEventMs * 0.7 + random() * (full.ms - firstEventMs * 0.7)) };
  };

  /** One kill point: start, kill, resume (maybe killed again) until completed, then compare with the uninterrupted run. */
  async function killAndResume(i: number, plan: KillPlan, where: string): Promise<void> {
    const s = await setup(`kill-${i}`);
    let run = await runChild([...s.args, 'start'], plan);
    if (run.signal !== 'SIGKILL') assert.equal(run.code, 0, `${where}: not killed, and failed: ${run.stderr}`);
    leftoverTempFiles += (await workspaceFiles(s.workspace)).leftovers.length;
    const landed = await killCategory(s.store, s.checkpointDir, s.workspace);
    count(categories, run.signal === 'SIGKILL' ? landed.category : 'not killed (finished first)');
    if (landed.inSubagent) subagentKills++;
    where += ` [${landed.category}${landed.inSubagent ? ', in the subagent' : ''}]`;

    let runId: string | undefined;
    let messages = run.result?.messages;
    for (let attempt = 0; run.signal === 'SIGKILL'; attempt++) {
      assert.ok(attempt < 4, `${where}: still not completed after ${attempt} resumes`);
      const now = await killCategory(s.store, s.checkpointDir, s.workspace);
      if (now.category === 'after run_end') {
        // Killed while closing a finished run: nothing to resume; the journal holds the whole run.
        const { events } = await s.store.readJournal(now.runId!);
        const { root } = foldJournal(events);
        assert.equal(root?.ended?.status, 'completed', where);
        messages = [{ role: 'user', content: root!.prompt }, ...root!.messages];
        runId = now.runId;
        break;
      }
      const hasRun = now.runId !== undefined && now.category !== 'before run_start';
      runId = hasRun ? now.runId : undefined;
      // Killed before run_start was journaled: there is nothing to resume, so the task starts over.
      if (!hasRun) await rm(s.checkpointDir, { recursive: true, force: true });
      const killAgain = attempt < 2 && random() < 0.25;
      if (killAgain) resumeKills++;
      const resumePlan: KillPlan = killAgain ? { kind: 'event', k: 1 + Math.floor(random() * eventCount * 0.5) } : { kind: 'none' };
      run = await runChild([...s.args, ...(hasRun ? ['resume', runId!] : ['start'])], resumePlan);
      messages = run.result?.messages;
      if (run.signal === 'SIGKILL') {
        const again = await killCategory(s.store, s.checkpointDir, s.workspace);
        where += `, resume killed again [${again.category}${again.inSubagent ? ', in the subagent' : ''}]`;
      }
      if (run.signal !== 'SIGKILL') {
        assert.equal(run.code, 0, `${where}: ${run.stderr}`);
        assert.equal(run.result?.status, 'completed', `${where}: ${run.result?.error}`);
        if (runId) assert.equal(run.result.runId, runId, `${where}: resume goes on with the same run`);
      }
      for (const e of run.events) {
        if (e.type === 'run_resumed') for (const c of e.data.interruptedToolCalls) count(recoveries, `${c.name}: ${c.outcome}`);
      }
    }
    await s.server.close();
    const { files, leftovers } = await workspaceFiles(s.workspace);
    // A write killed before its rename did not happen, so resume writes there again, and clears the leftover first.
    assert.deepEqual(leftovers, [], `${where}: temp files of killed writes are cleaned up`);
    // notes.txt shows a repeated edit, effects.log a repeated append_log.
    assert.deepEqual(files, expected.files, `${where}: workspace`);
    // The server saw every tool call answered, each as in the uninterrupted run, never twice in one request.
    const sent = toolResultsSent(s.server.requests, where);
    assert.deepEqual([...sent.keys()].sort(), [...expectedResults.keys()].sort(), `${where}: tool calls answered`);
    for (const [id, contents] of sent) assert.deepEqual([...contents], [...expectedResults.get(id)!], `${where}: what the model was told of ${id}`);
    assert.deepEqual(messages, expectedMessages, `${where}: final messages`);
    const listed = await s.store.listRuns();
    assert.deepEqual(listed.map((r) => r.status), ['completed'], `${where}: run list`);
  }

  // Every kill point runs even when one fails, so a failure report lists all the points that broke.
  const failures: string[] = [];
  for (let i = 0; i < POINTS; i++) {
    const plan = pickPlan();
    const where = `kill #${i} ${JSON.stringify(plan)}`;
    try {
      await killAndResume(i, plan, where);
    } catch (error) {
      failures.push((error instanceof Error ? error.message : String(error)).split('\n')[0]!);
    }
  }

  const report = [...categories].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k}: ${v}`).join(', ');
  t.diagnostic(`kills by where they landed: ${report}`);
  t.diagnostic(`kills inside the subagent: ${subagentKills}; resumes killed again: ${resumeKills}; temp files left by killed writes (then cleaned up): ${leftoverTempFiles}`);
  t.diagnostic(`interrupted calls on resume: ${[...recoveries].map(([k, v]) => `${k} ×${v}`).join(', ') || 'none'}`);
  t.diagnostic(`${POINTS} kills in ${((performance.now() - started) / 1000).toFixed(1)} s (uninterrupted run ${full.ms.toFixed(0)} ms)`);
  assert.deepEqual(failures, [], `seed ${SEED}: ${failures.length} of ${POINTS} kill points did not end as the uninterrupted run`);
  // If the kills never land mid-stream or right after a write-ahead intent, the harness is not testing what it claims.
  if (POINTS >= 50) {
    assert.ok((categories.get('mid-stream') ?? 0) > 0, `no kill landed mid-stream: ${report}`);
    const afterFileChange = (categories.get('after file_change, written') ?? 0) + (categories.get('after file_change, not written') ?? 0);
    assert.ok(afterFileChange > 0, `no kill landed right after a file_change: ${report}`);
  }
});

/**
 * Some windows are too narrow for random kills to hit often: step_end and run_end are written in
 * the same tick. A kill between them (journal cut there) must still end as the uninterrupted run,
 * without asking the model again — for the top-level run and for the subagent.
 */
test('killed between the final step_end and run_end (top-level run or subagent): resume asks the model nothing again', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'crash-final-'));
  t.after(() => rm(root, { recursive: true, force: true }));
  const server = await startScriptedServer(taskScript());
  t.after(() => server.close());
  const problems: string[] = [];
  for (const who of ['the top-level run', 'the subagent'] as const) {
    const dir = join(root, who.replace(/\W/g, ''));
    const workspace = join(dir, 'ws');
    await mkdir(workspace, { recursive: true });
    const store = new FileCheckpointStore(join(dir, 'runs'));
    const args = [server.url, workspace, join(dir, 'runs')];
    const full = await runChild([...args, 'start'], { kind: 'none' });
    assert.equal(full.code, 0, full.stderr);
    const files = await workspaceFiles(workspace);
    const runId = full.result!.runId;
    // Cut the journal after the run's (or subagent's) last step_end: a SIGKILL just before its run_end.
    const path = store.journalPath(runId);
    const lines = (await readFile(path, 'utf8')).split('\n').filter(Boolean);
    const isTarget = (line: string) => {
      const e = JSON.parse(line) as RunEvent;
      return e.type === 'step_end' && (who === 'the subagent' ? e.parentRunId !== undefined : e.parentRunId === undefined);
    };
    const cut = lines.findLastIndex(isTarget);
    await writeFile(path, `${lines.slice(0, cut + 1).join('\n')}\n`);
    // And the workspace as it was then: later writes undone, later log entries gone.
    const later = lines.slice(cut + 1).map((line) => JSON.parse(line) as RunEvent);
    for (const e of later.reverse()) {
      if (e.type !== 'file_change') continue;
      if (e.data.before === null) await rm(join(workspace, e.data.path));
      else await writeFile(join(workspace, e.data.path), e.data.before);
    }
    const laterCalls = new Set(later.flatMap((e) => (e.type === 'tool_start' ? [e.data.toolCallId] : [])));
    const log = files.files['effects.log']!.split('\n').filter((line) => line && !laterCalls.has(line.split(' ')[0]!));
    await writeFile(join(workspace, 'effects.log'), log.map((line) => `${line}\n`).join(''));
    // What the uninterrupted run asked the model after that point.
    const answered = full.events.findLastIndex((e) => e.type === 'step_end' && (who === 'the subagent') === (e.parentRunId !== undefined));
    const stillToAsk = full.events.slice(answered + 1).filter((e) => e.type === 'llm_start').length;
    const before = server.requests.length;
    const resumed = await runChild([...args, 'resume', runId], { kind: 'none' });
    assert.equal(resumed.code, 0, resumed.stderr);
    const asked = server.requests.length - before;
    if (asked !== stillToAsk) problems.push(`${who}: resume asked the model ${asked} time(s), the uninterrupted run only ${stillToAsk} after that point`);
    try {
      assert.deepEqual(resumed.result!.messages, full.result!.messages);
    } catch {
      problems.push(`${who}: the final messages differ (${resumed.result!.messages.length} messages instead of ${full.result!.messages.length})`);
    }
    assert.deepEqual(await workspaceFiles(workspace), files, `${who}: workspace`);
  }
  assert.deepEqual(problems, []);
});
