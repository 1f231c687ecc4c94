/**
 * The CLI's checkpointing: `run --checkpoint-dir`, `--resume <runId|latest|checkpointId>`, and
 * `runs list|checkpoints|fork|restore`, each through the real CLI in a child process against a
 * scripted server. Interrupted runs are made by SIGKILLing the CLI when an event line shows up.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { runCliProcess, type CliProcessOptions, type CliRun } from '../support/cliProcess';
import { appendFile, mkdir, mkdtemp, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test, type TestContext } from 'node:test';
import type { StoredRun } from '../../src/core/checkpoint/store';
import type { CheckpointInfo } from '../../src/core/checkpoint/manager';
import type { RunEvent } from '../../src/core/events';
import { bundleCli } from '../support/bundle';
import { scriptedServer } from '../support/harness';
import type { ChatCompletionBody, ReceivedRequest, ScriptedReply } from '../support/scriptedServer';

/** The CLI bundled once, as `node esbuild.js` bundles dist/cli.js: a spawn then starts in a fraction of tsx's time. */
let cli = '';
before(async () => {
  cli = await bundleCli();
});

interface RunCliOptions extends Omit<CliProcessOptions, 'onLine'> {
  onEvent?: (event: RunEvent, child: ChildProcess) => void;
}

/** Runs the real CLI; `onEvent` sees each stdout line that is an event (with --events) as it arrives. */
function runCli(args: string[], { onEvent, ...options }: RunCliOptions = {}): Promise<CliRun> {
  return runCliProcess([cli], args, { ...options, onLine: (line, child) => line.startsWith('{') && onEvent?.(JSON.parse(line) as RunEvent, child) });
}

const eventsOf = (run: CliRun) => run.stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as RunEvent);

/** Three steps: plan and write notes.txt, append to it with an edit, then a final answer that streams a while. */
function notesScript(chunkDelayMs = 0) {
  const reply = (r: ScriptedReply): ScriptedReply => ({ ...r, chunkDelayMs, usage: { prompt: 50, completion: 10 } });
  return (body: ChatCompletionBody): ScriptedReply => {
    switch (body.messages.filter((m) => m.role === 'assistant').length) {
      case 0:
        return reply({
          text: ['Planning ', 'and writing.'],
          toolCalls: [
            { id: 'w1', name: 'write_todos', arguments: { todos: [{ content: 'write notes', status: 'in_progress' }] } },
            { id: 'w2', name: 'write_file', arguments: { path: 'notes.txt', content: 'one\nEND\n' } },
          ],
        });
      case 1:
        return reply({ text: ['Extending.'], toolCalls: [{ id: 'e1', name: 'edit_file', arguments: { path: 'notes.txt', old_string: 'END', new_string: 'two\nEND' } }] });
      default:
        return reply({ text: Array.from({ length: 30 }, (_, i) => `word${i} `) });
    }
  };
}

async function setup(t: TestContext, chunkDelayMs = 0) {
  const server = await scriptedServer(t, notesScript(chunkDelayMs));
  const root = await mkdtemp(join(tmpdir(), 'cli-ckpt-'));
  const workspace = join(root, 'ws');
  const dir = join(root, 'runs');
  await mkdir(workspace);
  const base = ['--workspace', workspace, '--base-url', server.url, '--model', 'scripted-model', '--checkpoint-dir', dir];
  return { server, root, workspace, dir, run: (...args: string[]) => ['run', ...base, ...args] };
}

/** Runs the CLI with --events among `args` and SIGKILLs it when `when` matches an event line; resolves with the run id. */
async function killedRun(args: string[], when: (e: RunEvent) => boolean, options: Omit<RunCliOptions, 'onEvent'> = {}): Promise<string> {
  let runId: string | undefined;
  assert.ok(args.includes('--events'));
  const run = await runCli(args, {
    ...options,
    onEvent: (event, child) => {
      runId ??= event.runId;
      if (when(event)) child.kill('SIGKILL');
    },
  });
  assert.equal(run.signal, 'SIGKILL', `the CLI was not killed: ${run.stderr}`);
  return runId!;
}

const notes = (workspace: string) => readFile(join(workspace, 'notes.txt'), 'utf8');

