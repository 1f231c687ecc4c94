/** Checks the run's final output against a zod schema or a function. */
import { z } from 'zod';
import { parseJsonOutput } from './jsonOutput';
import { formatPath, guardrailName, parseOptions } from './options';
import type { Guardrail, GuardrailState, GuardrailViolation } from './types';

/** Returns true or undefined when the output is fine, false or a description of the problem when not. */
export type OutputCheck = (
  output: string,
  state: GuardrailState,
) => boolean | string | undefined | void | Promise<boolean | string | undefined | void>;

export interface OutputValidatorOptions {
  /** Defaults to 'output_validator'; give each validator its own name when a run has several. */
  name?: string;
}

const outputValidatorOptions = z.strictObject({ name: guardrailName.optional() }, { error: 'must be an object' });

type Problem = Pick<GuardrailViolation, 'figures'> & { detail: string };

export function outputValidator(schemaOrCheck: z.core.$ZodType | OutputCheck, options: OutputValidatorOptions = {}): Guardrail {
  const name = parseOptions('outputValidator', outputValidatorOptions, options).name ?? 'output_validator';
  const findProblem =
    typeof schemaOrCheck === 'function' ? checkWithFunction(schemaOrCheck) : checkWithSchema(schemaOrCheck);
  return {
    name,
    async check(state) {
      if (state.gate !== 'final_output') return undefined;
      const problem = await findProblem(state.output ?? '', state);
      if (!problem) return undefined;
      return { guardrail: name, message: `${name}: ${problem.detail}`, figures: problem.figures };
    },
  };
}

function checkWithFunction(check: OutputCheck) {
  return async (output: string, state: GuardrailState): Promise<Problem | undefined> => {
    const verdict = await check(output, state);
    if (verdict === true || verdict === undefined) return undefined;
    // An empty string is still a rejection: failing closed is the safe reading of an unclear answer.
    const detail = typeof verdict === 'string' && verdict.trim() !== '' ? oneLine(verdict) : 'output rejected';
    return { detail, figures: { problem: detail } };
  };
}

function checkWithSchema(schema: z.core.$ZodType) {
  return async (output: string): Promise<Problem | undefined> => {
    // The raw string first, so schemas over plain text (z.string().min(...)) work as written.
    const asText = await z.safeParseAsync(schema, output);
    if (asText.success) return undefined;
    const json = parseJsonOutput(output);
    if (!json) {
      const [first] = asText.error.issues;
      // "expected object, received string" is puzzling unless you know the output was not read as JSON.
      const hint = first?.code === 'invalid_type' && first.path.length === 0 ? ' (output is not JSON)' : '';
      return describeIssues(asText.error.issues, 'text', hint);
    }
    const asJson = await z.safeParseAsync(schema, json.value);
    if (asJson.success) return undefined;
    return describeIssues(asJson.error.issues, json.source, '');
  };
}

function describeIssues(issues: readonly z.core.$ZodIssue[], parsedAs: string, hint: string): Problem {
  const first = issues[0];
  const path = first ? outputPath(first.path) : 'output';
  const problem = oneLine(first?.message ?? 'does not match the schema');
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
  return {
    detail: `${path}: ${problem}${hint}${more}`,
    figures: { path, problem, issues: issues.length, parsedAs },
  };
}

/** [] → "output", ['items', 0, 'price'] → "output.items[0].price" */
function outputPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return 'output';
  return typeof path[0] === 'number' ? `output${formatPath(path)}` : `output.${formatPath(path)}`;
}

// Violation messages are one line; schema messages and custom checks may hold newlines.
const oneLine = (text: string): string => text.replace(/\s*\n\s*/g, ' ').trim();
