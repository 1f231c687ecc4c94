/**
 * `deep-agent memory …` and `run --memory`: through main() in this process, and through the bundled
 * CLI in child processes (a memory added by one process is recalled into the next one's run).
 */
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { before, describe, it, type TestContext } from 'node:test';
import { main } from '../../src/cli/main';
import type { RunEvent } from '../../src/core/events';
import { bundleCli } from '../support/bundle';
import { runCliProcess } from '../support/cliProcess';
import { scriptedServer } from '../support/harness';
import { startPgliteServer } from '../support/pglite';
import { TINY_MODEL_ID, tinyModelFolder } from '../support/tinyModelFolder';
import type { ChatCompletionBody, Script } from '../support/scriptedServer';

const MEMORY_TOOLS = ['remember', 'recall', 'forget'];
const HASHING = ['--embedder', 'hashing'];

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

/** The CLI in this process; `tty` makes stderr look like a terminal; `onStderr` sees stderr as it comes, and may press Ctrl-C. */
async function cli(args: string[], { tty = false, onStderr = (_text: string, _ctrlC: () => void) => {} } = {}): Promise<Ran> {
  const controller = new AbortController();
  let stdout = '';
  let stderr = '';
  const sink = (append: (text: string) => void) =>
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        append(String(chunk));
        done();
      },
    });
  const err = Object.assign(
    sink((s) => {
      stderr += s;
      onStderr(s, () => controller.abort());
    }),
    { isTTY: tty },
  );
  const code = await main(args, { out: sink((s) => (stdout += s)), err, env: {}, signal: controller.signal });
  return { code, stdout, stderr };
}

