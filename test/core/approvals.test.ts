import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createDeepAgent } from '../../src/core/agent/createDeepAgent';
import type { ApprovalRequest, Approvals } from '../../src/core/agent/types';
import { StateBackend } from '../../src/core/backends/state';
import { eventLog, modelFor, scriptedServer } from '../support/harness';

const writes = [
  { toolCalls: [{ name: 'read_file', arguments: { path: 'a.txt' } }, { name: 'write_todos', arguments: { todos: [] } }] },
  { toolCalls: [{ name: 'edit_file', arguments: { path: 'a.txt', old_string: 'one', new_string: 'ONE' } }] },
  { toolCalls: [{ name: 'write_file', arguments: { path: 'b.txt', content: 'new file' } }] },
  { text: 'done' },
];

/** Answers approvals from a list, and keeps what it was asked: a scripted stand-in for the user. */
function scriptedUser(policy: Approvals['policy'], answers: { approved: boolean; reason?: string }[]) {
  const asked: ApprovalRequest[] = [];
  const approvals: Approvals = {
    policy,
    decide: async (request) => {
      asked.push(request);
      return answers.shift() ?? { approved: true };
    },
  };
  return { approvals, asked };
}

test('ask-for-writes asks before edits and writes, with the change, and a rejection reaches the model', async (t) => {
  const server = await scriptedServer(t, writes);
  const backend = new StateBackend({ 'a.txt': 'one two' });
  const user = scriptedUser('ask-for-writes', [{ approved: true }, { approved: false, reason: 'no new files please' }]);
  const log = eventLog();
  await createDeepAgent({ model: modelFor(server) }).run('go', { backend, approvals: user.approvals, onEvent: log.onEvent });

  assert.deepEqual(user.asked.map((r) => r.toolName), ['edit_file', 'write_file']);
  assert.deepEqual(user.asked[0]!.change, { path: 'a.txt', before: 'one two', after: 'ONE two' });
  assert.deepEqual(user.asked[1]!.change, { path: 'b.txt', before: undefined, after: 'new file' });
  assert.equal(await backend.readFile('a.txt'), 'ONE two');
  assert.equal(await backend.exists('b.txt'), false);
  const rejected = log.toolResultsInCallOrder().find((r) => r.name === 'write_file')!;
  assert.equal(rejected.ok, false);
  assert.match(rejected.result, /Rejected by the user: no new files please\./);
  assert.match(server.requests[3]!.body.messages.at(-1)!.content!, /Rejected by the user: no new files please/);
  assert.deepEqual(log.ofType('approval_resolved').map((e) => [e.data.name, e.data.approved]), [['edit_file', true], ['write_file', false]]);
  assert.equal(log.ofType('approval_requested')[0]!.data.path, 'a.txt');
});

test('always-ask asks for reads too but never for planning; auto never asks', async (t) => {
  for (const [policy, expected] of [['always-ask', ['read_file', 'edit_file', 'write_file']], ['auto', []]] as const) {
    const server = await scriptedServer(t, writes);
    const user = scriptedUser(policy, []);
    await createDeepAgent({ model: modelFor(server) }).run('go', { backend: new StateBackend({ 'a.txt': 'one' }), approvals: user.approvals });
    assert.deepEqual(user.asked.map((r) => r.toolName), expected, policy);
  }
});

test('a failing preview fails the call without asking', async (t) => {
  const server = await scriptedServer(t, [{ toolCalls: [{ name: 'edit_file', arguments: { path: 'a.txt', old_string: 'absent', new_string: 'x' } }] }, { text: 'ok' }]);
  const user = scriptedUser('ask-for-writes', []);
  const log = eventLog();
  await createDeepAgent({ model: modelFor(server) }).run('go', { backend: new StateBackend({ 'a.txt': 'one' }), approvals: user.approvals, onEvent: log.onEvent });
  assert.equal(user.asked.length, 0);
  assert.match(log.ofType('tool_end')[0]!.data.result, /old_string not found in a\.txt/);
});

test('stopping a run that waits for an approval cancels it', async (t) => {
  const server = await scriptedServer(t, writes.slice(1));
  const controller = new AbortController();
  const approvals: Approvals = {
    policy: 'ask-for-writes',
    decide: () => {
      controller.abort();
      return new Promise(() => undefined); // the user never answers
    },
  };
  const result = await createDeepAgent({ model: modelFor(server) }).execute('go', { backend: new StateBackend({ 'a.txt': 'one' }), approvals, signal: controller.signal });
  assert.equal(result.status, 'cancelled');
});
