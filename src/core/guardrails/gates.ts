/** Which gates each kind of guardrail looks at. */
import type { GuardrailGate } from '../events';

/**
 * Budgets (tokens, cost, time) are checked before model calls and before tool calls: a tool call
 * can spend budget too (a subagent run, a slow command). They are not checked at 'final_output',
 * because by then the budget is spent and stopping would only throw the answer away.
 */
export function isBudgetGate(gate: GuardrailGate): boolean {
  return gate === 'before_model_call' || gate === 'before_tool_call';
}
