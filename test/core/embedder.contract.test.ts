/**
 * The Embedder contract (test/support/embedderContract.ts) against every embedder: the hashing
 * fallback, a generated BERT model through transformers.js in its worker, and an OpenAI-compatible
 * server (the scripted one, over HTTP through the real openai client).
 */
import { describe, it } from 'node:test';
import { HashingEmbedder } from '../../src/core/memory/embedders/hashing';
import { OpenAiEmbedder } from '../../src/core/memory/embedders/openai';
import { TransformersEmbedder } from '../../src/core/memory/embedders/transformers';
import type { ContractSuite } from '../support/contractSuite';
import { embedderContract } from '../support/embedderContract';
import { startScriptedServer } from '../support/scriptedServer';
import { TINY_MODEL_ID, tinyModelFolder } from '../support/tinyModelFolder';

const suite: ContractSuite = { describe: (name, body) => void describe(name, body), it: (name, body) => void it(name, body) };
const models = tinyModelFolder();

embedderContract(suite, 'HashingEmbedder', async () => new HashingEmbedder());

embedderContract(suite, 'TransformersEmbedder (generated tiny BERT)', async () => new TransformersEmbedder({ modelId: TINY_MODEL_ID, localModelPath: models }));

embedderContract(suite, 'OpenAiEmbedder (scripted server)', async (t) => {
  // The server's "model" is the hashing embedder: deterministic, and not unit length until the client normalises.
  const hashing = new HashingEmbedder(16);
  const server = await startScriptedServer([], { embeddings: (body) => ({ vectors: body.input.map((text) => hashing.embedOne(text).map((x) => 3 * x)) }) });
  t.after(() => server.close());
  return new OpenAiEmbedder({ baseURL: server.url, model: 'scripted-embedder', apiKey: 'sk-test' });
});
