/** Ready-made sets: the usual budgets in one call, a manager built from them, a read-only tool policy. */
import { z } from 'zod';
import { costLimit } from './costLimit';
import { iterationLimit } from './iterationLimit';
import { GuardrailManager } from './manager';
import { amountLimit, countLimit, parseOptions, toolNamePatterns } from './options';
import { timeLimit } from './timeLimit';
import { tokenBudget } from './tokenBudget';
import { toolCallLimit } from './toolCallLimit';
import type { Guardrail, GuardrailMode } from './types';
import { guardrailMode } from './withMode';

export interface BudgetGuardrailOptions {
  /** Total tokens (input + output), subagents included. */
  maxTokens?: number;
  maxCostUsd?: number;
  /** Model calls in the run. */
  maxIterations?: number;
  timeoutMs?: number;
  maxToolCalls?: number;
  allowTools?: string[];
  denyTools?: string[];
}

const budgetShape = {
  maxTokens: countLimit.optional(),
  maxCostUsd: amountLimit.optional(),
  maxIterations: countLimit.optional(),
  timeoutMs: amountLimit.optional(),
  maxToolCalls: countLimit.optional(),
  allowTools: toolNamePatterns.optional(),
  denyTools: toolNamePatterns.optional(),
};

const budgetOptions = z.strictObject(budgetShape, { error: 'must be an object' });

/** One guardrail per limit given, none for the limits left out. */
export function budgetGuardrails(options: BudgetGuardrailOptions = {}): Guardrail[] {
  // Checked here too, so an error names this function's options (timeoutMs), not the inner ones (maxMs).
  const o = parseOptions('budgetGuardrails', budgetOptions, options);
  const guardrails: Guardrail[] = [];
  if (o.maxTokens !== undefined) guardrails.push(tokenBudget({ maxTotalTokens: o.maxTokens }));
  if (o.maxCostUsd !== undefined) guardrails.push(costLimit({ maxCostUsd: o.maxCostUsd }));
  if (o.maxIterations !== undefined) guardrails.push(iterationLimit({ maxIterations: o.maxIterations }));
  if (o.timeoutMs !== undefined) guardrails.push(timeLimit({ maxMs: o.timeoutMs }));
  if (o.maxToolCalls !== undefined || o.allowTools !== undefined || o.denyTools !== undefined) {
    guardrails.push(toolCallLimit({ maxCalls: o.maxToolCalls, allow: o.allowTools, deny: o.denyTools }));
  }
  return guardrails;
}

export interface CreateGuardrailManagerOptions extends BudgetGuardrailOptions {
  mode?: GuardrailMode;
  /** More guardrails, checked after the budgets (e.g. `withMode(timeLimit(...), 'permissive')`). */
  guardrails?: Guardrail[];
}

const managerShape = z.strictObject(
  { ...budgetShape, mode: guardrailMode.optional(), guardrails: z.array(z.custom<Guardrail>(isGuardrail)).optional() },
  { error: 'must be an object' },
);

export function createGuardrailManager(options: CreateGuardrailManagerOptions = {}): GuardrailManager {
  const { mode, guardrails = [], ...budgets } = parseOptions('createGuardrailManager', managerShape, options);
  return new GuardrailManager([...budgetGuardrails(budgets), ...guardrails], { mode, budgets });
}

function isGuardrail(value: unknown): value is Guardrail {
  if (value === null || typeof value !== 'object') return false;
  const candidate = value as Partial<Guardrail>;
  return typeof candidate.name === 'string' && typeof candidate.check === 'function';
}

/** Tools that only read (ls, read_file, glob, grep) or touch the agent's own todo list. */
export const READ_ONLY_TOOL_NAMES: readonly string[] = ['ls', 'read_file', 'glob', 'grep', 'read_todos', 'write_todos'];

export interface ReadOnlyToolsOptions {
  /** More tools to allow, e.g. read-only MCP tools ('mcp_search_*'). */
  alsoAllow?: string[];
}

const readOnlyToolsOptions = z.strictObject({ alsoAllow: toolNamePatterns.optional() }, { error: 'must be an object' });

/** Stops any call to a tool that is not read-only. */
export function readOnlyTools(options: ReadOnlyToolsOptions = {}): Guardrail {
  const { alsoAllow = [] } = parseOptions('readOnlyTools', readOnlyToolsOptions, options);
  return toolCallLimit({ name: 'read_only_tools', allow: [...READ_ONLY_TOOL_NAMES, ...alsoAllow] });
}
