/** The panel protocol, both sides in Node: the extension's handler table and the webview's requests. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRequests } from '../../media/requests';
import { answerRequest, type RequestHandlers, type RequestMessage } from '../../src/webview/protocol';

/** Handlers that record what they were asked; `send` fails the way a bad setting makes it fail. */
function handlers(asked: string[] = []): RequestHandlers {
  return {
    ready: () => void asked.push('ready'),
    send: ({ prompt }) => {
      if (prompt === 'fail') throw new Error('setting deepAgent.maxIterations is invalid: Too small');
      asked.push(`send ${prompt}`);
      return { runId: 'run-1' };
    },
    stop: () => {
      throw new Error('No run is going: it had ended already.');
    },
    resume: async ({ runId }) => ({ runId }),
    configureModel: () => ({ configured: true }),
    approve: ({ toolCallId }) => void asked.push(`approve ${toolCallId}`),
    reject: () => undefined,
    showRun: () => undefined,
  };
}

test('a request is handled and answered with its result', async () => {
  const asked: string[] = [];
  const response = await answerRequest({ kind: 'request', id: 7, method: 'send', params: { prompt: '  Write notes  ' } }, handlers(asked));
  assert.deepEqual(response, { kind: 'response', id: 7, ok: true, result: { runId: 'run-1' } });
  assert.deepEqual(asked, ['send Write notes'], 'the prompt comes trimmed');
});

test('a handler that throws is answered with its message', async () => {
  const response = await answerRequest({ kind: 'request', id: 8, method: 'send', params: { prompt: 'fail' } }, handlers());
  assert.deepEqual(response, { kind: 'response', id: 8, ok: false, error: 'setting deepAgent.maxIterations is invalid: Too small' });
});

test('malformed and unknown requests get an error response naming what was wrong', async () => {
  const asked: string[] = [];
  const cases: [unknown, RegExp, number | null][] = [
    [{ type: 'send', prompt: 'old style' }, /^malformed message from the panel: kind: .*; id: .*/, null],
    [null, /^malformed message from the panel/, null],
    [{ kind: 'request', id: 3, method: 'delete everything', params: {} }, /^unknown request "delete everything" from the panel$/, 3],
    [{ kind: 'request', id: 4, method: 'toString', params: {} }, /^unknown request "toString"/, 4],
    [{ kind: 'request', id: 5, method: 'send', params: { prompt: '   ' } }, /^invalid send request from the panel: prompt: the prompt is empty$/, 5],
    [{ kind: 'request', id: 6, method: 'approve', params: { toolCallId: 42 } }, /^invalid approve request from the panel: toolCallId: /, 6],
    [{ kind: 'request', id: -1, method: 'stop', params: {} }, /^malformed message from the panel: id: /, -1],
  ];
  for (const [raw, error, id] of cases) {
    const response = await answerRequest(raw, handlers(asked));
    assert.equal(response.ok, false, JSON.stringify(raw));
    assert.equal(response.id, id, 'the id is echoed when it can be read');
    assert.match(!response.ok ? response.error : '', error);
  }
  assert.deepEqual(asked, [], 'no handler ran');
});

test('requests without parameters may leave them out', async () => {
  const response = await answerRequest({ kind: 'request', id: 1, method: 'configureModel' }, handlers());
  assert.deepEqual(response, { kind: 'response', id: 1, ok: true, result: { configured: true } });
});

test("the webview's request() settles with the extension's answer, over a message channel", async () => {
  const asked: string[] = [];
  const table = handlers(asked);
  // The two sides talk through posted messages, as the webview and the extension do.
  const requests = createRequests((message: RequestMessage) => void answerRequest(structuredClone(message), table).then((r) => requests.settle(structuredClone(r))));
  assert.deepEqual(await requests.request('send', { prompt: 'Write notes' }), { runId: 'run-1' });
  await assert.rejects(requests.request('send', { prompt: 'fail' }), { message: 'setting deepAgent.maxIterations is invalid: Too small' });
  await requests.request('approve', { toolCallId: 'w1' });
  assert.deepEqual(asked, ['send Write notes', 'approve w1']);
});

test('a response nobody waits for is reported as not settled', () => {
  const requests = createRequests(() => undefined);
  assert.equal(requests.settle({ kind: 'response', id: null, ok: false, error: 'malformed message from the panel' }), false);
  assert.equal(requests.settle({ kind: 'response', id: 99, ok: true, result: undefined }), false);
});
