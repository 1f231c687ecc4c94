/** One model call: stream it into events, assemble the answer, retry transient failures. */
import { sleep } from '../clock';
import { zeroUsage, type Usage } from '../events';
import { costOf, type ModelPrice } from '../model/pricing';
import { retryDelayMs, type RetryPolicy } from '../model/retry';
import { ToolCallAssembler } from '../model/toolCallAssembler';
import { type ChatModel, type ChatRequest, type ToolCall } from '../model/types';
import type { RunEmitter } from './emitter';
import { errorCode, errorMessage, isAbort, markReported } from './errors';

interface ModelAnswer {
  text: string;
  toolCalls: ToolCall[];
  finishReason: string;
  usage: Usage;
  costUsd: number;
}

interface ModelCallContext {
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

async function streamAnswer(ctx: ModelCallContext, request: ChatRequest, step: number): Promise<ModelAnswer> {
  let text = '';
  let finishReason = 'stop';
  let usage = zeroUsage();
  const toolCalls = new ToolCallAssembler();
  for await (const chunk of ctx.model.stream(request, { signal: ctx.signal })) {
    switch (chunk.type) {
      case 'text':
        text += chunk.text;
        ctx.emitter.emit('llm_chunk', { step, text: chunk.text });
        break;
      case 'reasoning':
        // Shown and journaled, but never part of the answer or of the messages sent back.
        ctx.emitter.emit('llm_reasoning', { step, text: chunk.text });
        break;
      case 'tool_call':
        toolCalls.add(chunk);
        break;
      case 'usage':
        usage = chunk.usage;
        break;
      case 'finish':
        finishReason = chunk.reason;
        break;
      case 'notice':
        ctx.emitter.emit('error', { message: chunk.message, code: chunk.code, fatal: false });
        break;
    }
  }
  return { text, toolCalls: toolCalls.calls(step), finishReason, usage, costUsd: costOf(usage, ctx.price) };
}
