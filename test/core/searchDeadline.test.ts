/**
 * Issue 8, through the real agent loop: a model greps "(a+)+$" in a workspace holding one 42-byte
 * file of forty a's and a b. JavaScript would backtrack for minutes; the search runs off the main
 * thread with a deadline, so the run goes on, the model sees why, and the event loop keeps turning.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { createDeepAgent } from '../../src/core/agent/createDeepAgent';
import { FilesystemBackend } from '../../src/core/backends/filesystem';
import type { SearchSettings } from '../../src/core/backends/types';
import { watchEventLoop } from '../support/eventLoop';
import { ripgrepPath } from '../support/ripgrep';
import { eventLog, modelFor, scriptedServer } from '../support/harness';

const HOSTILE_FILE = `${'a'.repeat(40)}b\n`;
/** Far below what a blocked loop shows (the whole search), far above a busy machine's noise. */
const MAX_STALL_MS = 250;

async function hostileWorkspace(t: TestContext): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'daw-hostile-'));
  t.after(() => rm(root, { recursive: true, force: true }));
  await writeFile(join(root, 'hostile.txt'), HOSTILE_FILE);
  await writeFile(join(root, 'notes.md'), '# notes\n');
  return root;
}

/** The model greps the hostile pattern and reads a file in the same step, then answers with what it saw. */
async function runHostileGrep(t: TestContext, search: SearchSettings) {
  const server = await scriptedServer(t, (body, index) =>
    index === 0
      ? {
          toolCalls: [
            { id: 'grep-1', name: 'grep', arguments: { pattern: '(a+)+$' } },
            { id: 'read-1', name: 'read_file', arguments: { path: 'notes.md' } },
          ],
        }
      : { text: `I saw: ${body.messages.filter((m) => m.role === 'tool').map((m) => m.content).join(' | ')}` },
  );
  const backend = new FilesystemBackend({ root: await hostileWorkspace(t), search });
  const log = eventLog();
  const loop = watchEventLoop();
  const result = await createDeepAgent({ model: modelFor(server) }).run('Find lines of only a', { backend, onEvent: log.onEvent });
  return { result, log, stallMs: loop.stop() };
}

test('without ripgrep, the hostile grep ends at its deadline with an error the model sees, and the run goes on', async (t) => {
  // A deadline long enough for the worker thread to start and reach the hostile file on a busy machine.
  const { result, log, stallMs } = await runHostileGrep(t, { ripgrep: false, timeoutMs: 6000 });
  assert.equal(result.status, 'completed');
  const grep = log.ofType('tool_end').find((e) => e.data.name === 'grep')!;
  assert.equal(grep.data.ok, false);
  const error =
    'Error: grep timed out after 6 s in hostile.txt: the pattern "(a+)+$" may backtrack catastrophically; simplify it or narrow path/glob';
  assert.equal(grep.data.result, error);
  assert.ok(grep.data.durationMs < 6000 + 3000, `ended within its deadline (${grep.data.durationMs} ms)`);
  assert.match(result.output, /^I saw: Error: grep timed out after 6 s in hostile\.txt/, 'the model was told');
  assert.ok(stallMs < MAX_STALL_MS, `the event loop was blocked for ${stallMs} ms`);
});

test('nothing waits for a search: a read_file in the same step ends long before the grep', async (t) => {
  const { log } = await runHostileGrep(t, { ripgrep: false, timeoutMs: 3000 });
  const ends = log.ofType('tool_end').map((e) => e.data.name);
  assert.deepEqual(ends, ['read_file', 'grep']);
  const read = log.ofType('tool_end').find((e) => e.data.name === 'read_file')!;
  assert.equal(read.data.result, '     1\t# notes');
  assert.ok(read.data.durationMs < 1000, `read_file took ${read.data.durationMs} ms`);
});

test('with ripgrep, the same grep finds nothing at once (ripgrep never backtracks)', async (t) => {
  const { result, log, stallMs } = await runHostileGrep(t, { ripgrep: ripgrepPath(), timeoutMs: 3000 });
  const grep = log.ofType('tool_end').find((e) => e.data.name === 'grep')!;
  assert.equal(grep.data.ok, true);
  assert.equal(grep.data.result, 'No matches for "(a+)+$" under .');
  assert.ok(grep.data.durationMs < 3000, `took ${grep.data.durationMs} ms`);
  assert.match(result.output, /No matches for "\(a\+\)\+\$"/);
  assert.ok(stallMs < MAX_STALL_MS, `the event loop was blocked for ${stallMs} ms`);
});

test('cancelling the run stops a hostile grep at once', async (t) => {
  const server = await scriptedServer(t, [{ toolCalls: [{ name: 'grep', arguments: { pattern: '(a+)+$' } }] }]);
  const backend = new FilesystemBackend({ root: await hostileWorkspace(t), search: { ripgrep: false, timeoutMs: 60_000 } });
  const controller = new AbortController();
  const log = eventLog();
  const onEvent = (event: Parameters<typeof log.onEvent>[0]) => {
    log.onEvent(event);
    if (event.type === 'tool_start') setTimeout(() => controller.abort(), 200);
  };
  const started = performance.now();
  const result = await createDeepAgent({ model: modelFor(server) }).execute('Find lines of only a', { backend, onEvent, signal: controller.signal });
  assert.equal(result.status, 'cancelled');
  assert.ok(performance.now() - started < 5000, 'not at the 60 s deadline');
  assert.equal(log.ofType('tool_end')[0]!.data.ok, false);
});
