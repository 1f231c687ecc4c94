/** Guardrails: the protocol, the built-ins, the manager and ready-made sets. */
export type {
  Guardrail,
  GuardrailAction,
  GuardrailEventData,
  GuardrailMode,
  GuardrailState,
  GuardrailViolation,
} from './types';
export { GuardrailManager, type GuardrailManagerOptions, type GuardrailOutcome } from './manager';
export { GuardrailError } from './guardrailError';
export { GuardrailOptionsError } from './options';
export { guardrailEventData } from './eventData';
export { withMode } from './withMode';
export { tokenBudget, type TokenBudgetOptions } from './tokenBudget';
export { costLimit, type CostLimitOptions } from './costLimit';
export { iterationLimit, type IterationLimitOptions } from './iterationLimit';
export { timeLimit, type TimeLimitOptions } from './timeLimit';
export { toolCallLimit, type ToolCallLimitOptions } from './toolCallLimit';
export { outputValidator, type OutputCheck, type OutputValidatorOptions } from './outputValidator';
export {
  budgetGuardrails,
  createGuardrailManager,
  readOnlyTools,
  READ_ONLY_TOOL_NAMES,
  type BudgetGuardrailOptions,
  type CreateGuardrailManagerOptions,
  type ReadOnlyToolsOptions,
} from './presets';
