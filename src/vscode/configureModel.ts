/** "Deep Agent: Configure Model": provider → base URL → model (listed when the server can) → key. */
import * as vscode from 'vscode';
import { listModels } from '../core';
import type { ApiKeys } from './secrets';
import { OPENAI_BASE_URL } from './settings';

interface ProviderPick extends vscode.QuickPickItem {
  provider: 'openai-compatible' | 'vscode-lm';
  baseUrl?: string;
  needsKey: boolean;
}

const presets: ProviderPick[] = [
  { label: 'OpenAI', description: OPENAI_BASE_URL, provider: 'openai-compatible', baseUrl: OPENAI_BASE_URL, needsKey: true },
  { label: 'Ollama', description: 'local, http://127.0.0.1:11434/v1', provider: 'openai-compatible', baseUrl: 'http://127.0.0.1:11434/v1', needsKey: false },
  { label: 'LM Studio', description: 'local, http://127.0.0.1:1234/v1', provider: 'openai-compatible', baseUrl: 'http://127.0.0.1:1234/v1', needsKey: false },
  { label: 'Other OpenAI-compatible endpoint', description: 'vLLM, llama.cpp, OpenRouter, Azure OpenAI, …', provider: 'openai-compatible', needsKey: false },
];

/** Walks the steps; true once a model is set. `why` heads the first step (e.g. a task is waiting for it). */
export async function configureModel(keys: ApiKeys, why?: string): Promise<boolean> {
  const languageModels = await vscode.lm.selectChatModels({}).then(
    (models) => models,
    () => [],
  );
  const picks: ProviderPick[] = [...presets];
  if (languageModels.length) {
    picks.push({ label: 'VS Code language model', description: languageModels.map((m) => m.name).join(', '), provider: 'vscode-lm', needsKey: false });
  }
  const provider = await vscode.window.showQuickPick(picks, { title: 'Deep Agent: model provider (1/4)', placeHolder: why, ignoreFocusOut: true });
  if (!provider) return false;
  const config = vscode.workspace.getConfiguration('deepAgent');

  if (provider.provider === 'vscode-lm') {
    const model = await vscode.window.showQuickPick(
      languageModels.map((m) => ({ label: m.name, description: m.id, id: m.id })),
      { title: 'Deep Agent: language model', ignoreFocusOut: true },
    );
    if (!model) return false;
    await config.update('provider', 'vscode-lm', vscode.ConfigurationTarget.Global);
    await config.update('model', model.id, vscode.ConfigurationTarget.Global);
    return true;
  }

  const baseUrl = await vscode.window.showInputBox({
    title: 'Deep Agent: base URL (2/4)',
    value: provider.baseUrl ?? config.get<string>('baseUrl') ?? '',
    prompt: 'The OpenAI-compatible endpoint, ending in /v1',
    ignoreFocusOut: true,
    validateInput: (value) => (isHttpUrl(value) ? undefined : 'Enter an http:// or https:// URL, e.g. http://127.0.0.1:11434/v1'),
  });
  if (!baseUrl) return false;
  const endpoint = baseUrl.replace(/\/+$/, '');

  const storedKey = await keys.get(endpoint);
  const offered = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Asking ${endpoint} for its models…` },
    () => listModels(endpoint, storedKey),
  );
  const model = offered?.length
    ? (await vscode.window.showQuickPick(offered, { title: 'Deep Agent: model (3/4)', ignoreFocusOut: true }))
    : await vscode.window.showInputBox({
        title: 'Deep Agent: model (3/4)',
        value: config.get<string>('model') ?? '',
        prompt: offered ? 'The server lists no models; type the model name' : 'The server did not list its models; type the model name',
        ignoreFocusOut: true,
        validateInput: (value) => (value.trim() ? undefined : 'A model name is needed'),
      });
  if (!model) return false;

  const key = await vscode.window.showInputBox({
    title: 'Deep Agent: API key (4/4)',
    prompt: provider.needsKey
      ? 'The API key (kept in VS Code secret storage, never in settings)'
      : 'An API key if the server needs one; leave empty for none. Kept in VS Code secret storage.',
    password: true,
    ignoreFocusOut: true,
    placeHolder: storedKey ? 'Leave empty to keep the stored key' : '',
  });
  if (key === undefined) return false;
  if (key) await keys.set(endpoint, key.trim());

  await config.update('provider', 'openai-compatible', vscode.ConfigurationTarget.Global);
  await config.update('baseUrl', endpoint === OPENAI_BASE_URL ? '' : endpoint, vscode.ConfigurationTarget.Global);
  await config.update('model', model.trim(), vscode.ConfigurationTarget.Global);
  void vscode.window.showInformationMessage(`Deep Agent will use ${model.trim()} at ${new URL(endpoint).host}.`);
  return true;
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}