/** Tool results the server was sent, by tool_call_id; fails on one answered twice in one request. */
function toolResults(requests: readonly ReceivedRequest[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const { body } of requests) {
    const ids = body.messages.filter((m) => m.role === 'tool').map((m) => m.tool_call_id!);
    assert.equal(new Set(ids).size, ids.length, `a request answers a tool call twice: ${ids.join(', ')}`);
    for (const m of body.messages) if (m.role === 'tool') out.set(m.tool_call_id!, m.content ?? '');
  }
  return out;
}

test('run --checkpoint-dir journals the run there with a checkpoint per tool call; runs checkpoints lists them', async (t) => {
  const s = await setup(t);
  const run = await runCli(s.run('--events', 'write the notes'));
  assert.equal(run.code, 0, run.stderr);
  const events = eventsOf(run);
  const runId = events[0]!.runId;
  assert.match(run.stderr, new RegExp(`run ${runId} is checkpointed in ${s.dir} \\(every tool call\\)`));
  assert.deepEqual(await readdir(s.dir), [`${runId}.jsonl`], 'one journal, and its lock is released');
  assert.equal(await notes(s.workspace), 'one\ntwo\nEND\n');
  // With --events, checkpoints are events like any other.
  assert.deepEqual(events.filter((e) => e.type === 'checkpoint').map((e) => e.type === 'checkpoint' && e.data.reason), ['tool_call', 'tool_call', 'tool_call']);

  const listed = await runCli(['runs', 'checkpoints', runId, '--checkpoint-dir', s.dir, '--json']);
  assert.equal(listed.code, 0, listed.stderr);
  const checkpoints = JSON.parse(listed.stdout) as CheckpointInfo[];
  assert.deepEqual(checkpoints.map((c) => [c.reason, c.step]), [['tool_call', 1], ['tool_call', 1], ['tool_call', 2]]);
  assert.ok(checkpoints.every((c) => c.checkpointId.startsWith(`${runId}@`) && c.runId === runId));
  const table = await runCli(['runs', 'checkpoints', runId, '--checkpoint-dir', s.dir]);
  assert.match(table.stdout, /^CHECKPOINT +REASON +STEP +MODEL CALLS +TOKENS +TIME\n/);
  assert.equal(table.stdout.trimEnd().split('\n').length, 4);

  // --checkpoint-every step: one per step instead.
  const perStep = await runCli(s.run('--events', '--checkpoint-every', 'step', 'write the notes again'));
  assert.equal(perStep.code, 0, perStep.stderr);
  assert.match(perStep.stderr, /\(every step\)/);
  const reasons = eventsOf(perStep).flatMap((e) => (e.type === 'checkpoint' ? [e.data.reason] : []));
  assert.deepEqual(reasons, ['step', 'step', 'step']);
});

test('a run killed mid-stream resumes with --resume <runId>: same run, the conversation picks up where it was, no tool call twice', async (t) => {
  const s = await setup(t, 10);
  // Killed while the final answer streams: both tool steps are done.
  const runId = await killedRun(s.run('--events', 'write the notes'), (e) => e.type === 'llm_chunk' && e.data.step === 3);
  assert.equal(await notes(s.workspace), 'one\ntwo\nEND\n');
  const before = s.server.requests.length;

  const resumed = await runCli(s.run('--events', '--resume', runId));
  assert.equal(resumed.code, 0, resumed.stderr);
  const events = eventsOf(resumed);
  assert.equal(events[0]!.type, 'run_resumed');
  assert.ok(events.every((e) => e.runId === runId), 'the resumed run keeps its id');
  const first = events[0]!;
  assert.equal(first.type === 'run_resumed' && first.data.step, 3);
  const end = events.at(-1)!;
  assert.equal(end.type === 'run_end' && end.data.status, 'completed');
  assert.equal(end.type === 'run_end' && end.data.output, Array.from({ length: 30 }, (_, i) => `word${i} `).join(''));
  assert.equal(await notes(s.workspace), 'one\ntwo\nEND\n', 'the edit was not made twice');
  // One model call on resume, with exactly the conversation of the call that was cut off.
  assert.equal(s.server.requests.length - before, 1);
  assert.deepEqual(s.server.requests.at(-1)!.body.messages, s.server.requests.at(-2)!.body.messages);
  assert.deepEqual([...toolResults(s.server.requests).keys()].sort(), ['e1', 'w1', 'w2']);

  const list = await runCli(['runs', 'list', '--checkpoint-dir', s.dir, '--json']);
  assert.deepEqual((JSON.parse(list.stdout) as StoredRun[]).map((r) => [r.runId, r.status]), [[runId, 'completed']]);
  const again = await runCli(s.run('--resume', runId));
  assert.equal(again.code, 1);
  assert.match(again.stderr, new RegExp(`^deep-agent: run ${runId} already completed; fork it from one of its checkpoints to go on\\n$`));
});

