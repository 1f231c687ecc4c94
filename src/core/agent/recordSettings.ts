/**
 * The RunSettings a top-level run records in its run_start (see src/core/runSettings.ts): taken
 * from the agent's options and the run's dependencies once per run, with secrets left out.
 */
import type { RunSettings } from '../runSettings';
import type { DeepAgentDeps, DeepAgentOptions } from './types';

/** What a top-level run records, from the agent's options and the run's dependencies. */
export function runSettingsOf(options: DeepAgentOptions, deps: DeepAgentDeps): RunSettings | undefined {
  const endpoint = options.model.endpoint;
  const sampling = defined({ temperature: options.temperature, maxTokens: options.maxTokens });
  const budgets = deps.guardrails && defined({ ...deps.guardrails.budgets });
  return defined({
    workspace: deps.backend.root,
    endpoint: endpoint && defined({ ...endpoint, baseUrl: endpoint.baseUrl && withoutSecrets(endpoint.baseUrl) }),
    sampling,
    skillsDirs: deps.skillsDirs?.length ? [...deps.skillsDirs] : undefined,
    budgets: budgets && { ...budgets, mode: deps.guardrails!.mode },
  });
}

/** A URL without a password or key-like query parameters (some servers take a key there). */
export function withoutSecrets(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url;
  }
  const secretParams = [...parsed.searchParams.keys()].filter((name) => /key|token|secret|password|sig/i.test(name));
  if (!parsed.username && !parsed.password && secretParams.length === 0) return url;
  parsed.username = '';
  parsed.password = '';
  for (const name of secretParams) parsed.searchParams.delete(name);
  return parsed.toString();
}

/** The object without its undefined fields; undefined when none is left. */
function defined<T extends object>(value: T): T | undefined {
  const entries = Object.entries(value).filter(([, v]) => v !== undefined);
  return entries.length ? (Object.fromEntries(entries) as T) : undefined;
}
