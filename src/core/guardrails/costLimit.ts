/** Stops a run that has cost more than allowed (totals include subagents). */
import { z } from 'zod';
import { formatUsd } from './format';
import { isBudgetGate } from './gates';
import { amountLimit, parseOptions } from './options';
import type { Guardrail } from './types';

export interface CostLimitOptions {
  maxCostUsd: number;
}

const costLimitOptions = z.strictObject({ maxCostUsd: amountLimit }, { error: 'must be an object' });

export function costLimit(options: CostLimitOptions): Guardrail {
  const { maxCostUsd } = parseOptions('costLimit', costLimitOptions, options);
  return {
    name: 'cost_limit',
    check(state) {
      if (!isBudgetGate(state.gate) || state.costUsd <= maxCostUsd) return undefined;
      return {
        guardrail: 'cost_limit',
        message: `cost_limit: ${formatUsd(state.costUsd)} spent, limit ${formatUsd(maxCostUsd)}`,
        figures: { costUsd: state.costUsd, maxCostUsd },
      };
    },
  };
}