test('--resume latest goes on with the newest interrupted run in the readable view, and the prompt argument is ignored with a note', async (t) => {
  const s = await setup(t, 10);
  // Killed between the two tool steps' model calls: step 2 is asked again.
  const interrupted = await killedRun(s.run('--events', 'write the notes'), (e) => e.type === 'llm_chunk' && e.data.step === 2);
  const elsewhere = join(s.root, 'elsewhere');
  await mkdir(elsewhere);
  const completed = await runCli(s.run('--workspace', elsewhere, 'a later run that completes'));
  assert.equal(completed.code, 0, completed.stderr);

  const resumed = await runCli(s.run('--resume', 'latest', 'some other task'));
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.match(resumed.stderr, /^deep-agent: note: the prompt argument is ignored with --resume; the run goes on with its own task$/m);
  assert.match(resumed.stdout, new RegExp(`^↻ resumed run ${interrupted} from step 2$`, 'm'));
  assert.match(resumed.stdout, /→ edit_file path=notes\.txt/);
  assert.doesNotMatch(resumed.stdout, /checkpoint|file_change/, 'checkpoints only show with --events');
  assert.match(resumed.stderr, /✓ completed in 3 steps/);
  assert.equal(await notes(s.workspace), 'one\ntwo\nEND\n');

  const none = await runCli(s.run('--resume', 'latest'));
  assert.equal(none.code, 1);
  assert.equal(none.stderr, `deep-agent: no interrupted run of deep-agent to resume in files in ${s.dir}\n`);
});

test('a write interrupted after its intent, whose file changed since, is a warning line and the model is told', async (t) => {
  const s = await setup(t, 10);
  const runId = await killedRun(s.run('--events', 'write the notes'), (e) => e.type === 'file_change');
  // The crash came right after the write-ahead intent (cut the journal there), and since then someone edited the file.
  const journal = join(s.dir, `${runId}.jsonl`);
  const lines = (await readFile(journal, 'utf8')).split('\n').filter(Boolean);
  const at = lines.findIndex((l) => l.includes('"type":"file_change"'));
  await writeFile(journal, `${lines.slice(0, at + 1).join('\n')}\n`);
  await writeFile(join(s.workspace, 'notes.txt'), 'edited by someone else\n');

  const resumed = await runCli(s.run('--events', '--resume', runId));
  assert.equal(resumed.code, 0, resumed.stderr);
  const warnings = resumed.stderr.split('\n').filter((l) => l.includes('warning'));
  assert.deepEqual(warnings, [
    'deep-agent: warning: write_file (w2) was interrupted and may or may not have taken effect (notes.txt holds neither the content before nor the content after the write); the model is told to check before trying again',
  ]);
  const first = eventsOf(resumed)[0]!;
  assert.deepEqual(first.type === 'run_resumed' && first.data.interruptedToolCalls, [{ toolCallId: 'w2', name: 'write_file', outcome: 'unknown' }]);
  assert.match(toolResults(s.server.requests).get('w2')!, /^Error: the run was interrupted while write_file was running, and whether it took effect is unknown/);
  assert.equal(await notes(s.workspace), 'edited by someone else\n', 'the write was not made again');
});

