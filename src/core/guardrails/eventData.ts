/** Turns a violation into the data of a `guardrail` event. */
import type { GuardrailGate } from '../events';
import type { GuardrailAction, GuardrailEventData, GuardrailViolation } from './types';

export function guardrailEventData(
  violation: GuardrailViolation,
  gate: GuardrailGate,
  action: GuardrailAction,
): GuardrailEventData {
  return {
    guardrail: violation.guardrail,
    gate,
    message: violation.message,
    action,
    // A copy, so an event already emitted cannot change if the guardrail reuses its figures object.
    figures: { ...violation.figures },
  };
}
