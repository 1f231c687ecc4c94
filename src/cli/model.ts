/** Picks the model for a CLI run: a live endpoint, a recording of one, or a replay. */
import { OpenAICompatibleModel } from '../core/model/openai';
import { withRecordReplay } from '../core/model/recordReplay';
import { ReplayModel } from '../core/model/recordReplay';
import type { ChatModel } from '../core/model/types';
import { apiKeyFrom, UsageError, type RunOptions } from './options';

export const howToConfigure = [
  'Point deep-agent at any OpenAI-compatible endpoint:',
  '  OpenAI     OPENAI_API_KEY=sk-... deep-agent run --model gpt-4o-mini "<task>"',
  '  Ollama     deep-agent run --base-url http://127.0.0.1:11434/v1 --model qwen2.5-coder "<task>"',
  '  LM Studio  deep-agent run --base-url http://127.0.0.1:1234/v1 --model <loaded model> "<task>"',
  '  vLLM, llama.cpp, OpenRouter, Azure: --base-url <their /v1 URL> --model <name> [--api-key-env VAR]',
].join('\n');

export function modelFromOptions(options: RunOptions, env: NodeJS.ProcessEnv): ChatModel {
  const apiKey = apiKeyFrom(env, options.apiKeyEnv);
  const baseUrl = options.baseUrl ?? env.DEEP_AGENT_BASE_URL ?? (apiKey ? 'https://api.openai.com/v1' : undefined);
  const modelName = options.model ?? env.DEEP_AGENT_MODEL ?? (baseUrl === 'https://api.openai.com/v1' ? 'gpt-4o-mini' : undefined);

  if (options.strict && !options.replay) throw new UsageError('--strict needs --replay FILE');
  if (!baseUrl) {
    // A replay needs no endpoint: every answer comes from the fixture.
    if (options.replay && !options.record) return new ReplayModel(options.replay, { mode: 'strict', modelName: options.model });
    throw new UsageError(`no model configured: give --base-url and --model, or set ${options.apiKeyEnv} for OpenAI (try "deep-agent demo" for a replayed demo)\n${howToConfigure}`);
  }
  if (!modelName) throw new UsageError(`--model is required with --base-url ${baseUrl}`);
  const live = new OpenAICompatibleModel({ baseURL: baseUrl, model: modelName, apiKey, apiKeyEnv: options.apiKeyEnv });
  return withRecordReplay(live, { record: options.record, replay: options.replay, strict: options.strict });
}
