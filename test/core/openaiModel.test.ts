import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { createServer } from 'node:net';
import { test } from 'node:test';
import { OpenAICompatibleModel } from '../../src/core/model/openai';
import { retryAfterMs } from '../../src/core/model/modelErrors';
import { ModelError, type ModelChunk } from '../../src/core/model/types';
import { modelFor, scriptedServer } from '../support/harness';

const collect = async (it: AsyncIterable<ModelChunk>) => {
  const out: ModelChunk[] = [];
  for await (const c of it) out.push(c);
  return out;
};

const rejectsWith = async (promise: Promise<unknown>, check: (e: ModelError) => void) => {
  await assert.rejects(promise, (e: unknown) => {
    assert.ok(e instanceof ModelError, `expected ModelError, got ${String(e)}`);
    check(e);
    return true;
  });
};

// Streaming text, tool calls, finish, usage and abort are the ChatModel contract's (chatModel.contract.test.ts).
test('sends the conversation, tools and settings as Chat Completions asks, with the key and stream_options', async (t) => {
  const server = await scriptedServer(t, [{ text: 'ok' }]);
  await collect(
    modelFor(server).stream({
      model: 'scripted-model',
      messages: [
        { role: 'system', content: 'sys' },
        { role: 'user', content: 'hi' },
        { role: 'assistant', content: null, toolCalls: [{ id: 'c1', name: 'ls', arguments: '{}' }] },
        { role: 'tool', toolCallId: 'c1', content: 'a.txt' },
      ],
      tools: [{ name: 'ls', description: 'list', parameters: { type: 'object', properties: {} } }],
      temperature: 0.2,
    }),
  );
  const { body, headers } = server.requests[0]!;
  assert.equal(body.stream, true);
  assert.deepEqual(body.stream_options, { include_usage: true });
  assert.equal(body.temperature, 0.2);
  assert.equal(headers.authorization, 'Bearer sk-test-key');
  assert.deepEqual(body.messages[2], { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'ls', arguments: '{}' } }] });
  assert.deepEqual(body.messages[3], { role: 'tool', tool_call_id: 'c1', content: 'a.txt' });
  assert.equal(body.tools![0]!.function.name, 'ls');
});

test('HTTP 429 is transient and carries Retry-After', async (t) => {
  const server = await scriptedServer(t, [{ status: 429, message: 'slow down', headers: { 'retry-after': '3' } }]);
  await rejectsWith(collect(modelFor(server).stream({ model: 'm', messages: [{ role: 'user', content: 'x' }] })), (e) => {
    assert.equal(e.status, 429);
    assert.equal(e.transient, true);
    assert.equal(e.retryAfterMs, 3000);
    assert.match(e.message, /HTTP 429: slow down/);
  });
});

test('HTTP 500 is transient, HTTP 400 is not and names the server message', async (t) => {
  const server = await scriptedServer(t, [{ status: 503 }, { status: 400, message: 'bad tools field' }]);
  const model = modelFor(server);
  await rejectsWith(collect(model.stream({ model: 'm', messages: [] })), (e) => assert.equal(e.transient, true));
  await rejectsWith(collect(model.stream({ model: 'm', messages: [] })), (e) => {
    assert.equal(e.transient, false);
    assert.equal(e.code, 'model_http_400');
    assert.match(e.message, /bad tools field/);
  });
});

test('a connection cut mid-stream is a transient error, not a short answer', async (t) => {
  const server = await scriptedServer(t, [{ hangUpAfterChunks: 2, answer: { text: ['a', 'b', 'c', 'd'] } }]);
  await rejectsWith(collect(modelFor(server).stream({ model: 'm', messages: [] })), (e) => assert.equal(e.transient, true));
});

test('a dead server is a transient connection error', async () => {
  const port = await new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
  const model = new OpenAICompatibleModel({ baseURL: `http://127.0.0.1:${port}/v1`, model: 'm' });
  await rejectsWith(collect(model.stream({ model: 'm', messages: [] })), (e) => {
    assert.equal(e.code, 'model_connection');
    assert.equal(e.transient, true);
  });
});

test('a refused connection names the endpoint and the cause; fetch-blocked ports and DNS failures are not retried', async () => {
  const port = await new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
  const stream = (baseURL: string) => collect(new OpenAICompatibleModel({ baseURL, model: 'm' }).stream({ model: 'm', messages: [] }));
  await rejectsWith(stream(`http://127.0.0.1:${port}/v1`), (e) => {
    assert.match(e.message, new RegExp(`^cannot reach the model server at http://127\\.0\\.0\\.1:${port}/v1: connection refused \\(ECONNREFUSED\\)`));
    assert.equal(e.transient, true);
  });
  await rejectsWith(stream('http://127.0.0.1:9/v1'), (e) => {
    assert.match(e.message, /^cannot reach the model server at http:\/\/127\.0\.0\.1:9\/v1: fetch refuses that port/);
    assert.equal(e.transient, false);
  });
  await rejectsWith(stream('http://no-such-host.invalid/v1'), (e) => {
    assert.match(e.message, /at http:\/\/no-such-host\.invalid\/v1: the host name does not resolve \((ENOTFOUND|EAI_AGAIN)\)/);
  });
  // Credentials and query strings in a URL are never shown.
  await rejectsWith(stream(`http://user:secret@127.0.0.1:${port}/v1?key=k123`), (e) => {
    assert.doesNotMatch(e.message, /secret|k123/);
  });
});

test('Retry-After in seconds, as a date, and retry-after-ms', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  assert.equal(retryAfterMs(new Headers({ 'retry-after': '2' }), now), 2000);
  assert.equal(retryAfterMs(new Headers({ 'retry-after': 'Thu, 01 Jan 2026 00:00:05 GMT' }), now), 5000);
  assert.equal(retryAfterMs(new Headers({ 'retry-after-ms': '150', 'retry-after': '9' }), now), 150);
  assert.equal(retryAfterMs(new Headers({ 'retry-after': 'soon' }), now), undefined);
  assert.equal(retryAfterMs(undefined, now), undefined);
});

test('many calls on one run signal leave no abort listeners behind', async (t) => {
  const server = await scriptedServer(t, () => ({ text: 'ok' }));
  const model = modelFor(server);
  const run = new AbortController();
  for (let i = 0; i < 15; i++) await collect(model.stream({ model: 'm', messages: [] }, { signal: run.signal }));
  assert.equal(getEventListeners(run.signal, 'abort').length, 0);
});

test('listModels reads GET /models, and says undefined when the server cannot answer', async (t) => {
  const { listModels } = await import('../../src/core/model/openai');
  const server = await scriptedServer(t, [], { models: ['zeta', 'alpha'] });
  assert.deepEqual(await listModels(server.url), ['alpha', 'zeta']);
  assert.equal(await listModels('http://127.0.0.1:9/v1', undefined, 500), undefined);
});