async function tempDir(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

async function jsonl(lines: (string | Buffer)[]): Promise<string> {
  const file = join(await tempDir('mem-import-'), 'memories.jsonl');
  await writeFile(file, Buffer.concat(lines.map((l) => (typeof l === 'string' ? Buffer.from(`${l}\n`) : Buffer.concat([l, Buffer.from('\n')])))));
  return file;
}

const record = (content: string, extra: Record<string, unknown> = {}) => JSON.stringify({ content, ...extra });
const jsonLines = (text: string) => text.trimEnd().split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
const toolNames = (body: ChatCompletionBody) => (body.tools ?? []).map((tool) => tool.function.name);
const systemOf = (body: ChatCompletionBody) => body.messages[0]!.content ?? '';

describe('memory add', () => {
  it('prints the new id, and one id per part of a text too long for one memory', async () => {
    const one = await cli(['memory', 'add', 'The tests run with npm test', '--store', ':memory:', ...HASHING]);
    assert.equal(one.code, 0, one.stderr);
    assert.match(one.stdout, /^[0-9a-f-]{36}\n$/);

    const long = Array.from({ length: 300 }, (_, i) => `Sentence number ${i} about the build.`).join(' ');
    const split = await cli(['memory', 'add', long, '--store', ':memory:', ...HASHING]);
    const ids = split.stdout.trimEnd().split('\n');
    assert.ok(ids.length > 1);
    assert.deepEqual(ids, ids.map((_, i) => `${ids[0]!.split('#')[0]}#${i + 1}`));
  });

  it('says on stderr when the hashing fallback embeds because no embedder was asked for', async () => {
    const run = await cli(['memory', 'add', 'x y z', '--store', ':memory:']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /^deep-agent: warning: memory: no embedding model could be loaded \(.*\); using the hashing fallback, which matches words, not meaning\n$/);
    const asked = await cli(['memory', 'add', 'x y z', '--store', ':memory:', ...HASHING]);
    assert.equal(asked.stderr, '');
  });
});

describe('memory usage errors', () => {
  it('exit 2 with one line naming the flag', async () => {
    const file = (await jsonl([record('a')])).replace(/memories\.jsonl$/, '');
    const cases: [string[], string][] = [
      [['memory', 'list'], '--store is missing: give a folder (LanceDB), a postgres:// URL (pgvector) or :memory:'],
      [['memory', 'list', '--store', join(file, 'memories.jsonl')], `--store ${join(file, 'memories.jsonl')} is not a folder`],
      [['memory', 'list', '--store', file, '--backend', 'pgvector'], `--backend pgvector needs --store a postgres:// URL, got "${file}"`],
      [['memory', 'list', '--url', 'http://db/x'], '--url must be a postgres:// URL, got "http://db/x"'],
      [['memory', 'list', '--store', ':memory:', '--scope', 'team'], '--scope must be "global" or "workspace:<key>", got "team"'],
      [['memory', 'list', '--store', ':memory:', '--base-url', 'http://127.0.0.1:1/v1'], '--base-url is for --embedder openai'],
      [['memory', 'list', '--store', ':memory:', '--embedder', 'hashing', '--model-path', file], '--model-path is for --embedder transformers, not hashing'],
      [['memory', 'list', '--store', ':memory:', '--embedder', 'word2vec'], '--embedder must be one of transformers, openai, hashing, got "word2vec"'],
      [['memory', 'add', 'x', '--store', ':memory:', '--importance', '2'], '--importance must be a number from 0 to 1, got "2"'],
      [['memory', 'add', 'x', '--store', ':memory:', '--metadata', '[1]'], `--metadata must be a JSON object, like '{"source": "notes"}'`],
      [['memory', 'add', '  ', '--store', ':memory:'], 'the text to remember is empty'],
      [['memory', 'search', '--store', ':memory:'], 'the query is missing: deep-agent memory search "<query>", or --queries FILE'],
      [['memory', 'search', 'q', '--queries', join(file, 'memories.jsonl'), '--store', ':memory:'], 'give a query or --queries FILE, not both'],
      [['memory', 'search', 'q', '--mode', 'semantic', '--store', ':memory:'], '--mode must be one of hybrid, vector, fulltext, got "semantic"'],
      [['memory', 'import', join(file, 'none.jsonl'), '--store', ':memory:'], `import file ${join(file, 'none.jsonl')} does not exist`],
      [['memory', 'list', '--store', ':memory:', '--offset', '-1'], '--offset must be a whole number of 0 or more, got "-1"'],
      [['run', '--embedder', 'hashing', '--replay', 'f.json', 'x'], '--embedder needs --memory DIR'],
      [['run', '--no-memory-inject', '--replay', 'f.json', 'x'], '--no-memory-inject needs --memory DIR'],
    ];
    for (const [args, message] of cases) {
      const run = await cli(args);
      assert.deepEqual([run.code, run.stderr], [2, `deep-agent: ${message}\n`], args.join(' '));
    }
  });
});

describe('memory import', () => {
  it('with bad lines imports nothing, exits 1 and names the first five as FILE:LINE', async () => {
    const lines = [
      record('good one'),
      '{"content": "cut',
      record('', {}),
      record('x', { type: 'opinion' }),
      record('x', { importance: 3 }),
      JSON.stringify({ text: 'no content' }),
      record('x', { extra: 1 }),
      record('good two'),
    ];
    const file = await jsonl(lines);
    const run = await cli(['memory', 'import', file, '--store', ':memory:', ...HASHING]);
    assert.equal(run.code, 1);
    assert.equal(run.stdout, '');
    const errors = run.stderr.trimEnd().split('\n');
    assert.match(errors[0]!, new RegExp(`^deep-agent: ${file}:2: not JSON \\(`));
    assert.equal(errors[1], `deep-agent: ${file}:3: content is empty`);
    assert.match(errors[2]!, new RegExp(`^deep-agent: ${file}:4: "type" .*episodic`));
    assert.match(errors[3]!, new RegExp(`^deep-agent: ${file}:5: "importance" .*1`));
    assert.match(errors[4]!, new RegExp(`^deep-agent: ${file}:6: "content" `));
    assert.equal(errors[5], 'deep-agent: … and 1 more bad lines');
    assert.equal(errors[6], `deep-agent: 6 of 8 lines of ${file} are not memories; nothing was imported (fix them, or give --skip-invalid to import the 2 good ones)`);
  });

  it('names a line that is not UTF-8, and --skip-invalid imports the good lines and names the bad', async () => {
    const file = await jsonl([record('first'), Buffer.from([0x7b, 0x22, 0x63, 0xff, 0xfe, 0x22, 0x7d]), '', record('third')]);
    const strict = await cli(['memory', 'import', file, '--store', ':memory:', ...HASHING]);
    assert.equal(strict.code, 1);
    assert.match(strict.stderr, new RegExp(`^deep-agent: ${file}:2: not valid UTF-8 text\n`));

    const skipping = await cli(['memory', 'import', file, '--skip-invalid', '--store', ':memory:', ...HASHING]);
    assert.equal(skipping.code, 0, skipping.stderr);
    assert.equal(skipping.stdout, `imported 2 memories from ${file}\n`);
    assert.equal(skipping.stderr, `deep-agent: ${file}:2: not valid UTF-8 text\ndeep-agent: skipped 1 bad line of ${file} (--skip-invalid)\n`);
  });

  it('reports progress on stderr for a big file only with --progress or on a terminal', async () => {
    const file = await jsonl(Array.from({ length: 2500 }, (_, i) => record(`memory number ${i}`, { metadata: { n: i } })));
    const quiet = await cli(['memory', 'import', file, '--store', ':memory:', ...HASHING]);
    assert.equal(quiet.code, 0, quiet.stderr);
    assert.equal(quiet.stderr, '');
    assert.equal(quiet.stdout, `imported 2500 memories from ${file}\n`);
    const progress = /^deep-agent: imported 1,\d{3} of 2,500 memories\ndeep-agent: imported 2,\d{3} of 2,500 memories\n$/;
    assert.match((await cli(['memory', 'import', file, '--progress', '--store', ':memory:', ...HASHING])).stderr, progress);
    assert.match((await cli(['memory', 'import', file, '--store', ':memory:', ...HASHING], { tty: true })).stderr, progress);

    const stopped = await cli(['memory', 'import', file, '--progress', '--store', ':memory:', ...HASHING], { onStderr: (text, ctrlC) => void (text.includes('imported 1,') && ctrlC()) });
    assert.equal(stopped.code, 130);
    assert.equal(stopped.stdout, '');
    const [progressed, last] = stopped.stderr.trimEnd().split('\n');
    const done = Number(/imported (1,\d{3}) of/.exec(progressed!)![1]!.replace(',', ''));
    assert.match(last!, new RegExp(`^deep-agent: import of ${file} stopped in lines ${done + 1}–\\d+: .*aborted.*; the ${done} records before them were imported, some of these lines may have been$`));
  });
});

describe('run --memory', () => {
  async function runWithMemory(t: TestContext, script: Script, flags: string[]) {
    const server = await scriptedServer(t, script);
    const workspace = await tempDir('mem-ws-');
    const run = await cli(['run', '--events', '--workspace', workspace, '--base-url', server.url, '--model', 'scripted-model', ...flags, 'How do I run the tests?']);
    return { server, run, events: run.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as RunEvent) };
  }

  it('offers remember, recall and forget only with --memory, and they work within the run', async (t) => {
    const without = await runWithMemory(t, [{ text: 'done' }], []);
    assert.equal(without.run.code, 0, without.run.stderr);
    assert.deepEqual(toolNames(without.server.requests[0]!.body).filter((n) => MEMORY_TOOLS.includes(n)), []);

    const script: Script = (_body, i) =>
      [
        { toolCalls: [{ id: 'r', name: 'remember', arguments: { content: 'The tests need PostgreSQL running' } }] },
        { toolCalls: [{ id: 'q', name: 'recall', arguments: { query: 'what do the tests need?' } }] },
        { text: 'Start PostgreSQL, then npm test.' },
      ][i]!;
    const { server, run } = await runWithMemory(t, script, ['--memory', ':memory:', ...HASHING]);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(toolNames(server.requests[0]!.body).filter((n) => MEMORY_TOOLS.includes(n)), MEMORY_TOOLS);
    const recalled = server.requests[2]!.body.messages.filter((m) => m.role === 'tool').at(-1)!.content!;
    assert.match(recalled, /\) The tests need PostgreSQL running$/);
  });

  it('--no-memory-inject keeps the tools but recalls nothing into the prompt', async (t) => {
    const { server, run, events } = await runWithMemory(t, [{ text: 'ok' }], ['--memory', ':memory:', '--no-memory-inject', ...HASHING]);
    assert.equal(run.code, 0, run.stderr);
    assert.ok(toolNames(server.requests[0]!.body).includes('recall'));
    assert.equal(events.filter((e) => e.type === 'memory_recall').length, 0);
  });
});

