/** Stops a run that has used more tokens than allowed (totals include subagents). */
import { z } from 'zod';
import { formatCount } from './format';
import { isBudgetGate } from './gates';
import { countLimit, parseOptions } from './options';
import type { Guardrail, GuardrailState } from './types';

export interface TokenBudgetOptions {
  maxTotalTokens?: number;
  maxInputTokens?: number;
  maxOutputTokens?: number;
}

const tokenBudgetOptions = z
  .strictObject(
    { maxTotalTokens: countLimit.optional(), maxInputTokens: countLimit.optional(), maxOutputTokens: countLimit.optional() },
    { error: 'must be an object' },
  )
  .refine((o) => o.maxTotalTokens !== undefined || o.maxInputTokens !== undefined || o.maxOutputTokens !== undefined, {
    error: 'need at least one of maxTotalTokens, maxInputTokens, maxOutputTokens',
  });

// Each limit reads one field of the run's usage; `label` is how the message names the tokens.
const limits = [
  { option: 'maxTotalTokens', used: 'totalTokens', label: 'tokens' },
  { option: 'maxInputTokens', used: 'inputTokens', label: 'input tokens' },
  { option: 'maxOutputTokens', used: 'outputTokens', label: 'output tokens' },
] as const;

export function tokenBudget(options: TokenBudgetOptions): Guardrail {
  const parsed = parseOptions('tokenBudget', tokenBudgetOptions, options);
  const configured = limits.filter((l) => parsed[l.option] !== undefined);
  return {
    name: 'token_budget',
    check(state: GuardrailState) {
      if (!isBudgetGate(state.gate)) return undefined;
      const figures: Record<string, number> = {};
      const overruns: string[] = [];
      for (const l of configured) {
        const used = state.usage[l.used];
        const limit = parsed[l.option]!;
        figures[l.used] = used;
        figures[l.option] = limit;
        if (used > limit) overruns.push(`${formatCount(used)} ${l.label} used, limit ${formatCount(limit)}`);
      }
      if (overruns.length === 0) return undefined;
      return { guardrail: 'token_budget', message: `token_budget: ${overruns.join('; ')}`, figures };
    },
  };
}
