import assert from 'node:assert/strict';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { runCliProcess, type CliProcessOptions, type CliRun } from '../support/cliProcess';
import { demoModel, demoPrompt, writeDemoWorkspace } from '../../src/cli/demo/workspace';
import type { RunEvent } from '../../src/core/events';
import { demoScript } from '../fixtures/recordDemo';
import { scriptedServer } from '../support/harness';
import type { Script } from '../support/scriptedServer';

const cliEntry = join(__dirname, '../../src/cli/main.ts');

/** Runs the real CLI in a child process; `onLine` sees stdout lines as they arrive. */
const runCli = (args: string[], options: CliProcessOptions = {}): Promise<CliRun> => runCliProcess(['--import', 'tsx', cliEntry], args, options);

async function demoWorkspace(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'cli-ws-'));
  await writeDemoWorkspace(dir);
  return dir;
}

async function serve(t: TestContext, script: Script) {
  const server = await scriptedServer(t, script);
  return { server, args: ['--base-url', server.url, '--model', demoModel] };
}

test('run --events completes a multi-step task with output a program can parse line by line', async (t) => {
  const { server, args } = await serve(t, demoScript);
  const workspace = await demoWorkspace();
  const run = await runCli(['run', '--events', '--workspace', workspace, ...args, demoPrompt]);
  assert.equal(run.code, 0, run.stderr);

  const events = run.stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as RunEvent);
  const top = events[0]!.runId;
  assert.equal(events[0]!.type, 'run_start');
  assert.equal(events.at(-1)!.type, 'run_end');
  assert.equal(events.at(-1)!.runId, top);
  const end = events.at(-1)!;
  assert.equal(end.type === 'run_end' && end.data.status, 'completed');
  const tools = events.filter((e) => e.type === 'tool_start').map((e) => e.type === 'tool_start' && e.data.name);
  for (const name of ['write_todos', 'grep', 'write_file', 'task', 'read_file', 'edit_file']) assert.ok(tools.includes(name), `${name} called`);
  assert.ok(events.some((e) => e.parentRunId === top && e.type === 'run_start'), 'a subagent run nested in the stream');
  for (const runId of new Set(events.map((e) => e.runId))) {
    const seqs = events.filter((e) => e.runId === runId).map((e) => e.seq);
    assert.deepEqual(seqs, seqs.map((_, i) => i), `seq of ${runId} counts up without gaps`);
  }
  const todo = await readFile(join(workspace, 'TODO.md'), 'utf8');
  assert.match(todo, /^# TODO\n\n3 open items in 2 files\.\n/);
  assert.match(todo, /- \[ \] round totals to whole cents \(line 6\)/);
  assert.equal(server.requests.length, 9);
});

test('the readable view streams text, shows the plan and tool calls, and a status line', async (t) => {
  const { args } = await serve(t, demoScript);
  const run = await runCli(['run', '--workspace', await demoWorkspace(), ...args, demoPrompt]);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /→ plan\n {2}\[~\] Find the TODO comments/);
  assert.match(run.stdout, /→ write_file path=TODO\.md/);
  assert.match(run.stdout, /┌ subagent general-purpose/);
  assert.match(run.stdout, /Done\. TODO\.md lists the 3 TODO comments/);
  assert.match(run.stderr, /\[step 2\/50 · [\d,]+ tokens · \$0\.0000\]/);
  assert.match(run.stderr, /✓ completed in 6 steps/);
  // The last status line and the summary agree: the final step reports its progress too.
  assert.equal(run.stderr.match(/\[step \d+\/50/g)?.at(-1), '[step 6/50');
});

