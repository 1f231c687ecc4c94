/** The CLI's readable view of a reasoning model: thinking dimmed on a terminal, never in piped stdout. */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test, type TestContext } from 'node:test';
import { readableView } from '../../src/cli/view';
import { createDeepAgent } from '../../src/core/agent/createDeepAgent';
import { StateBackend } from '../../src/core/backends/state';
import type { RunEvent } from '../../src/core/events';
import { eventLog, modelFor, scriptedServer } from '../support/harness';

class Captured extends Writable {
  text = '';
  constructor(readonly isTTY: boolean) {
    super();
  }
  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

/** A real run against a server whose model thinks before each answer. */
async function reasoningRun(t: TestContext): Promise<RunEvent[]> {
  const server = await scriptedServer(t, [
    { reasoning: ['I should ', 'list the files.\nThen answer.'], toolCalls: [{ name: 'ls', arguments: {} }], quirks: { reasoningField: 'reasoning' } },
    { reasoning: ['Nothing there.'], text: ['The workspace ', 'is empty.'] },
  ]);
  const log = eventLog();
  await createDeepAgent({ model: modelFor(server) }).run('What is here?', { backend: new StateBackend(), onEvent: log.onEvent });
  return log.events;
}

function render(events: RunEvent[], tty: boolean) {
  const out = new Captured(tty);
  const err = new Captured(tty);
  const view = readableView({ out, err });
  events.forEach(view);
  return { out: out.text, err: err.text };
}

test('piped: stdout holds only the answer and tool lines; the thinking goes to stderr as whole lines', async (t) => {
  const { out, err } = render(await reasoningRun(t), false);
  assert.equal(out, '→ ls \nThe workspace is empty.\n');
  assert.deepEqual(err.split('\n').filter((l) => l.startsWith('thinking: ')), ['thinking: I should list the files.', 'thinking: Then answer.', 'thinking: Nothing there.']);
  assert.doesNotMatch(err, /\x1b\[/);
});

test('on a terminal: the thinking streams dimmed on stdout, on its own lines before the answer', async (t) => {
  const { out } = render(await reasoningRun(t), true);
  const dim = (s: string) => `\x1b[2m${s}\x1b[22m`;
  assert.equal(out, `${dim('I should ')}${dim('list the files.\nThen answer.')}\n→ ls \n${dim('Nothing there.')}\nThe workspace is empty.\n`);
});

/** What a terminal shows for bytes written to it: \r goes to the line start, ESC[K clears to its end, colours are dropped. */
function screen(bytes: string): string {
  const lines = [''];
  let col = 0;
  for (const token of bytes.match(/\x1b\[[0-9;]*[A-Za-z]|\r|\n|[^\x1b\r\n]+/g) ?? []) {
    const row = lines.length - 1;
    if (token === '\n') {
      lines.push('');
      col = 0;
    } else if (token === '\r') col = 0;
    else if (token === '\x1b[K') lines[row] = lines[row]!.slice(0, col);
    else if (!token.startsWith('\x1b')) {
      lines[row] = lines[row]!.slice(0, col) + token + lines[row]!.slice(col + token.length);
      col += token.length;
    }
  }
  return lines.join('\n');
}

test('on a terminal the status line never erases the answer streaming on the same screen', async (t) => {
  const events = await reasoningRun(t);
  const terminal = new Captured(true);
  const view = readableView({ out: terminal, err: terminal });
  events.forEach(view);
  const shown = screen(terminal.text);
  assert.match(shown, /^The workspace is empty\.$/m);
  assert.match(shown, /^✓ completed in 2 steps/m);
});