test('runs list: a table and --json with each run status (completed, cancelled, interrupted)', async (t) => {
  const s = await setup(t, 10);
  const completed = await runCli(s.run('--events', 'the first task'));
  assert.equal(completed.code, 0, completed.stderr);
  const completedId = eventsOf(completed)[0]!.runId;
  const interruptedId = await killedRun(s.run('--events', 'the second task'), (e) => e.type === 'llm_chunk' && e.data.step === 2);
  let cancelledId = '';
  const cancelled = await runCli(s.run('--events', 'the third task, with a long description that the table cuts short at sixty characters'), {
    onEvent: (e, child) => {
      cancelledId ||= e.runId;
      if (e.type === 'llm_chunk' && e.data.step === 2) child.kill('SIGINT');
    },
  });
  assert.equal(cancelled.code, 130);
  assert.match(cancelled.stderr, new RegExp(`^deep-agent: go on with it: deep-agent run --checkpoint-dir ${s.dir} --resume ${cancelledId}$`, 'm'));

  const json = await runCli(['runs', 'list', '--checkpoint-dir', s.dir, '--json']);
  assert.equal(json.code, 0, json.stderr);
  const runs = JSON.parse(json.stdout) as StoredRun[];
  assert.deepEqual(
    runs.map((r) => [r.runId, r.status, r.prompt.slice(0, 15)]),
    [
      [cancelledId, 'cancelled', 'the third task,'],
      [interruptedId, 'interrupted', 'the second task'],
      [completedId, 'completed', 'the first task'],
    ],
  );
  assert.ok(runs.every((r) => r.bytes > 0 && r.startedAt <= r.updatedAt && r.agentName === 'deep-agent'));
  assert.ok(runs.every((r) => Number.isInteger(r.startedAt) && Number.isInteger(r.updatedAt)), `whole milliseconds: ${json.stdout}`);

  const table = await runCli(['runs', 'list', '--checkpoint-dir', s.dir]);
  assert.equal(table.code, 0, table.stderr);
  const rows = table.stdout.trimEnd().split('\n');
  assert.match(rows[0]!, /^RUN +STATUS +STARTED +SIZE +TASK$/);
  assert.match(rows[1]!, new RegExp(`^${cancelledId} +cancelled +\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d +[\\d.]+ KB +the third task, with a long description that the table cuts…$`));
  assert.match(rows[2]!, new RegExp(`^${interruptedId} +interrupted +.* +the second task$`));
  assert.match(rows[3]!, new RegExp(`^${completedId} +completed +.* +the first task$`));

  // `latest` takes the newest run that did not finish: here the cancelled one.
  const resumed = await runCli(s.run('--events', '--resume', 'latest'));
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.equal(eventsOf(resumed)[0]!.runId, cancelledId);
});

test('a foreign, newer or damaged journal in the directory does not break runs list: the runs still list, the rest is skipped with a warning', async (t) => {
  const s = await setup(t);
  const run = await runCli(s.run('--events', 'the only real task'));
  assert.equal(run.code, 0, run.stderr);
  const runId = eventsOf(run)[0]!.runId;
  await appendFile(join(s.dir, `${runId}.jsonl`), '{"runId": "torn line from a crash\n');
  await writeFile(join(s.dir, 'foreign.jsonl'), '{"hello":"world"}\n{"level":"info","msg":"some other tool log"}\n');
  await writeFile(join(s.dir, 'newer.jsonl'), '{"deepAgentJournal":99,"runId":"newer"}\n');
  await writeFile(join(s.dir, 'empty.jsonl'), '{"deepAgentJournal":2,"runId":"empty"}\n');
  await writeFile(join(s.dir, 'notes.txt'), 'not a journal at all\n');

  for (const json of [true, false]) {
    const list = await runCli(['runs', 'list', '--checkpoint-dir', s.dir, ...(json ? ['--json'] : [])]);
    assert.equal(list.code, 0, list.stderr);
    if (json) assert.deepEqual((JSON.parse(list.stdout) as StoredRun[]).map((r) => [r.runId, r.status]), [[runId, 'completed']]);
    else assert.match(list.stdout, new RegExp(`\\n${runId} +completed .* the only real task\\n$`));
    assert.deepEqual(list.stderr.trimEnd().split('\n'), [
      `deep-agent: warning: skipped ${join(s.dir, 'empty.jsonl')}: it has no run_start event (the run was stopped before it began)`,
      `deep-agent: warning: skipped ${join(s.dir, 'foreign.jsonl')}: not a Deep Agent run journal (no journal header and no run_start event)`,
      `deep-agent: warning: skipped ${join(s.dir, 'newer.jsonl')}: written by a newer Deep Agent (journal version 99; this one reads up to 2)`,
    ]);
  }
  // The damaged run still resumes nothing (it completed) but its checkpoints read past the torn line.
  const checkpoints = await runCli(['runs', 'checkpoints', runId, '--checkpoint-dir', s.dir, '--json']);
  assert.equal((JSON.parse(checkpoints.stdout) as CheckpointInfo[]).length, 3);
});

