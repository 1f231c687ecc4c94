/**
 * Local embeddings with a model of all-MiniLM-L6-v2's shapes and cost (random weights, generated at
 * start by test/support/tinyBert.ts, q8): texts per second at batch 1 and 32 through TransformersEmbedder
 * (its worker thread) against onnxruntime called directly (transformers.js' tokenizer, InferenceSession.run,
 * mean pooling in JavaScript), and the longest event-loop stall on the main thread while 1,000 texts
 * are embedded through the worker. The direct runs happen in a child process: onnxruntime-node may be
 * used from one thread per process only. Each throughput is the best of BENCH_EMBEDDING_ROUNDS (default 3).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { AutoTokenizer, env } from '@huggingface/transformers';
import type { InferenceSession as Session } from 'onnxruntime-node';
import { TransformersEmbedder } from '../src/core/memory/embedders/transformers';
import { MINILM_SHAPED, VOCABULARY_WORDS, writeTinyBert } from '../test/support/tinyBert';

const MODEL_ID = 'bench/minilm-shaped';
const ROUNDS = Number(process.env.BENCH_EMBEDDING_ROUNDS ?? 3);
const BATCHES = [1, 32];
const TEXTS_PER_ROUND: Record<number, number> = { 1: 64, 32: 320 };
const STALL_TEXTS = 1000;
const RATIO_GOAL = 0.9;
const STALL_GOAL_MS = 50;

/** Sentences of 24 vocabulary words (~26 tokens with [CLS] and [SEP]), each different. */
const sentences = (count: number, offset = 0): string[] =>
  Array.from({ length: count }, (_, i) => Array.from({ length: 24 }, (_, j) => VOCABULARY_WORDS[((i + offset) * 7 + j * 13) % VOCABULARY_WORDS.length]).join(' '));

/** Best texts/s over the rounds, each round embedding fresh texts in calls of `batch`. */
async function throughput(batch: number, embed: (texts: string[]) => Promise<unknown>): Promise<number> {
  await embed(sentences(batch, 10_000)); // warm-up
  let best = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const texts = sentences(TEXTS_PER_ROUND[batch]!, round * 1000);
    const started = performance.now();
    for (let i = 0; i < texts.length; i += batch) await embed(texts.slice(i, i + batch));
    best = Math.max(best, texts.length / ((performance.now() - started) / 1000));
  }
  return Math.round(best * 10) / 10;
}

/** onnxruntime in this thread: what the worker adds its overhead to. */
async function directEmbedder(models: string): Promise<(texts: string[]) => Promise<number[][]>> {
  const ort = await import('onnxruntime-node');
  env.allowRemoteModels = false;
  env.localModelPath = models;
  const tokenizer = await AutoTokenizer.from_pretrained(MODEL_ID);
  const session: Session = await ort.InferenceSession.create(join(models, MODEL_ID, 'onnx', 'model_quantized.onnx'));
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
    const sum = new Float64Array(size!);
    for (let s = 0; s < length!; s++) {
      if (mask[b * length! + s] === 0n) continue;
      for (let d = 0; d < size!; d++) sum[d]! += data[(b * length! + s) * size! + d]!;
    }
    // The mean, made unit length: dividing by the count first would change nothing.
    const norm = Math.hypot(...sum) || 1;
    return Array.from(sum, (x) => x / norm);
  });
}

/** Child process: the direct figures, as one JSON object on stdout. */
async function direct(models: string): Promise<void> {
  const embed = await directEmbedder(models);
  const figures: Record<number, number> = {};
  for (const batch of BATCHES) figures[batch] = await throughput(batch, embed);
  process.stdout.write(JSON.stringify(figures));
}

async function main(): Promise<void> {
  const models = mkdtempSync(join(tmpdir(), 'embedding-bench-'));
  try {
    writeTinyBert(models, MODEL_ID, MINILM_SHAPED);
    const directFigures = JSON.parse(
      execFileSync(process.execPath, ['--import', 'tsx', __filename, '--direct', models], { encoding: 'utf8', maxBuffer: 1 << 20 }),
    ) as Record<number, number>;

    for (const batch of BATCHES) {
      const embedder = new TransformersEmbedder({ modelId: MODEL_ID, localModelPath: models, batchSize: batch });
      const worker = await throughput(batch, (texts) => embedder.embed(texts));
      await embedder.close();
      const ratio = Math.round((worker / directFigures[batch]!) * 1000) / 1000;
      console.log(JSON.stringify({ bench: 'embedding_throughput', unit: 'texts/s', batch, tokensPerText: 26, worker, direct: directFigures[batch], ratio, goal: `ratio >= ${RATIO_GOAL}`, pass: ratio >= RATIO_GOAL }));
    }

    const embedder = new TransformersEmbedder({ modelId: MODEL_ID, localModelPath: models });
    await embedder.dimension(); // loaded: the stall measured is the embedding's, not the model load's
    const histogram = monitorEventLoopDelay({ resolution: 5 });
    let lastBeat = performance.now();
    let longestGap = 0;
    const heartbeat = setInterval(() => {
      const now = performance.now();
      longestGap = Math.max(longestGap, now - lastBeat);
      lastBeat = now;
    }, 5);
    histogram.enable();
    const started = performance.now();
    await embedder.embed(sentences(STALL_TEXTS));
    const seconds = (performance.now() - started) / 1000;
    histogram.disable();
    clearInterval(heartbeat);
    await embedder.close();
    const maxStallMs = Math.round((histogram.max / 1e6) * 10) / 10;
    console.log(
      JSON.stringify({
        bench: 'embedding_stall',
        unit: 'ms',
        texts: STALL_TEXTS,
        seconds: Math.round(seconds * 10) / 10,
        maxStallMs,
        p99StallMs: Math.round((histogram.percentile(99) / 1e6) * 10) / 10,
        longestHeartbeatGapMs: Math.round(longestGap * 10) / 10,
        goal: `max stall < ${STALL_GOAL_MS} ms`,
        pass: maxStallMs < STALL_GOAL_MS,
      }),
    );
  } finally {
    rmSync(models, { recursive: true, force: true });
  }
}

const at = process.argv.indexOf('--direct');
void (at === -1 ? main() : direct(process.argv[at + 1]!));
