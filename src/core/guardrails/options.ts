/** Factory options are checked with zod so a bad limit fails at setup, naming the option, not mid-run. */
import { z } from 'zod';

/** Thrown by a guardrail factory given invalid options. */
export class GuardrailOptionsError extends Error {
  constructor(
    readonly factory: string,
    /** The option at fault, e.g. "maxCostUsd" or "deny[1]"; empty when the options as a whole are wrong. */
    readonly option: string,
    problem: string,
  ) {
    super(`${factory}: ${option ? `option ${option} ` : 'options '}${problem}`);
    this.name = 'GuardrailOptionsError';
  }
}

/** A limit on a count (tokens, iterations, tool calls): a whole number, zero or more. */
export const countLimit = z
  .number({ error: 'must be a number' })
  .int({ error: 'must be a whole number' })
  .nonnegative({ error: 'must not be negative' });

/** A limit on an amount (dollars, milliseconds): a finite number, zero or more. */
export const amountLimit = z.number({ error: 'must be a number' }).nonnegative({ error: 'must not be negative' });

export const toolNamePatterns = z.array(z.string({ error: 'must be a string' }).min(1, { error: 'must not be empty' }), {
  error: 'must be an array of tool names',
});

export const guardrailName = z.string({ error: 'must be a string' }).min(1, { error: 'must not be empty' });

/** Parses `input` with `schema`, or throws a GuardrailOptionsError describing the first problem. */
export function parseOptions<S extends z.ZodType>(factory: string, schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  if (issue.code === 'unrecognized_keys') {
    throw new GuardrailOptionsError(factory, '', `have unknown key ${issue.keys.map((k) => `"${k}"`).join(', ')}`);
  }
  const option = formatPath(issue.path);
  const got = option ? ` (got ${describeValue(valueAt(input, issue.path))})` : '';
  throw new GuardrailOptionsError(factory, option, `${issue.message}${got}`);
}

/** ['deny', 1] → "deny[1]" */
export function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((key, i) => (typeof key === 'number' ? `[${key}]` : i === 0 ? String(key) : `.${String(key)}`))
    .join('');
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

// String(NaN) and String(-Infinity) read better than JSON.stringify, which turns both into null.
function describeValue(value: unknown): string {
  return typeof value === 'number' || value === undefined ? String(value) : JSON.stringify(value);
}
