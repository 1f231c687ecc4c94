/** Stops a run that has taken longer than allowed. */
import { z } from 'zod';
import { formatDuration } from './format';
import { isBudgetGate } from './gates';
import { amountLimit, parseOptions } from './options';
import type { Guardrail } from './types';

export interface TimeLimitOptions {
  maxMs: number;
}

const timeLimitOptions = z.strictObject({ maxMs: amountLimit }, { error: 'must be an object' });

export function timeLimit(options: TimeLimitOptions): Guardrail {
  const { maxMs } = parseOptions('timeLimit', timeLimitOptions, options);
  return {
    name: 'time_limit',
    check(state) {
      if (!isBudgetGate(state.gate) || state.elapsedMs <= maxMs) return undefined;
      return {
        guardrail: 'time_limit',
        message: `time_limit: ${formatDuration(state.elapsedMs)} elapsed, limit ${formatDuration(maxMs)}`,
        figures: { elapsedMs: state.elapsedMs, maxMs },
      };
    },
  };
}
