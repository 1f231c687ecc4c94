/** Runs every guardrail at a gate and decides, per violation, whether the run stops or goes on with a warning. */
import { z } from 'zod';
import { guardrailEventData } from './eventData';
import { parseOptions } from './options';
import type { BudgetGuardrailOptions } from './presets';
import type { Guardrail, GuardrailEventData, GuardrailMode, GuardrailState, GuardrailViolation } from './types';
import { guardrailMode } from './withMode';

// The agent loop imports the error from here, next to the manager that decides to stop.
export { GuardrailError } from './guardrailError';

export interface GuardrailManagerOptions {
  /** What a violation does unless its guardrail sets its own mode; defaults to 'strict'. */
  mode?: GuardrailMode;
  /** The budgets among the guardrails (createGuardrailManager sets it), recorded with a run so a resume keeps them. */
  budgets?: BudgetGuardrailOptions;
}

export interface GuardrailOutcome {
  /**
   * In guardrail order; each is ready to emit as a `guardrail` event. Read `action` per violation:
   * with per-guardrail modes, one gate can stop on one violation and only warn on another.
   */
  violations: GuardrailEventData[];
  /** True when at least one violation came from a guardrail in strict mode. */
  stop: boolean;
}

const managerOptions = z.strictObject({ mode: guardrailMode.optional(), budgets: z.looseObject({}).optional() }, { error: 'must be an object' });

export class GuardrailManager {
  readonly mode: GuardrailMode;
  readonly budgets: BudgetGuardrailOptions;
  readonly #guardrails: Guardrail[];

  constructor(guardrails: Guardrail[] = [], options: GuardrailManagerOptions = {}) {
    this.mode = parseOptions('GuardrailManager', managerOptions, options).mode ?? 'strict';
    this.budgets = { ...options.budgets };
    this.#guardrails = [...guardrails];
  }

  add(guardrail: Guardrail): this {
    this.#guardrails.push(guardrail);
    return this;
  }

  get guardrails(): readonly Guardrail[] {
    return [...this.#guardrails];
  }

  /** The mode a guardrail acts in here: its own, or the manager's. */
  modeOf(guardrail: Guardrail): GuardrailMode {
    return guardrail.mode ?? this.mode;
  }

  async check(state: GuardrailState): Promise<GuardrailOutcome> {
    const results = await Promise.all(this.#guardrails.map((g) => this.#run(g, state)));
    const violations = results.filter((v): v is GuardrailEventData => v !== undefined);
    return { violations, stop: violations.some((v) => v.action === 'stopped') };
  }

  async #run(guardrail: Guardrail, state: GuardrailState): Promise<GuardrailEventData | undefined> {
    const violation = await checkSafely(guardrail, state);
    if (!violation) return undefined;
    return guardrailEventData(violation, state.gate, this.modeOf(guardrail) === 'strict' ? 'stopped' : 'warned');
  }
}

/** A guardrail that throws is reported as its own violation: a broken check must not crash the run. */
async function checkSafely(guardrail: Guardrail, state: GuardrailState): Promise<GuardrailViolation | undefined> {
  try {
    return (await guardrail.check(state)) ?? undefined;
  } catch (err) {
    const error = err instanceof Error ? err.message : String(err);
    return {
      guardrail: guardrail.name,
      message: `${guardrail.name}: check failed: ${error.replace(/\s*\n\s*/g, ' ')}`,
      figures: { error },
    };
  }
}
