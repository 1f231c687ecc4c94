/**
 * Every ```ts example of the README runs as written: saved as example.mts in a copy of the
 * repository root (where its `import … from 'deep-agent-workbench'` reaches the sources: see
 * repositoryCopy) and run with `npx tsx example.mts`, the way the README tells a user to, with
 * DEEP_AGENT_BASE_URL pointing at a scripted OpenAI-compatible server (no model needed). Each
 * example has a scenario (what the model answers, what the run must print or leave behind); a ts
 * block without one fails, and so does a block in a language the test does not know.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { startOtlpCollector, type OtlpCollector } from '../support/tracing';
import { startScriptedServer, type ChatCompletionBody, type ScriptedReply, type ScriptedServer } from '../support/scriptedServer';
import { readmeBlocks, repositoryCopy, runCommand, runExample, type ExampleRun } from './readmeExamples';

/** Blocks that are not programs: shown, never run. */
const notRunnable = new Set(['sh', 'markdown']);
const apiKey = 'sk-readme-example-key';

interface Scenario {
  script(body: ChatCompletionBody): ScriptedReply;
  check(run: ExampleRun, ctx: { dir: string; server: ScriptedServer; collector: OtlpCollector }): void;
}

/** Where the conversation is: which agent asks (its system prompt's name), after how many answers, on which task. */
function turnOf(body: ChatCompletionBody) {
  const agent = /^You are ([\w-]+),/.exec(body.messages[0]?.content ?? '')?.[1] ?? '?';
  const turn = body.messages.filter((m) => m.role === 'assistant').length;
  const task = body.messages.find((m) => m.role === 'user')?.content ?? '';
  return { agent, turn, task };
}

const toolResults = (body: ChatCompletionBody) => body.messages.filter((m) => m.role === 'tool').map((m) => m.content ?? '');

