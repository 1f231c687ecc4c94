/**
 * Local embeddings with a model of all-MiniLM-L6-v2's shapes and cost (random weights, generated at
 * start by test/support/tinyBert.ts, q8): texts per second at batch 1 and 32 through TransformersEmbedder
 * (its worker thread) against onnxruntime called directly (transformers.js' tokenizer, InferenceSession.run,
 * mean pooling in JavaScript), and the longest event-loop stall on the main thread while 1,000 texts
 * are embedded through the worker. The direct calls run in a child process (test/support/pooledByHand.ts):
 * onnxruntime-node may be used from one thread per process only. Each throughput is the best of
 * BENCH_EMBEDDING_ROUNDS rounds (default 3); machineLoad is the 1-minute load average (2 cores here).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { TransformersEmbedder } from '../src/core/memory/embedders/transformers';
import { directEmbedder } from '../test/support/pooledByHand';
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

type Embed = (texts: string[]) => Promise<unknown>;

/** Texts/s of one round: fresh texts, embedded in calls of `batch`. */
async function roundRate(batch: number, round: number, embed: Embed): Promise<number> {
  const texts = sentences(TEXTS_PER_ROUND[batch]!, (round + 1) * 1000);
  const started = performance.now();
  for (let i = 0; i < texts.length; i += batch) await embed(texts.slice(i, i + batch));
  return texts.length / ((performance.now() - started) / 1000);
}

/** Child process: onnxruntime called directly, one round per message. */
async function direct(models: string): Promise<void> {
  const embed = await directEmbedder(models, MODEL_ID);
  process.on('message', (ask: { batch: number; round: number }) => void roundRate(ask.batch, ask.round, embed).then((rate) => process.send!(rate)));
  process.send!('ready');
}

/**
 * Best texts/s of the worker and of direct calls, their rounds taken in turn: the machine is shared,
 * and its load would otherwise favour whichever ran at the quieter moment.
 */
async function throughput(batch: number, child: ChildProcess, embed: Embed): Promise<{ worker: number; direct: number }> {
  const directRound = (round: number) => {
    child.send({ batch, round });
    return once(child, 'message').then(([rate]) => rate as number);
  };
  await directRound(-1); // warm-up, both
  await roundRate(batch, -1, embed);
  const best = { worker: 0, direct: 0 };
  for (let round = 0; round < ROUNDS; round++) {
    best.direct = Math.max(best.direct, await directRound(round));
    best.worker = Math.max(best.worker, await roundRate(batch, round, embed));
  }
  return { worker: Math.round(best.worker * 10) / 10, direct: Math.round(best.direct * 10) / 10 };
}

async function main(): Promise<void> {
  const models = mkdtempSync(join(tmpdir(), 'embedding-bench-'));
  try {
    writeTinyBert(models, MODEL_ID, MINILM_SHAPED);
    const child = fork(__filename, ['--direct', models], { execArgv: ['--import', 'tsx'] });
    await once(child, 'message'); // ready
    for (const batch of BATCHES) {
      const embedder = new TransformersEmbedder({ modelId: MODEL_ID, localModelPath: models, batchSize: batch });
      const figures = await throughput(batch, child, (texts) => embedder.embed(texts));
      await embedder.close();
      const ratio = Math.round((figures.worker / figures.direct) * 1000) / 1000;
      console.log(JSON.stringify({ bench: 'embedding_throughput', unit: 'texts/s', batch, tokensPerText: 26, ...figures, ratio, goal: `ratio >= ${RATIO_GOAL}`, pass: ratio >= RATIO_GOAL, machineLoad: loadavg()[0] }));
    }
    child.kill();

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
        machineLoad: loadavg()[0],
      }),
    );
  } finally {
    rmSync(models, { recursive: true, force: true });
  }
}

const at = process.argv.indexOf('--direct');
void (at === -1 ? main() : direct(process.argv[at + 1]!));
