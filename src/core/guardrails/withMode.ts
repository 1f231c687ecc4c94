/** Per-guardrail mode: e.g. a strict cost limit next to a permissive time limit in one manager. */
import { z } from 'zod';
import { parseOptions } from './options';
import type { Guardrail, GuardrailMode } from './types';

export const guardrailMode = z.enum(['strict', 'permissive'], { error: 'must be "strict" or "permissive"' });

/** The same guardrail, acting in `mode` whatever the manager's mode. */
export function withMode(guardrail: Guardrail, mode: GuardrailMode): Guardrail {
  parseOptions('withMode', z.object({ mode: guardrailMode }), { mode });
  // A new object rather than a spread, so guardrails written as classes keep their `this`.
  return { name: guardrail.name, mode, check: (state) => guardrail.check(state) };
}