test('runs restore puts files back as at a checkpoint (dry run, conflicts, --force); runs fork goes on from there', async (t) => {
  const s = await setup(t);
  const run = await runCli(s.run('--events', 'write the notes'));
  assert.equal(run.code, 0, run.stderr);
  const runId = eventsOf(run)[0]!.runId;
  const [afterTodos, afterWrite] = (JSON.parse((await runCli(['runs', 'checkpoints', runId, '--checkpoint-dir', s.dir, '--json'])).stdout) as CheckpointInfo[]).map((c) => c.checkpointId);
  const restore = (...args: string[]) => runCli(['runs', 'restore', ...args, '--checkpoint-dir', s.dir, '--workspace', s.workspace]);

  const dry = await restore(afterWrite!, '--dry-run');
  assert.equal(dry.stdout, 'would restore notes.txt\n');
  assert.equal(await notes(s.workspace), 'one\ntwo\nEND\n', 'a dry run changes nothing');
  const restored = await restore(afterWrite!);
  assert.equal(restored.code, 0, restored.stderr);
  assert.equal(restored.stdout, 'restored notes.txt\n');
  assert.equal(await notes(s.workspace), 'one\nEND\n');
  assert.equal((await restore(afterWrite!)).stdout, `nothing to restore: the files are as they were at ${afterWrite}\n`);

  const fork = await runCli(['runs', 'fork', afterWrite!, '--checkpoint-dir', s.dir]);
  assert.equal(fork.code, 0, fork.stderr);
  const forkId = fork.stdout.trim();
  assert.notEqual(forkId, runId);
  assert.match(fork.stderr, new RegExp(`forked run ${forkId} from ${afterWrite}; go on with it: deep-agent run --checkpoint-dir ${s.dir} --resume ${forkId}`));
  const list = JSON.parse((await runCli(['runs', 'list', '--checkpoint-dir', s.dir, '--json'])).stdout) as StoredRun[];
  const forked = list.find((r) => r.runId === forkId);
  assert.deepEqual([forked?.status, forked?.forkedFrom], ['interrupted', { runId, checkpointId: afterWrite }]);
  const before = s.server.requests.length;
  const resumed = await runCli(s.run('--events', '--resume', forkId));
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.equal(s.server.requests.length - before, 2, 'the fork asks only for the steps after its checkpoint');
  assert.equal(await notes(s.workspace), 'one\ntwo\nEND\n');

  // Back to before notes.txt existed; a file changed since the run wrote it is a conflict.
  await writeFile(join(s.workspace, 'notes.txt'), 'mine\n');
  const conflict = await restore(afterTodos!);
  assert.equal(conflict.code, 1);
  assert.equal(conflict.stderr, 'deep-agent: skipped notes.txt: changed since the run wrote it (--force restores it anyway)\n');
  assert.equal(await notes(s.workspace), 'mine\n');
  const forced = await restore(afterTodos!, '--force');
  assert.equal(forced.code, 0, forced.stderr);
  assert.equal(forced.stdout, 'deleted notes.txt\n');
  assert.equal(existsSync(join(s.workspace, 'notes.txt')), false);
});

