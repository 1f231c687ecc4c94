/**
 * The embedding worker stopped from outside while it works (as a crash would stop it): in a file of
 * its own, since onnxruntime-node cannot be loaded again in a process whose worker has stopped.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MemoryError } from '../../src/core/memory/errors';
import { hostWorker } from '../../src/core/memory/embedders/embeddingHost';
import { TransformersEmbedder } from '../../src/core/memory/embedders/transformers';
import { TINY_MODEL_ID, tinyModelFolder } from '../support/tinyModelFolder';

const models = tinyModelFolder();

test('a stopped worker fails the calls waiting on it with a clear error; the next call starts a new worker and says why it cannot embed', async (t) => {
  const embedder = new TransformersEmbedder({ modelId: TINY_MODEL_ID, localModelPath: models });
  t.after(() => embedder.close().catch(() => undefined));
  await embedder.dimension();
  const waiting = embedder.embed(Array.from({ length: 500 }, (_, i) => `text number ${i}`));
  const first = hostWorker()!;
  await first.terminate();
  await assert.rejects(waiting, new MemoryError('the embedding worker stopped (exit code 1); the next call starts a new one'));
  await assert.rejects(embedder.embed(['again']), (error: unknown) => {
    assert.ok(error instanceof MemoryError);
    assert.match(error.message, /^the embedding worker failed: Module did not self-register: .*onnxruntime_binding\.node.*onnxruntime loads once per process/);
    return true;
  });
});
