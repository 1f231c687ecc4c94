/**
 * The CLI, bundled as it ships (cli.js with searchWorker.js beside it), on the case: a model
 * greps "(a+)+$" in a workspace holding one 42-byte file. With ripgrep it finds nothing at once;
 * without (DEEP_AGENT_RIPGREP=off) JavaScript backtracks in a worker, and the CLI still answers
 * Ctrl-C at once and ends the search at --search-timeout.
 */
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test, type TestContext } from 'node:test';
import type { RunEvent } from '../../src/core/events';
import { bundleCli } from '../support/bundle';
import { runCliProcess, type CliRun } from '../support/cliProcess';
import { scriptedServer } from '../support/harness';
import { ripgrepPath } from '../support/ripgrep';
import type { ChatCompletionBody, ScriptedReply } from '../support/scriptedServer';

let cli = '';
before(async () => {
  cli = await bundleCli();
});

/** Greps the hostile pattern, then answers with the tool result it was given. */
function hostileScript(body: ChatCompletionBody): ScriptedReply {
  const result = body.messages.find((m) => m.role === 'tool');
  return result ? { text: `grep said: ${result.content}` } : { toolCalls: [{ name: 'grep', arguments: { pattern: '(a+)+$' } }] };
}

async function hostileRun(t: TestContext, env: NodeJS.ProcessEnv, flags: string[] = [], onEvent?: (event: RunEvent, kill: () => void) => void): Promise<CliRun> {
  const server = await scriptedServer(t, hostileScript);
  const workspace = await mkdtemp(join(tmpdir(), 'cli-hostile-'));
  await writeFile(join(workspace, 'hostile.txt'), `${'a'.repeat(40)}b\n`);
  const args = ['run', '--events', '--workspace', workspace, '--base-url', server.url, '--model', 'scripted-model', ...flags, 'Find lines of only a'];
  return runCliProcess([cli], args, {
    env,
    onLine: (line, child) => onEvent?.(JSON.parse(line) as RunEvent, () => child.kill('SIGINT')),
  });
}

const events = (run: CliRun) => run.stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as RunEvent);
const grepEnd = (run: CliRun) => events(run).find((e) => e.type === 'tool_end' && e.data.name === 'grep') as Extract<RunEvent, { type: 'tool_end' }>;

test('with ripgrep the hostile grep finds nothing at once and the run completes', async (t) => {
  const run = await hostileRun(t, { DEEP_AGENT_RIPGREP: ripgrepPath() });
  assert.equal(run.code, 0, run.stderr);
  assert.equal(grepEnd(run).data.result, 'No matches for "(a+)+$" under .');
  assert.ok(grepEnd(run).data.durationMs < 5000);
});

test('without ripgrep the hostile grep ends at --search-timeout with an error the model sees', async (t) => {
  const run = await hostileRun(t, { DEEP_AGENT_RIPGREP: 'off' }, ['--search-timeout', '3']);
  assert.equal(run.code, 0, run.stderr);
  const error = 'Error: grep timed out after 3 s in hostile.txt: the pattern "(a+)+$" may backtrack catastrophically; simplify it or narrow path/glob';
  assert.equal(grepEnd(run).data.result, error);
  const end = events(run).at(-1)!;
  assert.equal(end.type === 'run_end' && end.data.output, `grep said: ${error}`);
});

test('Ctrl-C during a hostile grep exits with 130 at once, not when the search would end', async (t) => {
  let killedAt = 0;
  const run = await hostileRun(t, { DEEP_AGENT_RIPGREP: 'off' }, ['--search-timeout', '120'], (event, kill) => {
    if (event.type === 'tool_start') {
      killedAt = performance.now();
      kill();
    }
  });
  assert.equal(run.code, 130, run.stderr);
  assert.ok(performance.now() - killedAt < 5000, `exited ${Math.round(performance.now() - killedAt)} ms after Ctrl-C`);
  const last = events(run).at(-1)!;
  assert.equal(last.type === 'run_end' && last.data.status, 'cancelled');
});

test('a DEEP_AGENT_RIPGREP that is not an executable is a usage error naming it', async (t) => {
  const run = await hostileRun(t, { DEEP_AGENT_RIPGREP: '/nowhere/rg' });
  assert.equal(run.code, 2);
  assert.equal(run.stderr, 'deep-agent: DEEP_AGENT_RIPGREP must be "off" or a ripgrep executable, got "/nowhere/rg", which is not executable\n');
});
