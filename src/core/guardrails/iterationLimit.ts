/** Stops a run that is about to make more model calls than allowed. */
import { z } from 'zod';
import { formatCount } from './format';
import { countLimit, parseOptions } from './options';
import type { Guardrail } from './types';

export interface IterationLimitOptions {
  maxIterations: number;
}

const iterationLimitOptions = z.strictObject({ maxIterations: countLimit }, { error: 'must be an object' });

export function iterationLimit(options: IterationLimitOptions): Guardrail {
  const { maxIterations } = parseOptions('iterationLimit', iterationLimitOptions, options);
  return {
    name: 'iteration_limit',
    check(state) {
      // The iteration count only moves when a model call starts, so this is the one gate to look at.
      if (state.gate !== 'before_model_call' || state.iteration <= maxIterations) return undefined;
      return {
        guardrail: 'iteration_limit',
        message: `iteration_limit: model call ${formatCount(state.iteration)}, limit ${formatCount(maxIterations)}`,
        figures: { iteration: state.iteration, maxIterations },
      };
    },
  };
}
