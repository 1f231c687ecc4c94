/**
 * The Embedder contract: what every embedder owes (src/core/memory/types.ts), registered through a
 * ContractSuite. Register one with
 *   embedderContract(suite, 'TransformersEmbedder', async (t) => embedder)
 * in test/core/embedder.contract.test.ts. Batches are compared with a small tolerance: a model
 * quantizes a padded batch as a whole, so a text's vector may move in the last digits with its company.
 */
import assert from 'node:assert/strict';
import type { Embedder } from '../../src/core/memory/types';
import type { CaseContext, ContractSuite } from './contractSuite';

export type EmbedderFactory = (t: CaseContext) => Promise<Embedder>;

const TEXTS = ['the cat sat on the mat', 'rain and snow in the mountain', 'a computer program with a bug', 'the dog sat on the mat'];

async function opened(t: CaseContext, factory: EmbedderFactory): Promise<Embedder> {
  const embedder = await factory(t);
  t.after(() => embedder.close());
  return embedder;
}

function assertClose(actual: number[], expected: number[], what: string): void {
  assert.equal(actual.length, expected.length, `${what}: dimension`);
  const far = actual.findIndex((x, i) => Math.abs(x - expected[i]!) > 1e-4);
  assert.equal(far, -1, `${what}: differs at ${far} (${actual[far]} vs ${expected[far]})`);
}

export function embedderContract(suite: ContractSuite, name: string, factory: EmbedderFactory): void {
  suite.describe(`Embedder contract: ${name}`, () => {
    suite.it('gives one unit-length vector of dimension() numbers per text', async (t) => {
      const embedder = await opened(t, factory);
      const vectors = await embedder.embed(TEXTS);
      const dimension = await embedder.dimension();
      assert.equal(vectors.length, TEXTS.length);
      for (const [i, vector] of vectors.entries()) {
        assert.equal(vector.length, dimension, `vector ${i}`);
        assert.ok(Math.abs(Math.hypot(...vector) - 1) < 1e-5, `vector ${i} has length ${Math.hypot(...vector)}`);
      }
      assert.ok(typeof embedder.model === 'string' && embedder.model.length > 0);
    });

    suite.it('keeps its dimension across calls of different sizes', async (t) => {
      const embedder = await opened(t, factory);
      const before = await embedder.dimension();
      const [one] = await embedder.embed(['x']);
      const many = await embedder.embed(TEXTS);
      assert.deepEqual([one!.length, ...many.map((v) => v.length), await embedder.dimension()], Array(TEXTS.length + 2).fill(before));
    });

    suite.it('gives the same text the same vector: again, and twice in one call', async (t) => {
      const embedder = await opened(t, factory);
      const first = await embedder.embed(TEXTS);
      assert.deepEqual(await embedder.embed(TEXTS), first);
      const [a, , again] = await embedder.embed([TEXTS[0]!, TEXTS[1]!, TEXTS[0]!]);
      assertClose(again!, a!, 'the same text twice in one call');
    });

    suite.it('returns the vectors in the order of the texts', async (t) => {
      const embedder = await opened(t, factory);
      const forward = await embedder.embed(TEXTS);
      const backward = await embedder.embed([...TEXTS].reverse());
      backward.reverse().forEach((vector, i) => assertClose(vector, forward[i]!, `text ${i}`));
      assert.notDeepEqual(forward[0], forward[1], 'different texts, different vectors');
    });

    suite.it('answers an empty list with an empty list', async (t) => {
      const embedder = await opened(t, factory);
      assert.deepEqual(await embedder.embed([]), []);
    });

    suite.it('rejects with the reason of an aborted signal', async (t) => {
      const embedder = await opened(t, factory);
      const reason = new Error('stopped by the test');
      await assert.rejects(embedder.embed(TEXTS, { signal: AbortSignal.abort(reason) }), (error) => error === reason);
    });
  });
}
