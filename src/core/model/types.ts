/** The small protocol every model sits behind (ARCHITECTURE.md: ChatModel). */
import type { Usage } from '../events';

export interface ToolCall {
  id: string;
  name: string;
  /** The raw JSON text the model produced; it may be malformed. */
  arguments: string;
  /** What the server attached to the call and wants back with it, as is (Gemini's thought signature). */
  providerData?: Record<string, unknown>;
}

export type ChatMessage =
  | { role: 'system'; content: string }
  | { role: 'user'; content: string }
  | { role: 'assistant'; content: string | null; toolCalls?: ToolCall[] }
  | { role: 'tool'; toolCallId: string; content: string };

/** A tool as the model sees it: `parameters` is a JSON schema object. */
export interface ToolSpec {
  name: string;
  description: string;
  parameters: Record<string, unknown>;
}

export interface ChatRequest {
  model: string;
  messages: ChatMessage[];
  tools?: ToolSpec[];
  temperature?: number;
  topP?: number;
  maxTokens?: number;
  seed?: number;
}

/** An embeddings call as record/replay sees it: the model and its texts (see canonical.ts). */
export interface EmbeddingsRequest {
  model: string;
  input: string[];
}

/**
 * One piece of a streamed answer. Tool-call pieces are put together by id, else by index, else by
 * position (see ToolCallAssembler): servers differ in which of the two they send.
 */
export type ModelChunk =
  | { type: 'text'; text: string }
  /** The model's thinking before its answer (reasoning models): shown, never part of the answer, never sent back. */
  | { type: 'reasoning'; text: string }
  | { type: 'tool_call'; index?: number; id?: string; name?: string; argumentsDelta: string; providerData?: Record<string, unknown> }
  | { type: 'usage'; usage: Usage }
  | { type: 'finish'; reason: string }
  /** Something the user should know about the call that does not stop it, e.g. a server that reports no usage. */
  | { type: 'notice'; code: string; message: string };

export interface ChatCallOptions {
  signal?: AbortSignal;
}

/**
 * How a model is reached, recorded in `run_start` (RunSettings) so a resume can reach it again.
 * Never a key: at most the name of the environment variable that holds one.
 */
export interface ModelEndpoint {
  /** e.g. 'openai-compatible'. */
  provider: string;
  baseUrl?: string;
  /** The environment variable the API key was read from. */
  apiKeyEnv?: string;
}

/**
 * What every model keeps to (test/core/chatModel.contract.test.ts): text streams in pieces; tool
 * calls come with ids, names and JSON arguments, then finish 'tool_calls'; an answer finishes
 * 'stop'; an aborted signal rejects with its reason, promptly; any other failure is a ModelError.
 */
export interface ChatModel {
  /** Shown in events and traces, e.g. "openai:gpt-4o-mini". */
  readonly id: string;
  /** The model name sent in requests. */
  readonly modelName: string;
  /** Where the model is served, when it can be reached again from another process. */
  readonly endpoint?: ModelEndpoint;
  stream(request: ChatRequest, options?: ChatCallOptions): AsyncIterable<ModelChunk>;
}

/** A failed model call, with what the retry policy needs to know. */
export class ModelError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly transient: boolean,
    readonly status?: number,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'ModelError';
  }
}