test('bad input from the model and the server gets clear errors, and the run completes', async (t) => {
  const { args } = await serve(t, [
    { status: 500, message: 'upstream exploded' },
    { status: 429, headers: { 'retry-after-ms': '50' } },
    {
      toolCalls: [
        { name: 'write_file', arguments: '{"path": "x", "content": ' },
        { name: 'no_such_tool', arguments: {} },
        { name: 'read_file', arguments: { path: '../outside.txt' } },
        { name: 'edit_file', arguments: { path: 'README.md', old_string: 'absent', new_string: 'x' } },
      ],
    },
    { text: 'Recovered.' },
  ]);
  const run = await runCli(['run', '--events', '--workspace', await demoWorkspace(), ...args, 'try']);
  assert.equal(run.code, 0, run.stderr);
  const events = run.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as RunEvent);
  const errors = events.flatMap((e) => (e.type === 'error' ? [e.data.code] : []));
  assert.deepEqual(errors, ['model_http_500', 'model_http_429']);
  const results = events.flatMap((e) => (e.type === 'tool_end' ? [e.data.result] : []));
  assert.equal(results.length, 4);
  assert.ok(results.some((r) => /not valid JSON/.test(r)));
  assert.ok(results.some((r) => /unknown tool "no_such_tool"/.test(r)));
  assert.ok(results.some((r) => /"\.\.\/outside\.txt" is outside the workspace/.test(r)));
  assert.ok(results.some((r) => /old_string not found in README\.md/.test(r)));
});

test('--record then --replay --strict reproduces the run with no server, and the fixture holds no API key', async (t) => {
  const { server, args } = await serve(t, demoScript);
  const fixture = join(await mkdtemp(join(tmpdir(), 'fixture-')), 'run.json');
  const secret = 'sk-live-THIS-MUST-NEVER-LEAK-1234567890';
  const recorded = await runCli(['run', '--events', '--workspace', await demoWorkspace(), ...args, '--api-key-env', 'MY_KEY', '--record', fixture, demoPrompt], {
    env: { MY_KEY: secret },
  });
  assert.equal(recorded.code, 0, recorded.stderr);
  assert.equal(server.requests[0]!.headers.authorization, `Bearer ${secret}`, 'the key did reach the server');
  const text = await readFile(fixture, 'utf8');
  assert.ok(!text.includes(secret), 'the fixture contains the API key');
  assert.ok(!/authorization|bearer/i.test(text), 'the fixture contains an auth header');
  await server.close();

  const replayed = await runCli(['run', '--events', '--workspace', await demoWorkspace(), '--model', demoModel, '--replay', fixture, '--strict', demoPrompt]);
  assert.equal(replayed.code, 0, replayed.stderr);
  const kinds = (out: string) => out.trimEnd().split('\n').map((l) => (JSON.parse(l) as RunEvent).type);
  assert.deepEqual(kinds(replayed.stdout), kinds(recorded.stdout));
});

test('a truncated or foreign fixture is a one-line error, not a crash', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'bad-fixture-'));
  await writeFile(join(dir, 'cut.json'), '{"format":"deep-agent-fixture","version":1,"recordings":[{"key":"ab');
  await writeFile(join(dir, 'foreign.json'), '{"log":{"version":"1.2","entries":[]}}');
  for (const [file, pattern] of [['cut.json', /is truncated or not JSON/], ['foreign.json', /is not a deep-agent fixture/]] as const) {
    const run = await runCli(['run', '--workspace', dir, '--replay', join(dir, file), '--strict', 'x']);
    assert.equal(run.code, 1);
    assert.match(run.stderr, pattern);
    assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);
    assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace');
  }
});

test('usage errors exit 2 naming the flag; no model configured says how to configure one', async () => {
  const bad = await runCli(['run', '--base-url', 'http://127.0.0.1:1/v1', '--model', 'm', '--max-iterations', '0', 'x']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--max-iterations must be a whole number above 0, got "0"/);
  const notDir = await runCli(['run', '--workspace', '/nonexistent/dir', '--base-url', 'http://127.0.0.1:1/v1', '--model', 'm', 'x']);
  assert.equal(notDir.code, 2);
  assert.match(notDir.stderr, /--workspace \/nonexistent\/dir is not a directory/);
  const none = await runCli(['run', 'x']);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /no model configured/);
  assert.match(none.stderr, /Ollama/);
});

