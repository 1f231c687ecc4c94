/**
 * A fake of VS Code's Language Model API, for the vscode.lm adapter's tests in Node: code-server has
 * no language models, and Node has no `vscode` module. Only what the adapter touches is here.
 */
import type * as vscode from 'vscode';
import type { LanguageModelApi } from '../../src/vscode/languageModelChat';

class TextPart {
  constructor(readonly value: string) {}
}

class ToolCallPart {
  constructor(
    readonly callId: string,
    readonly name: string,
    readonly input: object,
  ) {}
}

class ToolResultPart {
  constructor(
    readonly callId: string,
    readonly content: unknown[],
  ) {}
}

class ChatMessage {
  constructor(
    readonly role: 'user' | 'assistant',
    readonly content: string | unknown[],
  ) {}
  static User(content: string | unknown[]): ChatMessage {
    return new ChatMessage('user', content);
  }
  static Assistant(content: string | unknown[]): ChatMessage {
    return new ChatMessage('assistant', content);
  }
}

/** As VS Code's: the code is the name of the factory that made it. */
class LmError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
    this.name = 'LanguageModelError';
  }
  static NoPermissions(message = 'no permission'): LmError {
    return new LmError(message, 'NoPermissions');
  }
  static Blocked(message = 'blocked'): LmError {
    return new LmError(message, 'Blocked');
  }
  static NotFound(message = 'not found'): LmError {
    return new LmError(message, 'NotFound');
  }
}

class TokenSource {
  readonly #listeners: (() => void)[] = [];
  readonly token = {
    isCancellationRequested: false,
    onCancellationRequested: (listener: () => void) => {
      this.#listeners.push(listener);
      return { dispose: () => undefined };
    },
  };
  cancel(): void {
    if (this.token.isCancellationRequested) return;
    this.token.isCancellationRequested = true;
    for (const listener of this.#listeners) listener();
  }
  dispose(): void {}
}

/** The fake constructors, in the shape the adapter takes `vscode` in. */
export const fakeLanguageModelApi = {
  LanguageModelChatMessage: ChatMessage,
  LanguageModelTextPart: TextPart,
  LanguageModelToolCallPart: ToolCallPart,
  LanguageModelToolResultPart: ToolResultPart,
  LanguageModelError: LmError,
  CancellationTokenSource: TokenSource,
} as unknown as LanguageModelApi;

export type FakePart = { text: string } | { callId: string; name: string; input: object };

export type FakeAnswer =
  | { parts: FakePart[] }
  /** sendRequest rejects with this LanguageModelError, as VS Code does when the user refuses or the model is gone. */
  | { error: 'NoPermissions' | 'Blocked' | 'NotFound'; message: string };

/** A language model answering from a script; like VS Code's, a cancelled request's stream rejects. */
export function fakeLanguageModel(id: string, answer: FakeAnswer): vscode.LanguageModelChat {
  const sendRequest = async (_messages: unknown[], _options: unknown, token: TokenSource['token']) => {
    if ('error' in answer) throw LmError[answer.error](answer.message);
    const { parts } = answer;
    async function* stream() {
      for (const part of parts) {
        await Promise.resolve(); // each part arrives on a later turn, as over the wire
        if (token.isCancellationRequested) throw Object.assign(new Error('Canceled'), { name: 'Canceled' });
        yield 'text' in part ? new TextPart(part.text) : new ToolCallPart(part.callId, part.name, part.input);
      }
    }
    return { stream: stream(), text: (async function* () {})() };
  };
  return { id, name: `Fake ${id}`, vendor: 'fake', family: id, version: '1', maxInputTokens: 100_000, sendRequest, countTokens: async () => 0 } as unknown as vscode.LanguageModelChat;
}
