/**
 * The agent loop's own cost: a 200-step tool loop through createDeepAgent against a hand-written
 * loop over the bare `openai` client doing the same work (stream the answer, put the tool calls
 * together, run the tool, send the results back), both against one scripted OpenAI-compatible
 * server on 127.0.0.1 that answers at once. The hand-written loop sends the agent's own system
 * prompt and tool list, so both move the same bytes. Interleaved ABBA after a warm-up; prints the
 * median per run and the median of the pairs' differences, per step. Goal: the agent adds under 0.1 ms per step.
 * Env: AGENT_LOOP_STEPS (200), AGENT_LOOP_PAIRS (8).
 */
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import OpenAI from 'openai';
import type { ChatCompletionMessageParam, ChatCompletionTool } from 'openai/resources/chat/completions';
import { createDeepAgent } from '../src/core/agent/createDeepAgent';
import { StateBackend } from '../src/core/backends/state';
import { OpenAICompatibleModel } from '../src/core/model/openai';
import { startScriptedServer, type ScriptedServer } from '../test/support/scriptedServer';
import { noteTool as note } from './noteTool';
import { summary } from './stats';

const steps = Number(process.env.AGENT_LOOP_STEPS ?? 200);
const pairs = Number(process.env.AGENT_LOOP_PAIRS ?? 8);
const prompt = 'Count the notes.';
const words = Array.from({ length: 24 }, (_, i) => `word${i} `);


async function viaAgent(server: ScriptedServer): Promise<number> {
  const agent = createDeepAgent({ model: new OpenAICompatibleModel({ baseURL: server.url, model: 'scripted-model' }), tools: [note], maxIterations: steps + 1 });
  const started = performance.now();
  const result = await agent.execute(prompt, { backend: new StateBackend() });
  if (result.status !== 'completed' || result.steps !== steps + 1) throw new Error(`agent run ended ${result.status} after ${result.steps} steps`);
  return performance.now() - started;
}

/** What a careful hand-written loop over the bare client does, with the agent's prompt and tools. */
async function viaBareClient(server: ScriptedServer, system: string, tools: ChatCompletionTool[]): Promise<number> {
  const client = new OpenAI({ baseURL: server.url, apiKey: 'no-key', maxRetries: 0 });
  const messages: ChatCompletionMessageParam[] = [{ role: 'system', content: system }, { role: 'user', content: prompt }];
  const started = performance.now();
  for (let step = 0; ; step++) {
    const stream = await client.chat.completions.create({ model: 'scripted-model', messages, tools, stream: true, stream_options: { include_usage: true } });
    let text = '';
    const calls: { id: string; name: string; arguments: string }[] = [];
    for await (const chunk of stream) {
      for (const choice of chunk.choices) {
        if (choice.delta.content) text += choice.delta.content;
        for (const piece of choice.delta.tool_calls ?? []) {
          const call = (calls[piece.index] ??= { id: '', name: '', arguments: '' });
          if (piece.id) call.id = piece.id;
          if (piece.function?.name) call.name += piece.function.name;
          call.arguments += piece.function?.arguments ?? '';
        }
      }
    }
    messages.push({
      role: 'assistant',
      content: text || null,
      tool_calls: calls.length ? calls.map((c) => ({ id: c.id, type: 'function' as const, function: { name: c.name, arguments: c.arguments } })) : undefined,
    });
    if (calls.length === 0) {
      if (step !== steps) throw new Error(`bare loop ended after ${step + 1} steps`);
      return performance.now() - started;
    }
    for (const call of calls) {
      const args = note.parameters.parse(JSON.parse(call.arguments));
      messages.push({ role: 'tool', tool_call_id: call.id, content: await note.execute(args, undefined as never) });
    }
  }
}

async function main(): Promise<void> {
  const server = await startScriptedServer((body) => {
    const turn = body.messages.filter((m) => m.role === 'assistant').length;
    if (turn >= steps) return { text: 'All noted.' };
    return { text: words, toolCalls: [{ id: `call_${turn}`, name: 'note', arguments: { n: turn } }] };
  });
  try {
    // The agent's first request gives the system prompt and tools the bare loop sends too.
    await viaAgent(server);
    const first = server.requests[0]!.body;
    const system = first.messages[0]!.content!;
    const tools = first.tools as ChatCompletionTool[];
    await viaBareClient(server, system, tools);
    const agentMs: number[] = [];
    const bareMs: number[] = [];
    const load = loadavg()[0];
    for (let i = 0; i < pairs; i++) {
      // ABBA: neither side always runs first.
      if (i % 2 === 0) {
        agentMs.push(await viaAgent(server));
        bareMs.push(await viaBareClient(server, system, tools));
      } else {
        bareMs.push(await viaBareClient(server, system, tools));
        agentMs.push(await viaAgent(server));
      }
    }
    const agent = summary(agentMs);
    const bare = summary(bareMs);
    // The median of the pairs' differences: each pair ran back to back, so machine noise mostly cancels.
    const added = summary(agentMs.map((ms, i) => ms - bareMs[i]!));
    const addedPerStepMs = Math.round((added.p50 / (steps + 1)) * 1000) / 1000;
    console.log(
      JSON.stringify({
        bench: 'agent_loop',
        unit: 'ms per run',
        steps: steps + 1,
        pairs,
        agent,
        bareOpenAI: bare,
        addedPerStepMs,
        machineLoad1m: { before: load, after: loadavg()[0] },
        goal: 'added < 0.1 ms per step',
        pass: addedPerStepMs < 0.1,
      }),
    );
  } finally {
    await server.close();
  }
}

main().catch((error: unknown) => {
  console.error(`agent loop bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exitCode = 1;
});
