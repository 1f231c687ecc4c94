/**
 * Listing runs: 200 journals of ~1 MB each (a run_start, streamed chunks, progress events, half of
 * them ended), listed by FileCheckpointStore.listRuns. Prints one JSON line.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileCheckpointStore } from '../src/core';

const RUNS = Number(process.env.LISTING_RUNS ?? 200);
const BYTES = 1024 * 1024;

async function main(): Promise<void> {
const dir = mkdtempSync(join(tmpdir(), 'listing-bench-'));
try {
  const header = (runId: string) => `${JSON.stringify({ deepAgentJournal: 2, runId })}\n`;
  for (let n = 0; n < RUNS; n++) {
    const runId = `run-${n}`;
    const lines = [header(runId), `${JSON.stringify({ runId, seq: 0, ts: 1_000 + n, type: 'run_start', data: { agentName: 'coder', prompt: `task ${n}`, model: 'm', maxIterations: 50, depth: 0 } })}\n`];
    let size = 0;
    for (let seq = 1; size < BYTES; seq++) {
      const event = seq % 50 === 0
        ? { runId, seq, ts: 2_000 + seq, type: 'progress', data: { step: seq / 50, iteration: seq / 50, maxIterations: 50, usage: { inputTokens: seq, outputTokens: seq, totalTokens: 2 * seq }, costUsd: seq / 1e4, message: 'step' } }
        : { runId, seq, ts: 2_000 + seq, type: 'llm_end', data: { step: Math.floor(seq / 50), model: 'm', text: `answer ${seq} `.repeat(30), toolCalls: [], finishReason: 'stop', usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2 }, costUsd: 0, durationMs: 1 } };
      const line = `${JSON.stringify(event)}\n`;
      lines.push(line);
      size += line.length;
    }
    if (n % 2 === 0) lines.push(`${JSON.stringify({ runId, seq: 1e6, ts: 9e6, type: 'run_end', data: { status: 'completed', output: '', usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2 }, costUsd: 0, steps: 1, durationMs: 1 } })}\n`);
    writeFileSync(join(dir, `${runId}.jsonl`), lines.join(''));
  }
  const store = new FileCheckpointStore(dir);
  const times: number[] = [];
  let listed = 0;
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    listed = (await store.listRuns()).length;
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  console.log(JSON.stringify({ bench: 'listing', runs: RUNS, journalBytes: BYTES, listed, medianMs: Math.round(times[2]! * 10) / 10, minMs: Math.round(times[0]! * 10) / 10 }));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
}

void main();