test('checkpoint usage errors exit 2 naming the flag; bad run and checkpoint ids are one-line errors', async (t) => {
  const s = await setup(t);
  const url = ['--base-url', s.server.url, '--model', 'm'];
  await writeFile(join(s.root, 'a-file'), 'not a directory\n');
  const cases: [string[], number, RegExp][] = [
    [['run', ...url, '--resume', 'latest'], 2, /^deep-agent: --resume needs --checkpoint-dir DIR, the directory the run was checkpointed in\n$/],
    [['run', ...url, '--checkpoint-every', 'step', 'x'], 2, /^deep-agent: --checkpoint-every needs --checkpoint-dir DIR\n$/],
    [['run', ...url, '--checkpoint-dir', s.dir, '--checkpoint-every', 'hourly', 'x'], 2, /^deep-agent: --checkpoint-every must be one of step, iteration, tool_call, got "hourly"\n$/],
    [['run', ...url, '--checkpoint-dir', s.dir], 2, /^deep-agent: the task prompt is missing: deep-agent run "<task>", or --resume a checkpointed run\n$/],
    [['run', ...url, '--checkpoint-dir', join(s.root, 'nowhere'), '--resume', 'latest'], 2, /^deep-agent: --checkpoint-dir \S+nowhere does not exist, so it has no run to resume\n$/],
    [['run', ...url, '--workspace', s.workspace, '--checkpoint-dir', join(s.workspace), '--resume', 'no-such-run'], 1, /^deep-agent: no run no-such-run in files in \S+\n$/],
    [['runs', 'list'], 2, /^error: required option '--checkpoint-dir <dir>' not specified\n$/],
    [['runs', 'list', '--checkpoint-dir', join(s.root, 'a-file')], 2, /^deep-agent: --checkpoint-dir \S+a-file is not a directory\n$/],
    [['runs', 'checkpoints', 'r', '--checkpoint-dir', join(s.root, 'nowhere')], 2, /^deep-agent: --checkpoint-dir \S+nowhere does not exist\n$/],
    [['runs', 'fork', 'not-a-checkpoint', '--checkpoint-dir', s.workspace], 1, /^deep-agent: "not-a-checkpoint" is not a checkpoint id \(expected <runId>@<seq>\)\n$/],
    [['runs', 'restore', 'r@1', '--checkpoint-dir', s.workspace], 2, /^error: required option '--workspace <dir>' not specified\n$/],
    [['runs', 'checkpoints', 'nope', '--checkpoint-dir', s.workspace], 1, /^deep-agent: no run nope in files in \S+\n$/],
  ];
  for (const [args, code, stderr] of cases) {
    const run = await runCli(args);
    assert.equal(run.code, code, `${args.join(' ')}: ${run.stderr}`);
    assert.match(run.stderr, stderr, args.join(' '));
  }
  assert.equal(s.server.requests.length, 0, 'no usage error reached the model');
});

test('--checkpoint-dir takes a PostgreSQL URL: runs are kept on the server, listed, and a killed run resumes from there', async (t) => {
  const { startPostgres } = await import('../support/postgres');
  const pg = await startPostgres();
  t.after(() => pg.stop());
  const url = new URL(pg.connectionString);
  const s = await setup(t, 20);
  const onServer = (...args: string[]) => s.run(...args).map((a) => (a === s.dir ? url.toString() : a));

  const runId = await killedRun(onServer('--events', 'write the notes'), (e) => e.type === 'llm_chunk' && e.data.step === 3);
  const listed = await runCli(['runs', 'list', '--checkpoint-dir', url.toString(), '--json']);
  assert.equal(listed.code, 0, listed.stderr);
  assert.deepEqual((JSON.parse(listed.stdout) as StoredRun[]).map((r) => [r.runId, r.status]), [[runId, 'interrupted']]);
  assert.equal(existsSync(s.dir), false, 'nothing was written to a directory');

  const resumed = await runCli(onServer('--resume', 'latest'));
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.equal(await notes(s.workspace), 'one\ntwo\nEND\n');
  const after = await runCli(['runs', 'list', '--checkpoint-dir', url.toString(), '--json']);
  assert.deepEqual((JSON.parse(after.stdout) as StoredRun[]).map((r) => [r.runId, r.status]), [[runId, 'completed']]);
});

test('a PostgreSQL URL is shown without its password', async () => {
  const { shownLocation } = await import('../../src/core/launch/checkpointLocation');
  assert.equal(shownLocation('postgres://team:s3cret@db.example:5432/runs'), 'postgres://team@db.example:5432/runs');
  assert.equal(shownLocation('/tmp/runs'), '/tmp/runs');
});