test('--max-tokens stops the run with an error naming the guardrail', async (t) => {
  const { args } = await serve(t, () => ({ toolCalls: [{ name: 'ls', arguments: {} }], usage: { prompt: 3000, completion: 100 } }));
  const run = await runCli(['run', '--workspace', await demoWorkspace(), ...args, '--max-tokens', '5000', 'list forever']);
  assert.equal(run.code, 1);
  assert.match(run.stderr, /deep-agent: run stopped: Stopped by guardrail token_budget: 6,200 tokens used, limit 5,000/);
});

test('a dead server fails the run after retries with a clear error', async () => {
  const run = await runCli(['run', '--workspace', await demoWorkspace(), '--base-url', 'http://127.0.0.1:9/v1', '--model', 'm', '--max-iterations', '1', 'x'], {
    env: {},
  });
  assert.equal(run.code, 1);
  assert.match(run.stderr, /deep-agent: run failed: cannot reach the model server/);
});

test('an unreachable server is named with its URL and the cause, and not retried when retrying cannot help', async () => {
  const run = await runCli(['run', '--workspace', await demoWorkspace(), '--base-url', 'http://127.0.0.1:9/v1', '--model', 'm', 'x'], { env: {} });
  assert.equal(run.code, 1);
  const lines = run.stdout.split('\n').filter((line) => line.includes('cannot reach'));
  assert.deepEqual(lines, ['✗ cannot reach the model server at http://127.0.0.1:9/v1: fetch refuses that port (it is reserved for another protocol); serve the model on another port']);
});

test('Ctrl-C cancels the run cleanly with exit code 130', async (t) => {
  const { args } = await serve(t, [{ text: Array.from({ length: 400 }, () => 'word '), chunkDelayMs: 5 }]);
  let chunks = 0;
  const run = await runCli(['run', '--events', '--workspace', await demoWorkspace(), ...args, 'talk'], {
    onLine: (line, child) => {
      if ((JSON.parse(line) as RunEvent).type === 'llm_chunk' && ++chunks === 3) child.kill('SIGINT');
    },
  });
  assert.equal(run.code, 130);
  const last = JSON.parse(run.stdout.trimEnd().split('\n').at(-1)!) as RunEvent;
  assert.equal(last.type === 'run_end' && last.data.status, 'cancelled');
});

test('--trace writes spans as JSONL', async (t) => {
  const { args } = await serve(t, demoScript);
  const trace = join(await mkdtemp(join(tmpdir(), 'trace-')), 'spans.jsonl');
  const run = await runCli(['run', '--workspace', await demoWorkspace(), ...args, '--trace', trace, demoPrompt]);
  assert.equal(run.code, 0, run.stderr);
  const spans = (await readFile(trace, 'utf8')).trimEnd().split('\n').map((l) => JSON.parse(l) as { kind: string; parentSpanId?: string });
  const kinds = new Set(spans.map((s) => s.kind));
  for (const kind of ['run', 'step', 'model_call', 'tool_call']) assert.ok(kinds.has(kind), `a ${kind} span`);
  assert.equal(spans.filter((s) => s.kind === 'run' && !s.parentSpanId).length, 1, 'one root run span; the subagent nests');
});

test('demo replays the bundled recording and writes TODO.md', async () => {
  const workspace = join(await mkdtemp(join(tmpdir(), 'demo-')), 'ws');
  const run = await runCli(['demo', '--workspace', workspace]);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /^Replayed demo: /);
  assert.match(run.stdout, /To run your own tasks, configure a model/);
  assert.match(await readFile(join(workspace, 'TODO.md'), 'utf8'), /3 open items in 2 files/);
  // Journaled in the workspace, where VS Code finds the CLI's runs.
  const runs = await runCli(['runs', 'list', '--json', '--checkpoint-dir', join(workspace, '.deep-agent', 'runs')]);
  const listed = JSON.parse(runs.stdout) as { status: string; prompt: string }[];
  assert.deepEqual(listed.map((r) => [r.status, r.prompt]), [['completed', demoPrompt]]);
});
