/** ChatModel over VS Code's Language Model API (vscode.lm), with tool calling. */
import type * as vscode from 'vscode';
import { ModelError, type ChatCallOptions, type ChatMessage, type ChatModel, type ChatRequest, type ModelChunk } from '../core';

/**
 * The few parts of the `vscode` module the adapter uses. The extension passes `vscode` itself;
 * given separately so the adapter loads in Node, where tests run it against a fake model.
 */
export interface LanguageModelApi {
  readonly LanguageModelChatMessage: typeof vscode.LanguageModelChatMessage;
  readonly LanguageModelTextPart: typeof vscode.LanguageModelTextPart;
  readonly LanguageModelToolCallPart: typeof vscode.LanguageModelToolCallPart;
  readonly LanguageModelToolResultPart: typeof vscode.LanguageModelToolResultPart;
  readonly LanguageModelError: typeof vscode.LanguageModelError;
  readonly CancellationTokenSource: typeof vscode.CancellationTokenSource;
}

export class LanguageModelChat implements ChatModel {
  readonly id: string;
  readonly modelName: string;

  constructor(
    private readonly lm: vscode.LanguageModelChat,
    private readonly api: LanguageModelApi,
  ) {
    this.id = `vscode-lm:${lm.id}`;
    this.modelName = lm.id;
  }

  async *stream(request: ChatRequest, options: ChatCallOptions = {}): AsyncIterable<ModelChunk> {
    const { signal } = options;
    const api = this.api;
    const cancel = new api.CancellationTokenSource();
    const onAbort = () => cancel.cancel();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      signal?.throwIfAborted();
      const response = await this.lm.sendRequest(
        request.messages.map((message) => toLmMessage(api, message)),
        { tools: request.tools?.map((t) => ({ name: t.name, description: t.description, inputSchema: t.parameters })) },
        cancel.token,
      );
      let index = 0;
      let calledTools = false;
      for await (const part of response.stream) {
        // A model may end its stream quietly when cancelled; the caller must still learn it was.
        signal?.throwIfAborted();
        if (part instanceof api.LanguageModelTextPart) yield { type: 'text', text: part.value };
        else if (part instanceof api.LanguageModelToolCallPart) {
          calledTools = true;
          yield { type: 'tool_call', index: index++, id: part.callId, name: part.name, argumentsDelta: JSON.stringify(part.input) };
        }
      }
      signal?.throwIfAborted();
      // The API reports no token usage, so these calls count zero tokens and zero cost.
      yield { type: 'finish', reason: calledTools ? 'tool_calls' : 'stop' };
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      if (error instanceof api.LanguageModelError) {
        const transient = error.code === api.LanguageModelError.Blocked.name;
        throw new ModelError(`VS Code language model: ${error.message}`, `vscode_lm_${error.code || 'error'}`, transient);
      }
      throw error;
    } finally {
      signal?.removeEventListener('abort', onAbort);
      cancel.dispose();
    }
  }
}

function toLmMessage(api: LanguageModelApi, message: ChatMessage): vscode.LanguageModelChatMessage {
  switch (message.role) {
    // The API has no system role; instructions go first as a user message.
    case 'system':
    case 'user':
      return api.LanguageModelChatMessage.User(message.content);
    case 'tool':
      return api.LanguageModelChatMessage.User([
        new api.LanguageModelToolResultPart(message.toolCallId, [new api.LanguageModelTextPart(message.content)]),
      ]);
    case 'assistant': {
      const parts: (vscode.LanguageModelTextPart | vscode.LanguageModelToolCallPart)[] = [];
      if (message.content) parts.push(new api.LanguageModelTextPart(message.content));
      for (const call of message.toolCalls ?? []) parts.push(new api.LanguageModelToolCallPart(call.id, call.name, parseArgs(call.arguments)));
      return api.LanguageModelChatMessage.Assistant(parts);
    }
  }
}

function parseArgs(text: string): object {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? value : {};
  } catch {
    return {};
  }
}
