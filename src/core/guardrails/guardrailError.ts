/** The error a run ends with when a strict guardrail stops it. */
import type { GuardrailGate } from '../events';
import type { GuardrailAction, GuardrailViolation } from './types';

/** A violation as the manager reports it (with `action`), or a bare one. */
type ReportedViolation = GuardrailViolation & { action?: GuardrailAction };

export class GuardrailError extends Error {
  /** The guardrail that stopped the run (the first one, when several did at the same gate). */
  readonly guardrail: string;
  readonly gate: GuardrailGate;
  readonly figures: GuardrailViolation['figures'];
  /** Every violation found at that gate, warnings included. */
  readonly violations: readonly ReportedViolation[];

  constructor(violations: readonly ReportedViolation[], gate: GuardrailGate) {
    // Warnings found at the same gate did not stop the run, so they do not name it.
    const stoppedBy = violations.find((v) => v.action === 'stopped') ?? violations[0];
    super(stoppedBy ? `Stopped by guardrail ${stoppedBy.guardrail}: ${detailOf(stoppedBy)}` : 'Stopped by a guardrail');
    this.name = 'GuardrailError';
    this.guardrail = stoppedBy?.guardrail ?? 'unknown';
    this.gate = gate;
    this.figures = stoppedBy?.figures ?? {};
    this.violations = violations;
  }
}

// Built-in messages start with "<name>: "; drop it so the error does not name the guardrail twice.
function detailOf(violation: GuardrailViolation): string {
  const prefix = `${violation.guardrail}: `;
  return violation.message.startsWith(prefix) ? violation.message.slice(prefix.length) : violation.message;
}
