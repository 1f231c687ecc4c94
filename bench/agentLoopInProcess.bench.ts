/**
 * The agent loop alone: a 200-step tool loop through createDeepAgent against a model in the same
 * process that answers at once (24 text chunks, one tool call, usage), so no HTTP and no server
 * noise: what is left is the loop's own cost per step — events, guardrail gates, tool dispatch,
 * message building. agentLoop.bench.ts compares the same loop with a bare `openai` client over HTTP,
 * where the machine's noise (±0.2 ms per step here) hides differences this one shows.
 * Env: AGENT_LOOP_STEPS (200), AGENT_LOOP_RUNS (40).
 */
import { performance } from 'node:perf_hooks';
import { createDeepAgent, StateBackend, type ChatModel, type ChatRequest, type ModelChunk } from '../src/core';
import { noteTool as note } from './noteTool';
import { summary } from './stats';

const steps = Number(process.env.AGENT_LOOP_STEPS ?? 200);
const runs = Number(process.env.AGENT_LOOP_RUNS ?? 40);


const model: ChatModel = {
  id: 'in-process',
  modelName: 'in-process',
  async *stream(request: ChatRequest): AsyncIterable<ModelChunk> {
    const step = request.messages.filter((m) => m.role === 'assistant').length;
    for (let i = 0; i < 24; i++) yield { type: 'text', text: `word${i} ` };
    if (step < steps) yield { type: 'tool_call', index: 0, id: `call_${step}`, name: 'note', argumentsDelta: `{"n":${step}}` };
    yield { type: 'usage', usage: { inputTokens: 10, outputTokens: 5, totalTokens: 15 } };
    yield { type: 'finish', reason: step < steps ? 'tool_calls' : 'stop' };
  },
};

async function once(): Promise<number> {
  const agent = createDeepAgent({ model, tools: [note], maxIterations: steps + 1 });
  const started = performance.now();
  const result = await agent.execute('Count the notes.', { backend: new StateBackend() });
  if (result.status !== 'completed' || result.steps !== steps + 1) throw new Error(`run ended ${result.status} after ${result.steps} steps`);
  return (performance.now() - started) / (steps + 1);
}

async function main() {
  for (let i = 0; i < 5; i++) await once(); // warm-up
  const perStep: number[] = [];
  for (let i = 0; i < runs; i++) perStep.push(await once());
  console.log(JSON.stringify({ bench: 'agent_loop_in_process', unit: 'ms per step', steps: steps + 1, runs, perStep: summary(perStep), goal: 'p50 < 0.1 ms per step', pass: summary(perStep).p50 < 0.1 }));
}

void main();
