/**
 * The library as a user gets it (see packedProject.ts): what the tarball holds, the package used
 * by name from an ES module and from CommonJS, its .d.ts files checked by a strict TypeScript
 * project (the README's examples included), grep and glob in its search worker, the lazy
 * OpenTelemetry SDK, and a deep agent with file tools recorded against the scripted server through
 * the real openai client, then replayed with the server stopped.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import * as core from '../../src/core';
import type { RunEvent } from '../../src/core';
import { readmeBlocks, runCommand, type ExampleRun } from '../docs/readmeExamples';
import { startScriptedServer, type ChatCompletionBody, type ScriptedReply } from '../support/scriptedServer';
import { packedProject, succeeds, type PackedProject } from './packedProject';

const work = mkdtempSync(join(tmpdir(), 'pack-test-'));
const repo = join(__dirname, '..', '..');
const tsc = join(repo, 'node_modules', 'typescript', 'bin', 'tsc');
let project: PackedProject;
/**
 * tsc in the new project over its own modules and the README's examples: as Node resolves the
 * package (node16; the library's .d.ts files checked too), which also compiles what the tests run,
 * and as a bundler does (only resolving differs, so the library files are not checked again).
 */
let typecheck: { node16: ExampleRun; bundler: ExampleRun };

before(async () => {
  project = await packedProject(work);
  readmeExamples().forEach((example, i) => writeFileSync(join(project.dir, `readme${i + 1}.mts`), example.code));
  const bundler = ['--noEmit', '--module', 'preserve', '--moduleResolution', 'bundler', '--skipLibCheck'];
  // One after the other: the unit suite runs another test file beside this one on two cores.
  typecheck = { node16: await runCommand(project.dir, process.execPath, [tsc], {}), bundler: await runCommand(project.dir, process.execPath, [tsc, ...bundler], {}) };
});
after(() => rmSync(work, { recursive: true, force: true }));

const sourceNames = Object.keys(core).filter((name) => name !== 'default' && name !== '__esModule').sort();
const apiKey = 'sk-pack-test-key';

/** A workspace with notes to search; each run gets its own, so both start from the same files. */
function workspace(name: string): string {
  const dir = join(work, name);
  mkdirSync(join(dir, 'notes'), { recursive: true });
  writeFileSync(join(dir, 'notes', 'answer.txt'), 'Notes.\nthe answer is 42\n');
  writeFileSync(join(dir, 'notes', 'other.txt'), 'nothing here\n');
  return dir;
}

