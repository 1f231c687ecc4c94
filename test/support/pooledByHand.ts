/**
 * A sentence embedder without transformers.js' pipeline or worker: its tokenizer, then onnxruntime
 * called directly, the last_hidden_state mean-pooled over the real tokens (padding left out) and made
 * unit length. What TransformersEmbedder must give (test/core/transformersEmbedder.test.ts), and the
 * baseline of its throughput (bench/embedding.bench.ts).
 * As a script, `node --import tsx test/support/pooledByHand.ts <models> <modelId> <texts.json>` prints
 * the vectors as JSON. Either way in a process of its own: onnxruntime-node may be used from one
 * thread per process only, and an embedder's worker is that thread in the process that embeds.
 */
import { join } from 'node:path';
import { AutoTokenizer, env } from '@huggingface/transformers';
import * as ort from 'onnxruntime-node';

export async function directEmbedder(models: string, modelId: string): Promise<(texts: string[]) => Promise<number[][]>> {
  env.allowRemoteModels = false;
  env.localModelPath = models;
  const tokenizer = await AutoTokenizer.from_pretrained(modelId);
  const session = await ort.InferenceSession.create(join(models, modelId, 'onnx', 'model_quantized.onnx'));
  return async (texts) => {
    const tokens = tokenizer(texts, { padding: true, truncation: true });
    const feeds = Object.fromEntries(
      ['input_ids', 'attention_mask', 'token_type_ids'].map((name) => [name, new ort.Tensor('int64', tokens[name].data as BigInt64Array, tokens[name].dims)]),
    );
    const hidden = (await session.run(feeds)).last_hidden_state!;
    return meanPooled(hidden.data as Float32Array, tokens.attention_mask.data as BigInt64Array, hidden.dims as number[]);
  };
}

function meanPooled(data: Float32Array, mask: BigInt64Array, [batch, length, size]: number[]): number[][] {
  return Array.from({ length: batch! }, (_, b) => {
    const sum = new Array<number>(size!).fill(0);
    let count = 0;
    for (let s = 0; s < length!; s++) {
      if (mask[b * length! + s] === 0n) continue;
      count++;
      for (let d = 0; d < size!; d++) sum[d]! += data[(b * length! + s) * size! + d]!;
    }
    const mean = sum.map((x) => x / count);
    const norm = Math.hypot(...mean);
    return mean.map((x) => x / norm);
  });
}

if (require.main === module) {
  const [models, modelId, textsJson] = process.argv.slice(2);
  void directEmbedder(models!, modelId!)
    .then((embed) => embed(JSON.parse(textsJson!) as string[]))
    .then((vectors) => process.stdout.write(JSON.stringify(vectors)));
}
