/** ChatModel over VS Code's Language Model API (vscode.lm), with tool calling. */
import * as vscode from 'vscode';
import { ModelError, type ChatCallOptions, type ChatMessage, type ChatModel, type ChatRequest, type ModelChunk } from '../core';

export class LanguageModelChat implements ChatModel {
  readonly id: string;
  readonly modelName: string;

  constructor(private readonly lm: vscode.LanguageModelChat) {
    this.id = `vscode-lm:${lm.id}`;
    this.modelName = lm.id;
  }

  async *stream(request: ChatRequest, options: ChatCallOptions = {}): AsyncIterable<ModelChunk> {
    const cancel = new vscode.CancellationTokenSource();
    const onAbort = () => cancel.cancel();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const response = await this.lm.sendRequest(
        request.messages.map(toLmMessage),
        { tools: request.tools?.map((t) => ({ name: t.name, description: t.description, inputSchema: t.parameters })) },
        cancel.token,
      );
      let index = 0;
      let calledTools = false;
      for await (const part of response.stream) {
        if (part instanceof vscode.LanguageModelTextPart) yield { type: 'text', text: part.value };
        else if (part instanceof vscode.LanguageModelToolCallPart) {
          calledTools = true;
          yield { type: 'tool_call', index: index++, id: part.callId, name: part.name, argumentsDelta: JSON.stringify(part.input) };
        }
      }
      // The API reports no token usage, so these calls count zero tokens and zero cost.
      yield { type: 'finish', reason: calledTools ? 'tool_calls' : 'stop' };
    } catch (error) {
      if (options.signal?.aborted) throw options.signal.reason;
      if (error instanceof vscode.LanguageModelError) {
        const transient = error.code === vscode.LanguageModelError.Blocked.name;
        throw new ModelError(`VS Code language model: ${error.message}`, `vscode_lm_${error.code || 'error'}`, transient);
      }
      throw error;
    } finally {
      options.signal?.removeEventListener('abort', onAbort);
      cancel.dispose();
    }
  }
}

function toLmMessage(message: ChatMessage): vscode.LanguageModelChatMessage {
  switch (message.role) {
    // The API has no system role; instructions go first as a user message.
    case 'system':
    case 'user':
      return vscode.LanguageModelChatMessage.User(message.content);
    case 'tool':
      return vscode.LanguageModelChatMessage.User([
        new vscode.LanguageModelToolResultPart(message.toolCallId, [new vscode.LanguageModelTextPart(message.content)]),
      ]);
    case 'assistant': {
      const parts: (vscode.LanguageModelTextPart | vscode.LanguageModelToolCallPart)[] = [];
      if (message.content) parts.push(new vscode.LanguageModelTextPart(message.content));
      for (const call of message.toolCalls ?? []) parts.push(new vscode.LanguageModelToolCallPart(call.id, call.name, parseArgs(call.arguments)));
      return vscode.LanguageModelChatMessage.Assistant(parts);
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
