/**
 * What each event contributes to its span's attributes. Pure functions of event data; the Tracer
 * decides which span they belong to.
 */
import type { RunEventData, Usage } from '../events';
import { DeepAgentAttr as D, GenAiAttr as G, GenAiOperation } from './attributes';
import { previewJson, previewText } from './preview';
import type { AttributeValue } from './types';

type Attributes = Record<string, AttributeValue>;

export function runStartAttributes(
  runId: string,
  parentRunId: string | undefined,
  data: RunEventData['run_start'],
  previewChars: number,
): Attributes {
  const attributes: Attributes = {
    [G.operationName]: GenAiOperation.invokeAgent,
    [G.agentName]: data.agentName,
    [G.requestModel]: data.model,
    [D.runId]: runId,
    [D.depth]: data.depth,
    [D.maxIterations]: data.maxIterations,
  };
  if (parentRunId !== undefined) attributes[D.parentRunId] = parentRunId;
  if (data.parentToolCallId !== undefined) attributes[G.toolCallId] = data.parentToolCallId;
  if (data.parent && data.parent.kind !== 'tool_call') {
    attributes[D.parentKind] = data.parent.kind;
    attributes[D.parentId] = data.parent.id;
  }
  const prompt = previewText(data.prompt, previewChars);
  if (prompt) attributes[D.promptPreview] = prompt;
  return attributes;
}

export function addRunEndAttributes(attributes: Attributes, data: RunEventData['run_end'], previewChars: number): void {
  addUsage(attributes, data.usage);
  attributes[D.costUsd] = data.costUsd;
  attributes[D.steps] = data.steps;
  attributes[D.status] = data.status;
  const output = data.output === undefined ? '' : previewText(data.output, previewChars);
  if (output) attributes[D.outputPreview] = output;
}

export function stepStartAttributes(runId: string, depth: number, step: number): Attributes {
  return { [D.runId]: runId, [D.depth]: depth, [D.step]: step };
}

export function addStepEndAttributes(attributes: Attributes, data: RunEventData['step_end']): void {
  addUsage(attributes, data.usage);
  attributes[D.costUsd] = data.costUsd;
  attributes[D.toolCalls] = data.toolCalls;
}

export function modelCallStartAttributes(runId: string, depth: number, data: RunEventData['llm_start']): Attributes {
  return {
    [G.operationName]: GenAiOperation.chat,
    [G.requestModel]: data.model,
    [D.runId]: runId,
    [D.depth]: depth,
    [D.step]: data.step,
    [D.attempt]: data.attempt,
    [D.messageCount]: data.messageCount,
    [D.toolCount]: data.toolCount,
  };
}

export function addModelCallEndAttributes(
  attributes: Attributes,
  data: RunEventData['llm_end'],
  streamed: { chunks: number; secondsToFirstChunk: number | undefined; reasoningChars: number; reasoningHead: string },
  previewChars: number,
): void {
  attributes[G.responseModel] = data.model;
  attributes[G.finishReasons] = [data.finishReason];
  addUsage(attributes, data.usage);
  attributes[D.costUsd] = data.costUsd;
  attributes[D.toolCalls] = data.toolCalls.length;
  attributes[D.chunkCount] = streamed.chunks;
  if (streamed.secondsToFirstChunk !== undefined) attributes[G.timeToFirstChunk] = streamed.secondsToFirstChunk;
  const output = previewText(data.text, previewChars);
  if (output) attributes[D.outputPreview] = output;
  if (streamed.reasoningChars > 0) {
    attributes[D.reasoningChars] = streamed.reasoningChars;
    const reasoning = previewText(streamed.reasoningHead, previewChars);
    if (reasoning) attributes[D.reasoningPreview] = reasoning;
  }
}

export function toolCallStartAttributes(
  runId: string,
  depth: number,
  data: RunEventData['tool_start'],
  previewChars: number,
): Attributes {
  const attributes: Attributes = {
    [G.operationName]: GenAiOperation.executeTool,
    [G.toolName]: data.name,
    [G.toolCallId]: data.toolCallId,
    [G.toolType]: 'function',
    [D.runId]: runId,
    [D.depth]: depth,
    [D.step]: data.step,
  };
  const args = previewJson(data.args, previewChars);
  if (args) attributes[D.argsPreview] = args;
  return attributes;
}

export function addToolCallEndAttributes(attributes: Attributes, data: RunEventData['tool_end'], previewChars: number): void {
  attributes[D.toolOk] = data.ok;
  const result = previewText(data.result, previewChars);
  if (result) attributes[D.resultPreview] = result;
}

function addUsage(attributes: Attributes, usage: Usage): void {
  attributes[G.inputTokens] = usage.inputTokens;
  attributes[G.outputTokens] = usage.outputTokens;
  attributes[D.totalTokens] = usage.totalTokens;
}