test('a killed run resumes with only --checkpoint-dir and --resume latest from another directory: in its workspace, with its model, endpoint and key variable', async (t) => {
  const server = await scriptedServer(t, notesScript(10));
  const root = await mkdtemp(join(tmpdir(), 'cli-resume-'));
  const workspace = join(root, 'ws');
  const elsewhere = join(root, 'elsewhere');
  await mkdir(workspace);
  await mkdir(elsewhere);
  // Started with relative paths from the parent folder, and a key in a variable of its own.
  const first = ['run', '--workspace', 'ws', '--checkpoint-dir', 'runs', '--base-url', server.url, '--model', 'scripted-model', '--api-key-env', 'NOTES_KEY', '--events', 'write the notes'];
  const runId = await killedRun(first, (e) => e.type === 'llm_chunk' && e.data.step === 2, { cwd: root, env: { NOTES_KEY: 'sk-first-key' } });
  assert.equal(await notes(workspace), 'one\nEND\n', 'killed before the edit');
  const before = server.requests.length;

  const resumed = await runCli(['run', '--checkpoint-dir', '../runs', '--resume', 'latest'], { cwd: elsewhere, env: { NOTES_KEY: 'sk-resumed-key' } });
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.equal(resumed.stderr.split('\n')[0], `deep-agent: resuming run ${runId} in ${workspace} with scripted-model at ${server.url}`);
  assert.doesNotMatch(resumed.stderr, /warning|note/);
  assert.match(resumed.stdout, new RegExp(`^↻ resumed run ${runId} from step 2$`, 'm'));
  assert.match(resumed.stderr, /✓ completed in 3 steps/);
  assert.equal(await notes(workspace), 'one\ntwo\nEND\n');
  assert.deepEqual(await readdir(elsewhere), [], 'nothing was written in the current directory');
  const asked = server.requests.slice(before);
  assert.equal(asked.length, 2);
  assert.deepEqual(asked.map((r) => [r.body.model, r.headers.authorization]), [['scripted-model', 'Bearer sk-resumed-key'], ['scripted-model', 'Bearer sk-resumed-key']]);

  const journal = await readFile(join(root, 'runs', `${runId}.jsonl`), 'utf8');
  assert.match(journal, /"apiKeyEnv":"NOTES_KEY"/);
  assert.doesNotMatch(journal, /sk-first-key|sk-resumed-key/, 'the journal names the key variable, never a key');
  const list = await runCli(['runs', 'list', '--checkpoint-dir', join(root, 'runs'), '--json']);
  assert.deepEqual((JSON.parse(list.stdout) as StoredRun[]).map((r) => [r.runId, r.status]), [[runId, 'completed']]);
});

