/**
 * `node --import tsx test/support/pooledByHand.ts <models> <modelId> <texts.json>` prints what a
 * sentence embedder must give for the texts: the model's last_hidden_state from onnxruntime called
 * directly, mean-pooled over the real tokens (padding left out), unit length, as JSON.
 * A process of its own: onnxruntime-node may be used from one thread per process only, and the
 * embedder's worker is that thread in the test's process.
 */
import { join } from 'node:path';
import { AutoTokenizer, env } from '@huggingface/transformers';
import * as ort from 'onnxruntime-node';

async function main(): Promise<void> {
  const [models, modelId, textsJson] = process.argv.slice(2);
  const texts = JSON.parse(textsJson!) as string[];
  env.allowRemoteModels = false;
  env.localModelPath = models!;
  const tokenizer = await AutoTokenizer.from_pretrained(modelId!);
  const tokens = tokenizer(texts, { padding: true });
  const session = await ort.InferenceSession.create(join(models!, modelId!, 'onnx', 'model_quantized.onnx'));
  const feeds = Object.fromEntries(
    ['input_ids', 'attention_mask', 'token_type_ids'].map((name) => [name, new ort.Tensor('int64', tokens[name].data as BigInt64Array, tokens[name].dims)]),
  );
  const hidden = (await session.run(feeds)).last_hidden_state!;
  const [batch, length, size] = hidden.dims as number[];
  const data = hidden.data as Float32Array;
  const mask = tokens.attention_mask.data as BigInt64Array;
  const vectors = Array.from({ length: batch! }, (_, b) => {
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
  process.stdout.write(JSON.stringify(vectors));
}

void main();
