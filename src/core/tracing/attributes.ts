/**
 * Attribute names: OpenTelemetry GenAI semantic conventions where one exists
 * (https://opentelemetry.io/docs/specs/semconv/gen-ai/), `deep_agent.*` for the rest.
 */

export const GenAiAttr = {
  operationName: 'gen_ai.operation.name',
  agentName: 'gen_ai.agent.name',
  requestModel: 'gen_ai.request.model',
  responseModel: 'gen_ai.response.model',
  finishReasons: 'gen_ai.response.finish_reasons',
  inputTokens: 'gen_ai.usage.input_tokens',
  outputTokens: 'gen_ai.usage.output_tokens',
  toolName: 'gen_ai.tool.name',
  toolCallId: 'gen_ai.tool.call.id',
  toolType: 'gen_ai.tool.type',
  /** Seconds from the request to the first streamed chunk. */
  timeToFirstChunk: 'gen_ai.response.time_to_first_chunk',
  errorType: 'error.type',
} as const;

/** Values of gen_ai.operation.name, one per span kind that has one. */
export const GenAiOperation = {
  invokeAgent: 'invoke_agent',
  chat: 'chat',
  executeTool: 'execute_tool',
} as const;

export const DeepAgentAttr = {
  runId: 'deep_agent.run_id',
  parentRunId: 'deep_agent.parent_run_id',
  /** What in the parent started a child run: 'tool_call' or 'graph_task', and its id. */
  parentKind: 'deep_agent.parent.kind',
  parentId: 'deep_agent.parent.id',
  /** 0 for a top-level run, 1 for its subagents, … (also tells the console how far to indent). */
  depth: 'deep_agent.depth',
  step: 'deep_agent.step',
  status: 'deep_agent.status',
  steps: 'deep_agent.steps',
  maxIterations: 'deep_agent.max_iterations',
  costUsd: 'deep_agent.cost_usd',
  totalTokens: 'deep_agent.usage.total_tokens',
  attempt: 'deep_agent.attempt',
  messageCount: 'deep_agent.message_count',
  toolCount: 'deep_agent.tool_count',
  toolCalls: 'deep_agent.tool_calls',
  chunkCount: 'deep_agent.chunk_count',
  toolOk: 'deep_agent.tool.ok',
  stoppedBy: 'deep_agent.stopped_by',
  promptPreview: 'deep_agent.prompt_preview',
  outputPreview: 'deep_agent.output_preview',
  /** The length of the model's thinking, and its start (reasoning models). */
  reasoningChars: 'deep_agent.reasoning.chars',
  reasoningPreview: 'deep_agent.reasoning.preview',
  argsPreview: 'deep_agent.tool.args_preview',
  resultPreview: 'deep_agent.tool.result_preview',
  /** Memories recalled into the run's prompt, and the embedder that found them (the hashing fallback says so). */
  memoryRecalled: 'deep_agent.memory.recalled',
  memoryEmbedder: 'deep_agent.memory.embedder',
  memoryFallback: 'deep_agent.memory.fallback',
} as const;
