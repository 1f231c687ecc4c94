/** The ChatModel a run uses, from the settings and the stored key; or why there is none. */
import * as vscode from 'vscode';
import type { ChatModel, RunConfig } from '../core';
import { LanguageModelChat } from './languageModelChat';
import type { ApiKeys } from './secrets';
import { endpointOf, type Settings } from './settings';

/** A VS Code language model, or an endpoint for the run's configuration with its key from SecretStorage. */
export type ModelChoice = { model: ChatModel; label: string } | { endpoint: NonNullable<RunConfig['model']>; apiKey?: string; label: string } | { problem: string };

export async function chooseModel(settings: Settings, keys: ApiKeys): Promise<ModelChoice> {
  if (settings.provider === 'vscode-lm') {
    const [lm] = await vscode.lm.selectChatModels(settings.model ? { id: settings.model } : {});
    if (!lm) return { problem: 'no VS Code language model is available; install one (e.g. GitHub Copilot) or pick an OpenAI-compatible endpoint' };
    return { model: new LanguageModelChat(lm, vscode), label: `${lm.name} (VS Code)` };
  }
  const endpoint = endpointOf(settings);
  const apiKey = await keys.get(endpoint);
  if (!settings.model) return { problem: 'no model is configured' };
  if (endpoint.startsWith('https://api.openai.com') && !apiKey) return { problem: 'OpenAI needs an API key' };
  return { endpoint: { baseUrl: endpoint, name: settings.model }, apiKey, label: `${settings.model} at ${new URL(endpoint).host}` };
}

/** Names of the language models VS Code offers, for the "nothing configured" screen. */
export async function availableLanguageModels(): Promise<string[]> {
  try {
    return (await vscode.lm.selectChatModels({})).map((m) => m.name);
  } catch {
    return [];
  }
}
