/** API keys live in VS Code's SecretStorage, one per endpoint; never in settings, logs or runs. */
import type * as vscode from 'vscode';

const keyFor = (endpoint: string) => `deepAgent.apiKey:${endpoint}`;

export class ApiKeys {
  constructor(private readonly secrets: vscode.SecretStorage) {}

  get(endpoint: string): Thenable<string | undefined> {
    return this.secrets.get(keyFor(endpoint));
  }

  async set(endpoint: string, key: string | undefined): Promise<void> {
    if (key) await this.secrets.store(keyFor(endpoint), key);
    else await this.secrets.delete(keyFor(endpoint));
  }
}