test('flags given again on resume win, with a warning naming the flag and both values; another --workspace is refused before anything is written', async (t) => {
  const s = await setup(t, 10);
  const runId = await killedRun(s.run('--events', 'write the notes'), (e) => e.type === 'llm_chunk' && e.data.step === 2);
  const journal = join(s.dir, `${runId}.jsonl`);
  const journalBefore = await readFile(journal, 'utf8');
  const [checkpoint] = JSON.parse((await runCli(['runs', 'checkpoints', runId, '--checkpoint-dir', s.dir, '--json'])).stdout) as CheckpointInfo[];
  const elsewhere = join(s.root, 'elsewhere');
  await mkdir(elsewhere);
  const before = s.server.requests.length;

  // The journal tells of the files in its own workspace; a run id or a checkpoint id alike.
  for (const ref of [runId, checkpoint!.checkpointId]) {
    const refused = await runCli(s.run('--workspace', elsewhere, '--resume', ref));
    assert.equal(refused.code, 2, refused.stderr);
    assert.equal(refused.stderr, `deep-agent: --workspace ${elsewhere} differs from ${s.workspace}, where run ${runId} worked; leave --workspace out to go on there\n`);
  }
  assert.equal(s.server.requests.length, before);
  assert.equal(await readFile(journal, 'utf8'), journalBefore);
  assert.deepEqual((await readdir(s.dir)).filter((f) => f.endsWith('.jsonl')), [`${runId}.jsonl`], 'no fork was made');

  // The base flags (workspace, endpoint, model) come again unchanged: no warning for them.
  const resumed = await runCli(s.run('--model', 'other-model', '--max-iterations', '9', '--resume', runId));
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.deepEqual(resumed.stderr.split('\n').filter((l) => l.includes('warning')), [
    `deep-agent: warning: --model other-model differs from what run ${runId} recorded (scripted-model); going on with other-model`,
    `deep-agent: warning: --max-iterations 9 differs from what run ${runId} recorded (50); going on with 9`,
  ]);
  assert.deepEqual(s.server.requests.slice(before).map((r) => r.body.model), ['other-model', 'other-model']);
  assert.match(resumed.stderr, /\[step 3\/9 /);
  assert.equal(await notes(s.workspace), 'one\ntwo\nEND\n');
});

test('a run whose workspace was moved: resuming says where it worked; with --workspace it goes on in the new place, with a warning', async (t) => {
  const s = await setup(t, 10);
  const runId = await killedRun(s.run('--events', 'write the notes'), (e) => e.type === 'llm_chunk' && e.data.step === 2);
  const moved = join(s.root, 'moved');
  await rename(s.workspace, moved);

  const lost = await runCli(['run', '--checkpoint-dir', s.dir, '--resume', 'latest']);
  assert.equal(lost.code, 2);
  assert.equal(lost.stderr, `deep-agent: run ${runId} worked in ${s.workspace}, which does not exist any more; give --workspace DIR to go on where its files are now\n`);
  const found = await runCli(['run', '--checkpoint-dir', s.dir, '--resume', 'latest', '--workspace', moved]);
  assert.equal(found.code, 0, found.stderr);
  assert.match(found.stderr, new RegExp(`^deep-agent: warning: run ${runId} worked in ${s.workspace}, which does not exist any more; going on in --workspace ${moved}$`, 'm'));
  assert.equal(await notes(moved), 'one\ntwo\nEND\n');
});

test('the next resume goes on with the options the last one used, without flags and without warnings', async (t) => {
  const s = await setup(t, 10);
  const runId = await killedRun(s.run('--events', 'write the notes'), (e) => e.type === 'llm_chunk' && e.data.step === 2);
  await killedRun(s.run('--events', '--model', 'other-model', '--max-iterations', '9', '--resume', runId), (e) => e.type === 'llm_chunk' && e.data.step === 3);
  const before = s.server.requests.length;
  const resumed = await runCli(['run', '--checkpoint-dir', s.dir, '--resume', runId]);
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.doesNotMatch(resumed.stderr, /warning/);
  assert.match(resumed.stderr, new RegExp(`^deep-agent: resuming run ${runId} in ${s.workspace} with other-model at `, 'm'));
  assert.deepEqual(s.server.requests.slice(before).map((r) => r.body.model), ['other-model']);
  assert.match(resumed.stderr, /\[step 3\/9 /);
  assert.equal(await notes(s.workspace), 'one\ntwo\nEND\n');
});

test('a run recorded across a kill and a resume (--record on both) replays whole with --replay --strict and no server', async (t) => {
  const s = await setup(t, 10);
  const fixture = join(s.root, 'notes.fixture.json');
  await killedRun(s.run('--events', '--record', fixture, 'write the notes'), (e) => e.type === 'llm_chunk' && e.data.step === 2);
  // --record is per invocation: given again, appending to the same file through --replay.
  const resumed = await runCli(['run', '--checkpoint-dir', s.dir, '--resume', 'latest', '--replay', fixture, '--record', fixture]);
  assert.equal(resumed.code, 0, resumed.stderr);
  await s.server.close();

  const fresh = join(s.root, 'fresh');
  await mkdir(fresh);
  const replayed = await runCli(['run', '--workspace', fresh, '--replay', fixture, '--strict', 'write the notes']);
  assert.equal(replayed.code, 0, replayed.stderr);
  assert.equal(await notes(fresh), 'one\ntwo\nEND\n');
});

test('runs list on a directory nothing was checkpointed in yet is the empty list, not an error', async () => {
  const missing = join(await mkdtemp(join(tmpdir(), 'cli-ckpt-')), 'not-yet');
  const table = await runCli(['runs', 'list', '--checkpoint-dir', missing]);
  assert.deepEqual([table.code, table.stdout, table.stderr], [0, `no runs in ${missing}\n`, '']);
  const json = await runCli(['runs', 'list', '--checkpoint-dir', missing, '--json']);
  assert.deepEqual([json.code, json.stdout, json.stderr], [0, '[]\n', '']);
  assert.equal(existsSync(missing), false, 'listing does not create it');
});
