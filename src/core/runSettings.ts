/**
 * RunSettings: where and with what a run was started, recorded in its `run_start` so a resume (in
 * another process, from another directory) goes on the same way without being told again. Every
 * field is optional: a run records what it knows, and journals written before this have none.
 * Nothing secret is recorded: no API key (only the name of its variable), no password in a URL.
 */
import { z } from 'zod';
import type { BudgetGuardrailOptions } from './guardrails/presets';
import type { GuardrailMode } from './guardrails/types';
import type { ModelEndpoint } from './model/types';

export interface RunSettings {
  /** The workspace root on disk (the file backend's `root`); none for an in-memory backend. */
  workspace?: string;
  /** How the model was reached (its name is `run_start.model`). */
  endpoint?: ModelEndpoint;
  /** The agent's sampling options, sent with every model call. */
  sampling?: { temperature?: number; maxTokens?: number };
  /** Directories skills were read from. */
  skillsDirs?: string[];
  /** The run's budgets and what a violation does (from createGuardrailManager). */
  budgets?: RecordedBudgets;
}

export type RecordedBudgets = BudgetGuardrailOptions & { mode?: GuardrailMode };

/** Checks what resume reads; other fields pass through (a newer writer may add some). */
export const runSettingsSchema = z.looseObject({
  workspace: z.string().optional(),
  endpoint: z.looseObject({ provider: z.string(), baseUrl: z.string().optional(), apiKeyEnv: z.string().optional() }).optional(),
  sampling: z.looseObject({ temperature: z.number().optional(), maxTokens: z.number().optional() }).optional(),
  skillsDirs: z.array(z.string()).optional(),
  budgets: z
    .looseObject({ maxTokens: z.number().optional(), maxCostUsd: z.number().optional(), timeoutMs: z.number().optional(), mode: z.enum(['strict', 'permissive']).optional() })
    .optional(),
});