const scenarios: Record<string, Scenario> = {
  'A deep agent': {
    script: (body) =>
      [
        { text: 'Reading the README first.', toolCalls: [{ name: 'read_file', arguments: { path: 'README.md' } }] },
        { toolCalls: [{ name: 'write_file', arguments: { path: 'CONTRIBUTING.md', content: '# Contributing\n\nRun `npm test` before you send a change.\n' } }] },
        { text: 'Added CONTRIBUTING.md.', usage: { prompt: 1200, completion: 40 } },
      ][turnOf(body).turn]!,
    check: (run, { dir, server }) => {
      assert.equal(server.requests[0]!.body.messages[1]!.content, 'Add a CONTRIBUTING.md based on the README');
      assert.match(server.requests[0]!.body.messages[0]!.content!, /You maintain this repository\. Keep changes small\./);
      assert.match(toolResults(server.requests[1]!.body)[0]!, /# Deep Agent Workbench/, 'read_file read the README in the working directory');
      assert.match(readFileSync(join(dir, 'CONTRIBUTING.md'), 'utf8'), /Run `npm test`/);
      assert.match(run.stdout, /Added CONTRIBUTING\.md\. \{[^}]*totalTokens: 1270 \} 0 \[\]$/m);
    },
  },
  Streaming: {
    script: (body) => {
      const { task, turn } = turnOf(body);
      if (task.startsWith('Summarise')) {
        return turn === 0 ? { toolCalls: [{ name: 'ls', arguments: { path: 'src/core' } }] } : { text: ['The core is ', 'the agent library. ', 'It never imports vscode.\n'] };
      }
      if (task.startsWith('Explain')) {
        return turn === 0 ? { toolCalls: [{ name: 'read_file', arguments: { path: 'src/core/index.ts' } }] } : { text: ['It is ', 'the public API.\n'] };
      }
      return turn === 0 ? { toolCalls: [{ name: 'grep', arguments: { pattern: 'export function runStream' } }] } : { text: 'In src/core/stream.ts.' };
    },
    check: (run, { server }) => {
      assert.ok(run.stdout.startsWith('The core is the agent library. It never imports vscode.\nIt is the public API.\n'), run.stdout);
      assert.match(run.stderr, /^step 1: 15 tokens$/m);
      assert.match(run.stdout, /^tool_start grep\ntool_end grep$/m);
      assert.match(toolResults(server.requests.at(-1)!.body)[0]!, /src\/core\/stream\.ts:\d+: export function runStream/);
    },
  },
  'Tools, backends, subagents, skills': {
    script: (body) => {
      const { agent, turn } = turnOf(body);
      if (agent === 'reviewer') {
        return [{ toolCalls: [{ name: 'read_file', arguments: { path: 'notes.md' } }] }, { text: 'The note is correct.' }][turn]!;
      }
      return [
        { toolCalls: [{ name: 'weather', arguments: { city: 'Lisbon' } }, { name: 'weather', arguments: { city: 'Atlantis' } }] },
        { toolCalls: [{ name: 'edit_file', arguments: { path: 'notes.md', old_string: '# Notes\n', new_string: '# Notes\n\nLisbon: 21 °C. Go to Lisbon.\n' } }] },
        { toolCalls: [{ name: 'task', arguments: { subagent_type: 'reviewer', description: 'Check notes.md' } }] },
        { text: 'Lisbon it is; the reviewer agrees.' },
      ][turn]!;
    },
    check: (run, { server }) => {
      const afterWeather = server.requests.find((r) => toolResults(r.body).length === 2)!;
      assert.deepEqual(toolResults(afterWeather.body), ['Lisbon: 21 °C', 'Error: no weather station in Atlantis']);
      const reviewer = server.requests.find((r) => turnOf(r.body).agent === 'reviewer')!;
      assert.match(reviewer.body.messages[0]!.content!, /Be strict\./);
      assert.deepEqual(reviewer.body.tools!.map((t) => t.function.name).sort(), ['grep', 'read_file']);
      assert.match(run.stdout, /^Lisbon it is; the reviewer agrees\.$/m);
      assert.match(run.stdout, /'notes\.md': '# Notes\\n\\nLisbon: 21 °C\. Go to Lisbon\.\\n'/);
    },
  },
  Guardrails: {
    script: () => ({ toolCalls: [{ name: 'write_file', arguments: { path: 'SUMMARY.md', content: 'A summary.\n' } }] }),
    check: (run, { dir }) => {
      assert.equal(run.stdout, 'Stopped by guardrail tool_call_limit: tool "write_file" is denied (matches "write_file")\n');
      assert.equal(existsSync(join(dir, 'SUMMARY.md')), false, 'the denied write did not happen');
    },
  },
  Tracing: {
    script: (body) =>
      [{ toolCalls: [{ name: 'read_file', arguments: { path: 'package.json' } }] }, { text: 'start, build, test and more.' }][turnOf(body).turn]!,
    check: (run, { dir, collector }) => {
      const spans = readFileSync(join(dir, 'traces', 'run.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { kind: string });
      assert.deepEqual([...new Set(spans.map((s) => s.kind))].sort(), ['model_call', 'run', 'step', 'tool_call']);
      assert.equal(collector.spans().length, spans.length, 'the OTLP collector got every span');
      assert.ok(collector.spans().some((s) => s.attributes?.some((a) => a.key === 'gen_ai.request.model')));
      assert.match(run.stderr, /read_file/, 'the console exporter printed the tool call span');
    },
  },
  'Record and replay': {
    script: (body) =>
      [{ toolCalls: [{ name: 'read_file', arguments: { path: 'package.json' } }] }, { text: ['start, build, ', 'test and more.'] }][turnOf(body).turn]!,
    check: (run, { dir, server }) => {
      assert.equal(run.stdout, 'true\n');
      assert.equal(server.requests.length, 2, 'the replay called no model');
      const fixture = readFileSync(join(dir, 'fixtures', 'task.json'), 'utf8');
      assert.equal((JSON.parse(fixture) as { recordings: unknown[] }).recordings.length, 2);
      assert.ok(!fixture.includes(apiKey), 'the API key is not in the fixture');
    },
  },
  'Checkpoints: resume, fork, restore': {
    script: (body) =>
      [
        { toolCalls: [{ name: 'write_file', arguments: { path: 'NOTES.md', content: 'The deep agent workbench.\n' } }] },
        { toolCalls: [{ name: 'write_file', arguments: { path: 'IDEAS.md', content: 'A dark theme.\n' } }] },
        { text: 'Wrote NOTES.md and IDEAS.md.' },
      ][turnOf(body).turn]!,
    check: (run, { dir, server }) => {
      assert.equal(server.requests.length, 3, 'the resumed run went on from the second model call');
      const [status, resumed, loaded, restored] = run.stdout.trim().split('\n');
      assert.equal(status, 'cancelled');
      assert.equal(resumed, 'completed true');
      assert.match(loaded!, /^1 15$/);
      assert.match(restored!, /restored: \[ 'IDEAS\.md' \]/);
      assert.equal(existsSync(join(dir, 'IDEAS.md')), false, 'the file written after the first checkpoint is gone');
      assert.equal(readFileSync(join(dir, 'NOTES.md'), 'utf8'), 'The deep agent workbench.\n');
      assert.equal(readdirSync(join(dir, '.runs')).filter((f) => f.endsWith('.jsonl')).length, 2, 'the run and its fork');
    },
  },
  'One way to start a run: `startRun`': {
    script: (body) =>
      [{ toolCalls: [{ name: 'glob', arguments: { pattern: 'src/core/*.ts' } }] }, { text: ['events.ts: the event union.\n', 'stream.ts: runStream.'], usage: { prompt: 300, completion: 20 } }][turnOf(body).turn]!,
    check: (run, { dir }) => {
      assert.match(run.stdout, /^events\.ts: the event union\.\nstream\.ts: runStream\.\ncompleted: run [\w-]+, \d+ tokens$/m);
      const runId = /completed: run ([\w-]+)/.exec(run.stdout)![1]!;
      assert.ok(existsSync(join(dir, '.deep-agent', 'runs', `${runId}.jsonl`)), 'the run was journaled where the configuration says');
      assert.match(readFileSync(join(dir, 'trace.jsonl'), 'utf8'), /invoke_agent deep-agent/);
    },
  },
  'Child runs': {
    script: (body) => {
      const { agent, turn, task } = turnOf(body);
      if (agent === 'writer') return { text: task.startsWith('Changelog') ? '- Child runs.' : 'Release 0.2 brings child runs.' };
      return [
        { toolCalls: [{ name: 'run_task', arguments: { taskId: 'changelog', prompt: 'Changelog entry for child runs' } }] },
        { toolCalls: [{ name: 'run_task', arguments: { taskId: 'release-note', prompt: 'Release note for 0.2' } }] },
        { text: 'Both drafts are ready.' },
      ][turn]!;
    },
    check: (run, { dir }) => {
      assert.equal(run.stdout.trim(), 'Both drafts are ready.');
      const journals = readdirSync(join(dir, '.deep-agent', 'runs')).filter((f) => f.endsWith('.jsonl'));
      assert.equal(journals.length, 3, 'the run and its two child runs, each journaled on its own');
      assert.ok(journals.some((f) => f.endsWith('.task-changelog.jsonl')) && journals.some((f) => f.endsWith('.task-release-note.jsonl')));
    },
  },
  'Long-term memory': {
    script: (body) => ({ text: /vitest: npm test/.test(body.messages[0]!.content ?? '') ? 'Added the test; npm test passes.' : 'I do not know how the tests run.' }),
    check: (run, { dir, server }) => {
      const [first, second] = run.stdout.split('\n');
      assert.match(first!, /^\d\.\d\d test runner: the tests run with vitest: npm test$/);
      assert.match(second!, /^\d\.\d\d CI deploys main to staging with Helm$/);
      assert.match(run.stdout, /^recalled: \[\n?\s*'test runner: the tests run with vitest: npm test'/m);
      assert.match(run.stdout, /^Added the test; npm test passes\.$/m);
      assert.deepEqual(server.requests[0]!.body.tools!.map((t) => t.function.name).filter((n) => ['remember', 'recall', 'forget'].includes(n)), ['remember', 'recall', 'forget']);
      assert.ok(existsSync(join(dir, '.deep-agent', 'memory')), 'memories were kept in the folder');
    },
  },
};

const blocks = readmeBlocks(readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8'));
const examples = blocks.filter((b) => b.lang === 'ts');

test('every README code block is either a ts example with a scenario here, or in a language that is not run', () => {
  for (const block of blocks) {
    if (block.lang === 'ts') assert.ok(scenarios[block.heading], `README.md:${block.line}: the ts example under "${block.heading}" has no scenario in test/docs/readme.test.ts`);
    else assert.ok(notRunnable.has(block.lang), `README.md:${block.line}: a code block tagged "${block.lang}" is neither run (ts) nor known not to be (${[...notRunnable].join(', ')})`);
  }
  for (const heading of Object.keys(scenarios)) {
    assert.equal(examples.filter((b) => b.heading === heading).length, 1, `the README has no single ts example under "${heading}"`);
  }
});

test('the README ts examples type-check as strict TypeScript', async (t) => {
  const dir = repositoryCopy(t);
  examples.forEach((example, i) => writeFileSync(join(dir, `example${i + 1}.mts`), example.code));
  const files = examples.map((_, i) => `example${i + 1}.mts`);
  const options = ['--noEmit', '--strict', '--module', 'preserve', '--moduleResolution', 'bundler', '--target', 'es2022', '--lib', 'es2023', '--types', 'node', '--skipLibCheck'];
  const tsc = await runCommand(dir, process.execPath, [join(dir, 'node_modules', 'typescript', 'bin', 'tsc'), ...options, ...files], {});
  assert.equal(tsc.code, 0, tsc.stdout);
});

for (const example of examples) {
  const scenario = scenarios[example.heading];
  test(`README example "${example.heading}" runs as written`, { skip: scenario ? false : 'no scenario (the test above fails)' }, async (t) => {
    const server = await startScriptedServer((body) => scenario!.script(body));
    const collector = await startOtlpCollector();
    t.after(() => Promise.all([server.close(), collector.close()]));
    const dir = repositoryCopy(t);
    const run = await runExample(dir, example.code, {
      DEEP_AGENT_BASE_URL: server.url,
      DEEP_AGENT_MODEL: 'scripted-model',
      OPENAI_API_KEY: apiKey,
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: collector.url,
    });
    assert.equal(run.code, 0, `npx tsx example.mts exited with ${run.code}:\n${run.stderr}`);
    assert.ok(server.requests.length > 0, 'the example called the model server');
    for (const request of server.requests) {
      assert.equal(request.body.model, 'scripted-model');
      assert.equal(request.headers.authorization, `Bearer ${apiKey}`);
    }
    scenario!.check(run, { dir, server, collector });
  });
}
