/**
 * OpenAiEmbedder over real HTTP (the scripted server, the real openai client): batching, the key,
 * retries, clear errors for failures and malformed replies; and embeddings recorded into a fixture,
 * then replayed with no server at all.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { embeddingsKey } from '../../src/core/model/canonical';
import { readFixture } from '../../src/core/model/fixture';
import { OpenAICompatibleModel } from '../../src/core/model/openai';
import { RecordingModel } from '../../src/core/model/recordReplay';
import { HashingEmbedder } from '../../src/core/memory/embedders/hashing';
import { OpenAiEmbedder } from '../../src/core/memory/embedders/openai';
import { RecordingEmbedder, ReplayEmbedder } from '../../src/core/memory/embedders/recordReplay';
import { MemoryError } from '../../src/core/memory/errors';
import { startScriptedServer, type EmbeddingsScript, type ScriptedServer } from '../support/scriptedServer';

const work = mkdtempSync(join(tmpdir(), 'openai-embedder-'));
after(() => rmSync(work, { recursive: true, force: true }));

const hashing = new HashingEmbedder(8);
/** The server's model: the hashing embedder, scaled so the client has to normalise. */
const vectorsOf: EmbeddingsScript = (body) => ({ vectors: body.input.map((text) => hashing.embedOne(text).map((x) => 2 * x)) });
const noRetryDelay = { maxRetries: 2, baseDelayMs: 1, maxDelayMs: 2 };

async function serve(t: { after(fn: () => unknown): void }, script: EmbeddingsScript): Promise<ScriptedServer> {
  const server = await startScriptedServer([], { embeddings: script });
  t.after(() => server.close());
  return server;
}

const embedderFor = (server: ScriptedServer, options: Partial<ConstructorParameters<typeof OpenAiEmbedder>[0]> = {}) =>
  new OpenAiEmbedder({ baseURL: server.url, model: 'scripted-embedder', apiKey: 'sk-test-key', retry: noRetryDelay, ...options });

/** The vectors the scripted server's model gives for these texts (to rounding: the client normalised them). */
function assertHashedVectors(actual: number[][], texts: string[]): void {
  assert.equal(actual.length, texts.length);
  texts.forEach((text, i) => {
    const expected = hashing.embedOne(text);
    assert.ok(actual[i]!.every((x, d) => Math.abs(x - expected[d]!) < 1e-12), `vector ${i} (${text})`);
  });
}

/** Asserts a MemoryError with exactly this message. */
const memoryError = (message: string) => (error: unknown) => {
  assert.ok(error instanceof MemoryError, `expected a MemoryError, got ${String(error)}`);
  assert.equal(error.message, message);
  return true;
};

describe('OpenAiEmbedder', () => {
  test('sends the texts in batches of batchSize, as floats, with the key from the environment variable named', async (t) => {
    const server = await serve(t, vectorsOf);
    const embedder = embedderFor(server, { apiKey: undefined, apiKeyEnv: 'EMBEDDING_KEY', env: { EMBEDDING_KEY: 'sk-from-env' }, batchSize: 2 });
    const texts = ['one', 'two', 'three', 'four', 'five'];
    const vectors = await embedder.embed(texts);
    assert.deepEqual(
      server.embeddingRequests.map((r) => r.body.input),
      [['one', 'two'], ['three', 'four'], ['five']],
    );
    assert.deepEqual(new Set(server.embeddingRequests.map((r) => r.body.encoding_format)), new Set(['float']));
    assert.deepEqual(new Set(server.embeddingRequests.map((r) => r.headers.authorization)), new Set(['Bearer sk-from-env']));
    assertHashedVectors(vectors, texts);
    assert.equal(await embedder.dimension(), 8);
  });

  test('puts the vectors in the order of the indexes the server gives', async (t) => {
    const server = await serve(t, (body) => ({
      body: { object: 'list', data: body.input.map((text, index) => ({ index, embedding: hashing.embedOne(text) })).reverse() },
    }));
    assertHashedVectors(await embedderFor(server).embed(['a', 'b', 'c']), ['a', 'b', 'c']);
  });

  test('retries a 429 and a 503 as chat calls are retried, then answers', async (t) => {
    const server = await serve(t, (body, index) => (index === 0 ? { status: 429, headers: { 'retry-after-ms': '1' } } : index === 1 ? { status: 503 } : vectorsOf(body, index)));
    assertHashedVectors(await embedderFor(server).embed(['x']), ['x']);
    assert.equal(server.embeddingRequests.length, 3);
  });

  test('an HTTP failure it cannot retry is one line naming the model, the server and the status', async (t) => {
    const server = await serve(t, () => ({ status: 401, message: 'Incorrect API key provided' }));
    await assert.rejects(
      embedderFor(server).embed(['x']),
      memoryError(`embeddings by scripted-embedder: model server at ${server.url} answered HTTP 401: Incorrect API key provided`),
    );
    assert.equal(server.embeddingRequests.length, 1, 'not retried');
  });

  test('gives up after the retries the policy allows', async (t) => {
    const server = await serve(t, () => ({ status: 500, message: 'overloaded' }));
    await assert.rejects(embedderFor(server).embed(['x']), memoryError(`embeddings by scripted-embedder: model server at ${server.url} answered HTTP 500: overloaded`));
    assert.equal(server.embeddingRequests.length, 1 + noRetryDelay.maxRetries);
  });

  const malformed: [string, EmbeddingsScript, string][] = [
    ['no data list', () => ({ body: { object: 'list' } }), 'the reply has no data list'],
    ['too few vectors', () => ({ vectors: [[1, 0]] }), 'asked for 2 vectors, got 1'],
    ['vectors of two dimensions', () => ({ vectors: [[1, 0], [1, 0, 0]] }), 'vector 1 has 3 numbers where earlier vectors have 2'],
    ['a string in a vector', () => ({ vectors: [[1, 0], [1, 'NaN']] }), 'vector 1 holds "NaN" at 1, not a number'],
    ['a vector that is not a list', () => ({ vectors: [[1, 0], 'AAAA'] }), 'vector 1 is not a list of numbers'],
  ];
  for (const [what, script, message] of malformed) {
    test(`a reply with ${what} is a clear error`, async (t) => {
      const server = await serve(t, script);
      await assert.rejects(embedderFor(server).embed(['a', 'b']), memoryError(`embeddings by scripted-embedder at ${server.url}: ${message}`));
    });
  }

  test('a reply of another dimension than before is an error', async (t) => {
    const server = await serve(t, (body, index) => ({ vectors: body.input.map(() => (index === 0 ? [1, 0] : [1, 0, 0])) }));
    const embedder = embedderFor(server);
    await embedder.embed(['a']);
    await assert.rejects(embedder.embed(['b']), memoryError(`embeddings by scripted-embedder at ${server.url}: vector 0 has 3 numbers where earlier vectors have 2`));
  });

  test('an abort while the server is slow rejects with the signal’s reason', async (t) => {
    let answered!: () => void;
    const asked = new Promise<void>((resolve) => (answered = resolve));
    const server = await serve(t, () => (answered(), { status: 503 })); // retried until the abort
    const controller = new AbortController();
    const reason = new Error('stopped by the test');
    const pending = embedderFor(server, { retry: { maxRetries: 100, baseDelayMs: 1000, maxDelayMs: 1000 } }).embed(['x'], { signal: controller.signal });
    await asked;
    controller.abort(reason);
    await assert.rejects(pending, (error) => error === reason);
  });
});

