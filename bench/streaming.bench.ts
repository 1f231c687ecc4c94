/**
 * Streaming overhead: how long a chunk takes from leaving a loopback server to reaching a
 * runStream consumer, against the bare `openai` client reading the same stream in the same process.
 * Each chunk's text is the server's performance.now() at the moment it was written.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import OpenAI from 'openai';
import { createDeepAgent } from '../src/core/agent/createDeepAgent';
import { StateBackend } from '../src/core/backends/state';
import { OpenAICompatibleModel } from '../src/core/model/openai';
import { runStream } from '../src/core/stream';
import { summary } from './stats';

const chunks = Number(process.env.BENCH_CHUNKS ?? 10_000);

async function timedServer() {
  const server = createServer(async (req, res) => {
    for await (const _ of req) void _;
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    const frame = (delta: object, finish: string | null = null) =>
      `data: ${JSON.stringify({ id: 'x', object: 'chat.completion.chunk', created: 0, model: 'm', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
    for (let i = 0; i < chunks; i++) {
      res.write(frame({ content: `${performance.now()} ` }));
      // Let the consumer (same process) read each chunk before the next is written.
      await new Promise((resolve) => setImmediate(resolve));
    }
    res.write(frame({}, 'stop'));
    res.end('data: [DONE]\n\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1` };
}

const latency = (text: string) => performance.now() - Number(text.trim());

async function bare(url: string): Promise<number[]> {
  const client = new OpenAI({ baseURL: url, apiKey: 'x', maxRetries: 0 });
  const out: number[] = [];
  const stream = await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'go' }], stream: true });
  for await (const chunk of stream) {
    const text = chunk.choices[0]?.delta?.content;
    if (text) out.push(latency(text));
  }
  return out;
}

async function viaRunStream(url: string): Promise<number[]> {
  const agent = createDeepAgent({ model: new OpenAICompatibleModel({ baseURL: url, model: 'm' }) });
  const out: number[] = [];
  for await (const event of runStream(agent, 'go', { backend: new StateBackend() })) {
    if (event.type === 'llm_chunk') out.push(latency(event.data.text));
  }
  return out;
}

async function main() {
  const { server, url } = await timedServer();
  await bare(url); // warm up both paths once
  await viaRunStream(url);
  const baseline = summary(await bare(url));
  const agent = summary(await viaRunStream(url));
  server.close();
  const added = { p50: Math.round((agent.p50 - baseline.p50) * 1000) / 1000, p99: Math.round((agent.p99 - baseline.p99) * 1000) / 1000 };
  console.log(JSON.stringify({ bench: 'streaming_overhead', unit: 'ms', chunks, bareOpenAI: baseline, runStream: agent, addedMs: added, goal: 'added p99 < 1 ms', pass: added.p99 < 1 }));
}

void main();
