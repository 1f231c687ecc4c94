/**
 * Replay speed: a 20-step run against a server that takes 50 ms per call, recorded, then replayed
 * from the fixture. Goal: the replay at least 200× faster than the live run.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createDeepAgent } from '../src/core/agent/createDeepAgent';
import { StateBackend } from '../src/core/backends/state';
import { OpenAICompatibleModel } from '../src/core/model/openai';
import { RecordingModel, ReplayModel } from '../src/core/model/recordReplay';
import type { ChatModel } from '../src/core/model/types';
import { startScriptedServer } from '../test/support/scriptedServer';
import { summary } from './stats';

const steps = 20;
const latencyMs = 50;

async function run(model: ChatModel): Promise<number> {
  const agent = createDeepAgent({ model, maxIterations: steps + 1 });
  const started = performance.now();
  const result = await agent.run('fill the notes', { backend: new StateBackend() });
  if (result.steps !== steps) throw new Error(`expected ${steps} steps, got ${result.steps}`);
  return performance.now() - started;
}

async function main() {
  const server = await startScriptedServer((body) => {
    const turn = body.messages.filter((m) => m.role === 'assistant').length;
    if (turn === steps - 1) return { text: 'All notes written.', latencyMs };
    return { text: `Step ${turn + 1}.`, toolCalls: [{ name: 'write_file', arguments: { path: `notes/${turn}.md`, content: `note ${turn}\n` } }], latencyMs };
  });
  const fixture = join(await mkdtemp(join(tmpdir(), 'bench-replay-')), 'run.json');
  const live = new OpenAICompatibleModel({ baseURL: server.url, model: 'bench-model' });
  const liveMs = await run(new RecordingModel(live, fixture));
  await server.close();

  const replay = new ReplayModel(fixture, { mode: 'strict' });
  await run(replay); // warm up
  const replays: number[] = [];
  for (let i = 0; i < 20; i++) replays.push(await run(new ReplayModel(fixture, { mode: 'strict' })));
  const stats = summary(replays);
  const speedup = Math.round(liveMs / stats.p50);
  console.log(JSON.stringify({ bench: 'replay', unit: 'ms', steps, serverLatencyMs: latencyMs, liveMs: Math.round(liveMs), replay: stats, speedup, goal: 'speedup >= 200', pass: speedup >= 200 }));
}

void main();