describe('the packed library', () => {
  test('npm pack ships the library, its workers and types, the CLI with its workers, README and LICENSE: nothing else', () => {
    const types = project.packed.filter((path) => path.startsWith('dist/lib/types/'));
    assert.ok(types.includes('dist/lib/types/index.d.ts'));
    assert.deepEqual(types.filter((path) => !path.endsWith('.d.ts')), [], 'only declarations under types/');
    assert.deepEqual(
      project.packed.filter((path) => !types.includes(path)).sort(),
      ['LICENSE', 'README.md', 'dist/cli.js', 'dist/embeddingWorker.js', 'dist/lib/embeddingWorker.js', 'dist/lib/index.js', 'dist/lib/searchWorker.js', 'dist/searchWorker.js', 'package.json'],
    );
  });

  test('the .d.ts files type-check strict ES module and CommonJS code and the README examples, as Node (node16) and bundlers resolve them', () => {
    assert.equal(typecheck.node16.code, 0, `tsc (node16):\n${typecheck.node16.stdout}`);
    assert.equal(typecheck.bundler.code, 0, `tsc (bundler):\n${typecheck.bundler.stdout}`);
  });

  test('require() and import by name both see every runtime export of src/core/index.ts', async () => {
    const { names: fromRequire } = await check();
    const esm = await succeeds(
      runCommand(project.dir, process.execPath, ['--input-type=module', '-e', "import * as lib from 'deep-agent-workbench'; console.log(JSON.stringify(Object.keys(lib)))"], {}),
      'import from an ES module',
    );
    const fromImport = (JSON.parse(esm.stdout) as string[]).filter((name) => name !== 'default');
    assert.deepEqual(fromRequire.sort(), sourceNames);
    assert.deepEqual(fromImport.sort(), sourceNames);
  });

  test('grep and glob run in the search worker shipped beside the library; OpenTelemetry loads only when asked for', async () => {
    const result = await check();
    assert.deepEqual(result.grep, [{ path: 'notes/answer.txt', line: 2, text: 'the answer is 42' }]);
    assert.deepEqual(result.glob, ['notes/answer.txt', 'notes/other.txt']);
    assert.equal(result.otelAtStart, false, 'requiring the library loads no OpenTelemetry SDK');
    assert.equal(result.otelAfterExporter, true, 'createOtelTraceExporter loads it');
  });

  test('a deep agent with file tools records its model calls against a live server, then replays them with the server stopped', async () => {
    const fixture = join(work, 'fixtures', 'agent.json');
    const server = await startScriptedServer(script);
    let record;
    try {
      record = await runAgent(['record', workspace('recorded'), fixture], { DEEP_AGENT_BASE_URL: server.url, OPENAI_API_KEY: apiKey });
    } finally {
      await server.close();
    }
    assert.equal(server.requests.length, 3);
    assert.equal(server.requests[0]!.headers.authorization, `Bearer ${apiKey}`);
    assert.deepEqual(toolResults(server.requests[1]!.body), ['notes/answer.txt:2: the answer is 42'], 'the model saw the grep result');
    assert.equal(record.status, 'completed');
    assert.equal(record.output, 'The answer is 42; it is in ANSWER.md.');
    assert.equal(readFileSync(join(work, 'recorded', 'ANSWER.md'), 'utf8'), '42\n');
    const types = record.events.map((e) => e.type);
    assert.equal(types[0], 'run_start');
    assert.equal(types.at(-1), 'run_end');
    const change = record.events.find((e) => e.type === 'file_change');
    assert.deepEqual(change && { path: change.data.path, before: change.data.before, after: change.data.after }, { path: 'ANSWER.md', before: null, after: '42\n' });
    assert.ok(!readFileSync(fixture, 'utf8').includes(apiKey), 'the API key is not in the fixture');

    const replay = await runAgent(['replay', workspace('replayed'), fixture], {});
    assert.equal(replay.output, record.output);
    assert.deepEqual(toolEnds(replay.events), toolEnds(record.events));
    assert.equal(readFileSync(join(work, 'replayed', 'ANSWER.md'), 'utf8'), '42\n');
  });

  test('the deep-agent CLI installed with the package runs', async () => {
    const bin = join(project.dir, 'node_modules', '.bin', 'deep-agent');
    assert.ok(existsSync(bin));
    const version = await succeeds(runCommand(project.dir, bin, ['--version'], {}), 'deep-agent --version');
    assert.equal(version.stdout.trim(), (JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { version: string }).version);
  });
});

/** Grep for the answer, write it down, say where it is. */
function script(body: ChatCompletionBody): ScriptedReply {
  const turn = body.messages.filter((m) => m.role === 'assistant').length;
  return [
    { toolCalls: [{ name: 'grep', arguments: { pattern: 'answer is \\d+' } }] },
    { toolCalls: [{ name: 'write_file', arguments: { path: 'ANSWER.md', content: '42\n' } }] },
    { text: ['The answer is 42; ', 'it is in ANSWER.md.'] },
  ][turn]!;
}

const toolResults = (body: ChatCompletionBody) => body.messages.filter((m) => m.role === 'tool').map((m) => m.content);
const toolEnds = (events: RunEvent[]) => events.flatMap((e) => (e.type === 'tool_end' ? [{ name: e.data.name, ok: e.data.ok, result: e.data.result }] : []));

/** What check.cts (CommonJS, through require) prints; run once, for the tests that read it. */
let checked: Promise<{ names: string[]; otelAtStart: boolean; otelAfterExporter: boolean; grep: unknown; glob: unknown }> | undefined;
function check() {
  checked ??= succeeds(runCommand(project.dir, process.execPath, ['out/check.cjs', workspace('checked')], {}), 'node out/check.cjs').then((run) => JSON.parse(run.stdout));
  return checked;
}

const readmeExamples = () => readmeBlocks(readFileSync(join(repo, 'README.md'), 'utf8')).filter((block) => block.lang === 'ts');

async function runAgent(args: string[], env: Record<string, string>) {
  const run = await succeeds(runCommand(project.dir, process.execPath, ['out/agent.mjs', ...args], env), `node out/agent.mjs ${args[0]}`);
  return JSON.parse(run.stdout) as { status: string; output: string; events: RunEvent[] };
}