describe('the bundled CLI', () => {
  let bundled = '';
  before(async () => {
    bundled = await bundleCli();
  });
  const deepAgent = async (args: string[]) => {
    const run = await runCliProcess([bundled], args);
    return { ...run, code: run.code ?? -1 };
  };

  it('imports a file, and a run --memory --memory-auto-store keeps its task and answer', async (t) => {
    const file = await jsonl([record('one'), record('two', { type: 'episodic' })]);
    const imported = await deepAgent(['memory', 'import', file, '--store', ':memory:', ...HASHING]);
    assert.deepEqual([imported.code, imported.stdout, imported.stderr], [0, `imported 2 memories from ${file}\n`, '']);

    const server = await scriptedServer(t, [{ text: 'Run npm test.' }]);
    const args = ['run', '--events', '--workspace', await tempDir('mem-ws-'), '--base-url', server.url, '--model', 'scripted-model'];
    const run = await deepAgent([...args, '--memory', ':memory:', '--memory-auto-store', ...HASHING, 'How do I run the tests?']);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(toolNames(server.requests[0]!.body).filter((n) => MEMORY_TOOLS.includes(n)), MEMORY_TOOLS);
    const stored = run.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as RunEvent).find((e) => e.type === 'memory_store');
    assert.equal(stored?.type === 'memory_store' && stored.data.memories[0]!.content, 'Task: How do I run the tests?\nOutcome: Run npm test.');
  });

  it('a memory added by one process is recalled into the next run --memory request (LanceDB folder)', async (t) => {
    const store = join(await tempDir('mem-lance-'), 'memories');
    const added = await deepAgent(['memory', 'add', 'The integration tests need PostgreSQL 16 on port 5433', '--type', 'long_term', '--store', store, ...HASHING]);
    assert.equal(added.code, 0, added.stderr);
    const id = added.stdout.trim();

    const server = await scriptedServer(t, [{ text: 'Start PostgreSQL 16 on 5433, then npm test.' }]);
    const workspace = await tempDir('mem-ws-');
    const run = await deepAgent(['run', '--workspace', workspace, '--base-url', server.url, '--model', 'scripted-model', '--memory', store, ...HASHING, 'How do I run the integration tests?']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(systemOf(server.requests[0]!.body), /Memories recalled for this task[^\n]*\n- \[long_term, \d{4}-\d\d-\d\d\] The integration tests need PostgreSQL 16 on port 5433/);
    assert.match(run.stdout, /^↺ recalled 1 memory into the prompt \(embedded by hashing-v1-384, the hashing fallback: matched by words, not meaning\)$/m);

    const deleted = await deepAgent(['memory', 'delete', id, 'no-such-id', '--store', store, ...HASHING]);
    assert.deepEqual([deleted.code, deleted.stdout, deleted.stderr], [1, 'deleted 1 memory\n', 'deep-agent: no memory has the id no-such-id\n']);
  });
});

