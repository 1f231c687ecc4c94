/**
 * The RunSettings a top-level run records in its run_start (see src/core/runSettings.ts): taken
 * from the agent's options and the run's dependencies once per run, with secrets left out.
 */
import { withoutSecrets } from '../model/endpointUrl';
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

/** The object without its undefined fields; undefined when none is left. */
function defined<T extends object>(value: T): T | undefined {
  const entries = Object.entries(value).filter(([, v]) => v !== undefined);
  return entries.length ? (Object.fromEntries(entries) as T) : undefined;
}
