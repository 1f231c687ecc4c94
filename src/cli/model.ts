/** Which model a CLI run uses, from flags and environment: a live endpoint, a recording of one, or a replay. */
import { DEFAULT_API_KEY_ENV, type RunConfig } from '../core';
import { apiKeyFrom, UsageError, type RunOptions } from './options';

export const howToConfigure = [
  'Point deep-agent at any OpenAI-compatible endpoint:',
  '  OpenAI     OPENAI_API_KEY=sk-... deep-agent run --model gpt-4o-mini "<task>"',
  '  Ollama     deep-agent run --base-url http://127.0.0.1:11434/v1 --model qwen2.5-coder "<task>"',
  '  LM Studio  deep-agent run --base-url http://127.0.0.1:1234/v1 --model <loaded model> "<task>"',
  '  vLLM, llama.cpp, OpenRouter, Azure: --base-url <their /v1 URL> --model <name> [--api-key-env VAR]',
].join('\n');

const OPENAI = 'https://api.openai.com/v1';

/** The `model` part of the run's configuration; a missing or contradictory flag is a usage error. */
export function modelConfigFrom(options: RunOptions, env: NodeJS.ProcessEnv): NonNullable<RunConfig['model']> {
  const apiKey = apiKeyFrom(env, options.apiKeyEnv);
  const baseUrl = options.baseUrl ?? env.DEEP_AGENT_BASE_URL ?? (apiKey ? OPENAI : undefined);
  const name = options.model ?? env.DEEP_AGENT_MODEL ?? (baseUrl === OPENAI ? 'gpt-4o-mini' : undefined);

  if (options.strict && !options.replay) throw new UsageError('--strict needs --replay FILE');
  if (!baseUrl) {
    // A replay needs no endpoint: every answer comes from the fixture.
    if (options.replay && !options.record) return { replay: options.replay, name: options.model };
    throw new UsageError(`no model configured: give --base-url and --model, or set ${options.apiKeyEnv} for OpenAI (try "deep-agent demo" for a replayed demo)\n${howToConfigure}`);
  }
  if (!name) throw new UsageError(`--model is required with --base-url ${baseUrl}`);
  return { baseUrl, name, apiKeyEnv: options.apiKeyEnv ?? DEFAULT_API_KEY_ENV, record: options.record, replay: options.replay, strict: options.strict };
}

/** For messages: "gpt-4o at http://…", or "gpt-4o (replayed)". */
export function describedModel(model: NonNullable<RunConfig['model']>): string {
  return model.baseUrl ? `${model.name} at ${model.baseUrl}` : `${model.name ?? 'the recorded model'} (replayed)`;
}