describe('import, search, list, delete and stats on a LanceDB folder', () => {
  it('keeps metadata as given, answers many queries in one process, and never half-imports a bad file', async () => {
    const store = join(await tempDir('mem-lance-'), 'memories');
    const at = (args: string[]) => cli([...args, '--store', store, ...HASHING]);
    const file = await jsonl([
      record('Deploys go through the staging cluster first', { type: 'semantic', metadata: { source: 'wiki', tags: ['ops'], depth: { a: 1 } }, importance: 0.9 }),
      record('The user prefers tabs over spaces', { type: 'long_term', timestamp: '2024-05-01T10:00:00Z' }),
      record('Yesterday the build broke on Windows paths', { type: 'episodic', timestamp: 1714557600000 }),
    ]);
    assert.equal((await at(['memory', 'import', file])).code, 0);

    const bad = await jsonl([record('Should never be stored'), '{oops']);
    assert.equal((await at(['memory', 'import', bad])).code, 1);

    const listed = jsonLines((await at(['memory', 'list', '--json'])).stdout);
    assert.equal(listed.length, 3, 'the bad file added nothing');
    const deploys = listed.find((m) => m.content === 'Deploys go through the staging cluster first')!;
    assert.deepEqual(deploys.metadata, { source: 'wiki', tags: ['ops'], depth: { a: 1 } });
    assert.equal(deploys.importance, 0.9);
    assert.equal(listed.find((m) => m.type === 'long_term')!.timestamp, Date.parse('2024-05-01T10:00:00Z'));

    const found = jsonLines((await at(['memory', 'search', 'staging deploys', '--json', '--limit', '1'])).stdout);
    assert.equal(found.length, 1);
    assert.equal(found[0]!.id, deploys.id);
    assert.deepEqual(found[0]!.metadata, deploys.metadata);
    assert.equal(typeof found[0]!.score, 'number');

    const queries = join(await tempDir('mem-q-'), 'queries.txt');
    await writeFile(queries, 'tabs or spaces\n\nwindows build\n');
    const answers = jsonLines((await at(['memory', 'search', '--queries', queries, '--json', '--limit', '1'])).stdout);
    assert.deepEqual(answers.map((a) => [a.query, a.content]), [
      [0, 'The user prefers tabs over spaces'],
      [2, 'Yesterday the build broke on Windows paths'],
    ]);

    const episodic = jsonLines((await at(['memory', 'list', '--json', '--type', 'episodic'])).stdout);
    assert.deepEqual(episodic.map((m) => m.content), ['Yesterday the build broke on Windows paths']);

    const stats = JSON.parse((await at(['memory', 'stats', '--json'])).stdout) as Record<string, unknown>;
    assert.deepEqual(stats.byType, { episodic: 1, semantic: 1, short_term: 0, long_term: 1 });
    assert.equal(stats.fallback, true);
    assert.equal(stats.store, 'lancedb');

    assert.equal((await at(['memory', 'delete', String(deploys.id)])).stdout, 'deleted 1 memory\n');
    assert.equal(jsonLines((await at(['memory', 'list', '--json'])).stdout).length, 2);
  });
});

