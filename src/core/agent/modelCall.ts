/** One model call: stream it into events, assemble the answer, retry transient failures. */
import { sleep } from '../clock';
import { zeroUsage, type Usage } from '../events';
import { costOf, type ModelPrice } from '../model/pricing';
import { retryDelayMs, type RetryPolicy } from '../model/retry';
import { type ChatModel, type ChatRequest, type ToolCall } from '../model/types';
import type { RunEmitter } from './emitter';
import { errorCode, errorMessage, isAbort, markReported } from './errors';

export interface ModelAnswer {
  text: string;
  toolCalls: ToolCall[];
  finishReason: string;
  usage: Usage;
  costUsd: number;
}

export interface ModelCallContext {
  model: ChatModel;
  price: ModelPrice | undefined;
  retry: RetryPolicy;
  emitter: RunEmitter;
  signal: AbortSignal;
  random: () => number;
}

export async function callModel(ctx: ModelCallContext, request: ChatRequest, step: number): Promise<ModelAnswer> {
  for (let attempt = 1; ; attempt++) {
    ctx.emitter.emit('llm_start', {
      step,
      model: ctx.model.modelName,
      attempt,
      messageCount: request.messages.length,
      toolCount: request.tools?.length ?? 0,
    });
    const started = ctx.emitter.clock.now();
    try {
      const answer = await streamAnswer(ctx, request, step);
      ctx.emitter.emit('llm_end', { step, model: ctx.model.modelName, ...answer, durationMs: ctx.emitter.clock.now() - started });
      return answer;
    } catch (error) {
      if (isAbort(error, ctx.signal)) throw error;
      const delay = retryDelayMs(error, attempt, ctx.retry, ctx.random);
      ctx.emitter.emit('error', {
        message: delay === undefined ? errorMessage(error) : `${errorMessage(error)} (retrying in ${delay} ms)`,
        code: errorCode(error),
        fatal: delay === undefined,
        attempt,
        retryInMs: delay,
      });
      if (delay === undefined) {
        markReported(error);
        throw error;
      }
      await sleep(delay, ctx.signal);
    }
  }
}

async function streamAnswer(ctx: ModelCallContext, request: ChatRequest, step: number): Promise<Omit<ModelAnswer, 'costUsd'> & { costUsd: number }> {
  let text = '';
  let finishReason = 'stop';
  let usage = zeroUsage();
  const calls: { id: string; name: string; arguments: string }[] = [];
  for await (const chunk of ctx.model.stream(request, { signal: ctx.signal })) {
    switch (chunk.type) {
      case 'text':
        text += chunk.text;
        ctx.emitter.emit('llm_chunk', { step, text: chunk.text });
        break;
      case 'tool_call': {
        const call = (calls[chunk.index] ??= { id: '', name: '', arguments: '' });
        if (chunk.id) call.id = chunk.id;
        if (chunk.name) call.name += chunk.name;
        call.arguments += chunk.argumentsDelta;
        break;
      }
      case 'usage':
        usage = chunk.usage;
        break;
      case 'finish':
        finishReason = chunk.reason;
        break;
    }
  }
  // Some servers omit ids; the loop needs one per call to pair results with calls.
  const toolCalls = calls.filter(Boolean).map((c, i) => ({ ...c, id: c.id || `call_${step}_${i}` }));
  return { text, toolCalls, finishReason, usage, costUsd: costOf(usage, ctx.price) };
}
