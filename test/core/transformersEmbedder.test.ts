/**
 * TransformersEmbedder with a generated BERT model (test/support/tinyBert.ts) loaded through the real
 * transformers.js path from a temp folder, run in the real worker thread on the real onnxruntime.
 * Nothing else in this process may load onnxruntime-node: it works from one thread per process only.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { promisify } from 'node:util';
import { MemoryError } from '../../src/core/memory/errors';
import { TransformersEmbedder } from '../../src/core/memory/embedders/transformers';
import { dot } from '../../src/core/memory/vectors';
import { watchEventLoop } from '../support/eventLoop';
import { VOCABULARY_WORDS } from '../support/tinyBert';
import { TINY_MODEL_ID, tinyModelFolder } from '../support/tinyModelFolder';

const models = tinyModelFolder();
const MAX_STALL_MS = 250;

function tinyEmbedder(t: { after(fn: () => unknown): void }, options: { batchSize?: number } = {}): TransformersEmbedder {
  const embedder = new TransformersEmbedder({ modelId: TINY_MODEL_ID, localModelPath: models, ...options });
  t.after(() => embedder.close());
  return embedder;
}

/** Sentences of vocabulary words, each different. */
const sentences = (count: number): string[] =>
  Array.from({ length: count }, (_, i) => Array.from({ length: 12 }, (_, j) => VOCABULARY_WORDS[(i * 7 + j * 13) % VOCABULARY_WORDS.length]).join(' '));

/** What the embedder should give, computed in a process of its own (see pooledByHand.ts). */
async function pooledByHand(texts: string[]): Promise<number[][]> {
  const script = join(__dirname, '..', 'support', 'pooledByHand.ts');
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', script, models, TINY_MODEL_ID, JSON.stringify(texts)]);
  return JSON.parse(stdout) as number[][];
}

describe('TransformersEmbedder', () => {
  test('gives onnxruntime’s output, mean-pooled over the real tokens (padding left out) and unit length', async (t) => {
    const texts = ['the cat sat on the mat', 'rain', 'a long sentence about the weather in the mountain in winter and summer'];
    const vectors = await tinyEmbedder(t).embed(texts);
    const expected = await pooledByHand(texts);
    for (const [i, vector] of vectors.entries()) {
      const worst = Math.max(...vector.map((x, d) => Math.abs(x - expected[i]![d]!)));
      assert.ok(worst < 1e-5, `text ${i} differs by ${worst}`);
    }
  });

  test('reports the hidden size of the model as its dimension', async (t) => {
    assert.equal(await tinyEmbedder(t).dimension(), 64);
  });

  test('gives the same vectors after close, when the model is loaded again', async (t) => {
    const texts = sentences(5);
    const first = new TransformersEmbedder({ modelId: TINY_MODEL_ID, localModelPath: models });
    const before = await first.embed(texts);
    await first.close();
    assert.deepEqual(await tinyEmbedder(t).embed(texts), before);
  });

  test('puts similar texts closer than unrelated ones', async (t) => {
    const [cat, dog, code] = await tinyEmbedder(t).embed(['the cat sat on the mat', 'the dog sat on the mat', 'computer program code data']);
    assert.ok(dot(cat!, dog!) > dot(cat!, code!), `cat·dog ${dot(cat!, dog!)} vs cat·code ${dot(cat!, code!)}`);
  });

  test('a model that is not there fails with one line naming the folder looked in', async (t) => {
    const embedder = new TransformersEmbedder({ modelId: 'nobody/missing-model', localModelPath: models });
    t.after(() => embedder.close());
    await assert.rejects(embedder.embed(['x']), (error: unknown) => {
      assert.ok(error instanceof MemoryError);
      assert.equal(
        error.message,
        `embedding model nobody/missing-model not found: no config.json in ${join(models, 'nobody', 'missing-model')} (downloads are off; put the model's files there)`,
      );
      return true;
    });
  });

  test('a model folder without the weights asked for fails with one line naming the folder', async (t) => {
    mkdirSync(join(models, 'test', 'no-weights'), { recursive: true });
    writeFileSync(join(models, 'test', 'no-weights', 'config.json'), JSON.stringify({ model_type: 'bert', hidden_size: 8 }));
    const embedder = new TransformersEmbedder({ modelId: 'test/no-weights', localModelPath: models });
    t.after(() => embedder.close());
    await assert.rejects(embedder.embed(['x']), (error: unknown) => {
      assert.ok(error instanceof MemoryError);
      assert.ok(error.message.startsWith(`cannot load embedding model test/no-weights from ${join(models, 'test', 'no-weights')}: `), error.message);
      assert.ok(!error.message.includes('\n'), 'one line');
      return true;
    });
  });

  test('an abort rejects at once with the signal’s reason, and the embedder goes on working', async (t) => {
    const embedder = tinyEmbedder(t, { batchSize: 4 });
    const [expected] = await embedder.embed(['after the abort']);
    const controller = new AbortController();
    const reason = new Error('stopped by the test');
    const pending = embedder.embed(sentences(400), { signal: controller.signal });
    controller.abort(reason);
    await assert.rejects(pending, (error) => error === reason);
    assert.deepEqual(await embedder.embed(['after the abort']), [expected]);
  });

  test('close fails its waiting calls with a clear error', async () => {
    const embedder = new TransformersEmbedder({ modelId: TINY_MODEL_ID, localModelPath: models });
    const rejected = assert.rejects(embedder.embed(sentences(200)), new MemoryError(`embedder ${TINY_MODEL_ID} was closed`));
    await embedder.close();
    await rejected;
  });

  test('embeds a thousand texts without blocking the event loop', async (t) => {
    const embedder = tinyEmbedder(t);
    await embedder.dimension(); // loading is off the thread too, but not what this measures
    const loop = watchEventLoop();
    const vectors = await embedder.embed(sentences(1000));
    const stallMs = loop.stop();
    assert.equal(vectors.length, 1000);
    assert.ok(stallMs < MAX_STALL_MS, `the event loop was blocked for ${stallMs} ms`);
  });
});