describe('embeddings record and replay', () => {
  test('a recording replays the same vectors with the server gone, and keeps no key', async (t) => {
    const server = await serve(t, vectorsOf);
    const fixture = join(work, 'recorded.json');
    const recorder = new RecordingEmbedder(embedderFor(server), fixture);
    const texts = ['the cat', 'the dog'];
    const recorded = await recorder.embed(texts);
    await recorder.embed(texts); // the same call again is not stored twice
    await server.close();

    const file = readFileSync(fixture, 'utf8');
    assert.ok(!file.includes('sk-test-key') && !file.includes(server.url), 'no key, no URL in the fixture');
    const parsed = JSON.parse(file);
    assert.deepEqual(parsed.recordings, []);
    assert.deepEqual(parsed.embeddings, [{ key: embeddingsKey({ model: 'scripted-embedder', input: texts }), request: { model: 'scripted-embedder', input: texts }, vectors: recorded }]);

    const replay = new ReplayEmbedder(fixture);
    assert.equal(replay.model, 'scripted-embedder');
    assert.deepEqual(await replay.embed(texts), recorded);
    assert.equal(await replay.dimension(), 8);
  });

  test('a replay miss is one clear error naming the fixture; with a live embedder it asks that instead', async (t) => {
    const server = await serve(t, vectorsOf);
    const fixture = join(work, 'miss.json');
    await new RecordingEmbedder(embedderFor(server), fixture).embed(['recorded text']);
    await assert.rejects(
      new ReplayEmbedder(fixture).embed(['another text', 'and more']),
      memoryError(`replay miss: fixture ${fixture} has no embeddings of these 2 texts by scripted-embedder, the first "another text" (it holds 1 embeddings calls); record the fixture again`),
    );
    const permissive = new ReplayEmbedder(fixture, { live: embedderFor(server) });
    assertHashedVectors(await permissive.embed(['another text']), ['another text']);
  });

  test('appending keeps what a fixture holds: chat recordings and embeddings alike', async (t) => {
    const server = await startScriptedServer([{ text: 'hello' }], { embeddings: vectorsOf });
    t.after(() => server.close());
    const fixture = join(work, 'append.json');
    await new RecordingEmbedder(embedderFor(server), fixture).embed(['first']);
    const chat = new RecordingModel(new OpenAICompatibleModel({ baseURL: server.url, model: 'scripted-model' }), fixture, { mode: 'append' });
    for await (const chunk of chat.stream({ model: 'scripted-model', messages: [{ role: 'user', content: 'hi' }] })) void chunk;
    await new RecordingEmbedder(embedderFor(server), fixture, { mode: 'append' }).embed(['second']);
    assert.equal(readFixture(fixture).recordings.length, 1, 'the chat call is kept');
    const replay = new ReplayEmbedder(fixture);
    assertHashedVectors([...(await replay.embed(['first'])), ...(await replay.embed(['second']))], ['first', 'second']);
  });
});