describe('a pgvector store (--url)', () => {
  it('keeps what one command adds for the next, and never prints the password', async (t) => {
    const server = await startPgliteServer();
    t.after(() => server.stop());
    const url = server.connectionString;
    const password = new URL(url).password;
    assert.ok(password, 'the test server URL has a password');
    const added = await cli(['memory', 'add', 'Releases are tagged from main on Fridays', '--metadata', '{"team": "infra"}', '--url', url, ...HASHING]);
    assert.equal(added.code, 0, added.stderr);
    const found = jsonLines((await cli(['memory', 'search', 'when are releases tagged', '--json', '--store', url, ...HASHING])).stdout);
    assert.deepEqual(found.map((m) => [m.id, m.content, m.metadata]), [[added.stdout.trim(), 'Releases are tagged from main on Fridays', { team: 'infra' }]]);
    const stats = await cli(['memory', 'stats', '--url', url, ...HASHING]);
    assert.match(stats.stdout, /^store {5}pgvector at postgres(ql)?:\/\/postgres@127\.0\.0\.1:\d+\/postgres\n/);
    assert.ok(!stats.stdout.includes(password), stats.stdout);
  });
});

describe('memory reembed', () => {
  it('memories kept for another model are named, and re-embedded with this one on request; the old table stays', async () => {
    const store = join(await tempDir('mem-reembed-'), 'memories');
    const tiny = ['--embedder', 'transformers', '--model-path', tinyModelFolder(), '--embedding-model', TINY_MODEL_ID];
    assert.equal((await cli(['memory', 'add', 'the nightly build runs at 2am', '--store', store, ...HASHING])).code, 0);

    const before = await cli(['memory', 'search', 'nightly build', '--store', store, '--json', ...tiny]);
    assert.equal(before.code, 0, before.stderr);
    assert.equal(before.stdout, '', 'the other model’s memory is not seen');
    assert.match(before.stderr, /^deep-agent: note: 1 memory was embedded with hashing-v1-384; `deep-agent memory reembed` makes them searchable with test\/tiny-bert$/m);

    const reembed = await cli(['memory', 'reembed', '--store', store, ...tiny]);
    assert.equal(reembed.code, 0, reembed.stderr);
    assert.equal(reembed.stdout, 're-embedded 1 memory\n');
    assert.match(reembed.stderr, /re-embedding 1 of hashing-v1-384 with test\/tiny-bert\n {2}1\/1\n/);

    const after = await cli(['memory', 'search', 'nightly build', '--store', store, '--json', ...tiny]);
    assert.equal((JSON.parse(after.stdout.split('\n')[0]!) as { content: string }).content, 'the nightly build runs at 2am');
    assert.equal(after.stderr, '');
    const old = await cli(['memory', 'list', '--store', store, '--json', ...HASHING]);
    assert.equal(old.stdout.trim().split('\n').length, 1, 'the hashing table is kept as it was');
    assert.equal((await cli(['memory', 'reembed', '--store', store, ...HASHING])).stdout, 're-embedded 1 memory\n', 'back the other way');
    assert.equal((await cli(['memory', 'list', '--store', store, '--json', ...HASHING])).stdout.trim().split('\n').length, 1, 'the same memory again, not a copy');
  });
});
