import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import type { GuardrailGate } from '../../src/core/events';
import { GuardrailError as GuardrailErrorFromManager } from '../../src/core/guardrails/manager';
import {
  budgetGuardrails,
  costLimit,
  createGuardrailManager,
  GuardrailError,
  guardrailEventData,
  GuardrailManager,
  GuardrailOptionsError,
  iterationLimit,
  outputValidator,
  READ_ONLY_TOOL_NAMES,
  readOnlyTools,
  timeLimit,
  tokenBudget,
  toolCallLimit,
  withMode,
  type Guardrail,
  type GuardrailState,
  type GuardrailViolation,
} from '../../src/core/guardrails/index';

const ALL_GATES: GuardrailGate[] = ['before_model_call', 'before_tool_call', 'final_output'];

function state(overrides: Partial<GuardrailState> = {}): GuardrailState {
  return {
    gate: 'before_model_call',
    runId: 'run-1',
    agentName: 'tester',
    iteration: 1,
    usage: { inputTokens: 0, outputTokens: 0, totalTokens: 0 },
    costUsd: 0,
    elapsedMs: 0,
    toolCallCount: 0,
    ...overrides,
  };
}

const usage = (inputTokens: number, outputTokens: number) => ({
  inputTokens,
  outputTokens,
  totalTokens: inputTokens + outputTokens,
});

/** Checks a guardrail and returns the violation, awaiting async ones. */
async function check(g: Guardrail, s: Partial<GuardrailState>): Promise<GuardrailViolation | undefined> {
  return await g.check(state(s));
}

/** The gates at which `g` reports a violation for the figures in `s`. */
async function gatesViolated(g: Guardrail, s: Partial<GuardrailState>): Promise<GuardrailGate[]> {
  const hits: GuardrailGate[] = [];
  for (const gate of ALL_GATES) if (await check(g, { ...s, gate })) hits.push(gate);
  return hits;
}

function assertOneLine(message: string) {
  assert.ok(!message.includes('\n'), `expected one line, got: ${message}`);
}

describe('tokenBudget', () => {
  it('allows usage at the limit and stops one token over', async () => {
    const g = tokenBudget({ maxTotalTokens: 10_000 });
    assert.equal(g.name, 'token_budget');
    assert.equal(await check(g, { usage: usage(6_000, 4_000) }), undefined);
    const v = await check(g, { usage: usage(6_000, 4_001) });
    assert.ok(v);
    assert.equal(v.guardrail, 'token_budget');
    assert.equal(v.message, 'token_budget: 10,001 tokens used, limit 10,000');
    assert.deepEqual(v.figures, { totalTokens: 10_001, maxTotalTokens: 10_000 });
  });

  it('checks input and output limits separately and lists only the ones exceeded', async () => {
    const g = tokenBudget({ maxInputTokens: 5_000, maxOutputTokens: 1_000 });
    assert.equal(await check(g, { usage: usage(5_000, 1_000) }), undefined);
    const v = await check(g, { usage: usage(4_000, 1_200) });
    assert.equal(v?.message, 'token_budget: 1,200 output tokens used, limit 1,000');
    assert.deepEqual(v?.figures, { inputTokens: 4_000, maxInputTokens: 5_000, outputTokens: 1_200, maxOutputTokens: 1_000 });
    const both = await check(g, { usage: usage(12_480, 1_001) });
    assert.equal(both?.message, 'token_budget: 12,480 input tokens used, limit 5,000; 1,001 output tokens used, limit 1,000');
  });

  it('checks before model and tool calls, not the final output', async () => {
    const g = tokenBudget({ maxTotalTokens: 10 });
    assert.deepEqual(await gatesViolated(g, { usage: usage(20, 0) }), ['before_model_call', 'before_tool_call']);
  });
});

describe('costLimit', () => {
  it('allows cost at the limit and stops above it, in dollars', async () => {
    const g = costLimit({ maxCostUsd: 0.5 });
    assert.equal(g.name, 'cost_limit');
    assert.equal(await check(g, { costUsd: 0.5 }), undefined);
    const v = await check(g, { costUsd: 0.52 });
    assert.equal(v?.message, 'cost_limit: $0.52 spent, limit $0.50');
    assert.deepEqual(v?.figures, { costUsd: 0.52, maxCostUsd: 0.5 });
  });

  it('shows small differences that two decimals would hide', async () => {
    const v = await check(costLimit({ maxCostUsd: 0.001 }), { costUsd: 0.0031 });
    assert.equal(v?.message, 'cost_limit: $0.0031 spent, limit $0.001');
  });

  it('checks before model and tool calls only', async () => {
    assert.deepEqual(await gatesViolated(costLimit({ maxCostUsd: 0 }), { costUsd: 0.01 }), [
      'before_model_call',
      'before_tool_call',
    ]);
  });
});

describe('iterationLimit', () => {
  it('allows the last permitted model call and stops the next', async () => {
    const g = iterationLimit({ maxIterations: 25 });
    assert.equal(g.name, 'iteration_limit');
    assert.equal(await check(g, { iteration: 25 }), undefined);
    const v = await check(g, { iteration: 26 });
    assert.equal(v?.message, 'iteration_limit: model call 26, limit 25');
    assert.deepEqual(v?.figures, { iteration: 26, maxIterations: 25 });
  });

  it('checks only before a model call', async () => {
    assert.deepEqual(await gatesViolated(iterationLimit({ maxIterations: 1 }), { iteration: 5 }), ['before_model_call']);
  });
});

describe('timeLimit', () => {
  it('allows the exact limit and stops after it', async () => {
    const g = timeLimit({ maxMs: 60_000 });
    assert.equal(g.name, 'time_limit');
    assert.equal(await check(g, { elapsedMs: 60_000 }), undefined);
    const v = await check(g, { elapsedMs: 65_200 });
    assert.equal(v?.message, 'time_limit: 65.2s elapsed, limit 60s');
    assert.deepEqual(v?.figures, { elapsedMs: 65_200, maxMs: 60_000 });
    assert.equal((await check(timeLimit({ maxMs: 500 }), { elapsedMs: 750 }))?.message, 'time_limit: 750ms elapsed, limit 500ms');
  });

  it('checks before model and tool calls only', async () => {
    assert.deepEqual(await gatesViolated(timeLimit({ maxMs: 1 }), { elapsedMs: 2 }), ['before_model_call', 'before_tool_call']);
  });
});

describe('toolCallLimit', () => {
  const toolCall = (toolName: string, toolCallCount = 1): Partial<GuardrailState> => ({
    gate: 'before_tool_call',
    toolName,
    toolCallCount,
  });

  it('allows the last permitted call and stops the next', async () => {
    const g = toolCallLimit({ maxCalls: 20 });
    assert.equal(g.name, 'tool_call_limit');
    assert.equal(await check(g, toolCall('ls', 20)), undefined);
    const v = await check(g, toolCall('ls', 21));
    assert.equal(v?.message, 'tool_call_limit: 21 tool calls, limit 20');
    assert.deepEqual(v?.figures, { reason: 'max_calls', tool: 'ls', toolCallCount: 21, maxCalls: 20 });
  });

  it('checks only before a tool call', async () => {
    const g = toolCallLimit({ maxCalls: 0, deny: ['*'] });
    assert.deepEqual(await gatesViolated(g, { toolName: 'ls', toolCallCount: 5 }), ['before_tool_call']);
  });

  it('with an allow list, stops every other tool', async () => {
    const g = toolCallLimit({ allow: ['ls', 'read_file'] });
    assert.equal(await check(g, toolCall('read_file')), undefined);
    const v = await check(g, toolCall('write_file'));
    assert.equal(v?.message, 'tool_call_limit: tool "write_file" is not allowed (allowed: ls, read_file)');
    assert.equal(v?.figures.reason, 'not_allowed');
  });

  it('stops denied tools and lets deny win over allow', async () => {
    const g = toolCallLimit({ allow: ['*'], deny: ['write_file', 'edit_file'] });
    assert.equal(await check(g, toolCall('read_file')), undefined);
    const v = await check(g, toolCall('edit_file'));
    assert.equal(v?.message, 'tool_call_limit: tool "edit_file" is denied (matches "edit_file")');
    assert.deepEqual(v?.figures, { reason: 'denied', tool: 'edit_file', pattern: 'edit_file' });
  });

  it('matches wildcards as prefixes and suffixes, and nothing else', async () => {
    const g = toolCallLimit({ deny: ['mcp_*', '*_file'] });
    assert.equal((await check(g, toolCall('mcp_github_search')))?.figures.pattern, 'mcp_*');
    assert.equal((await check(g, toolCall('write_file')))?.figures.pattern, '*_file');
    assert.equal(await check(g, toolCall('my_mcp_tool')), undefined);
    assert.equal(await check(g, toolCall('file_search')), undefined);
  });

  it('treats regex characters in patterns literally', async () => {
    const g = toolCallLimit({ allow: ['a.b*'] });
    assert.equal(await check(g, toolCall('a.b_tool')), undefined);
    assert.ok(await check(g, toolCall('axb_tool')), "'.' must not match any character");
  });

  it('checks the tool before the count, so a denied call reports why it is denied', async () => {
    const g = toolCallLimit({ maxCalls: 1, deny: ['bash'] });
    assert.equal((await check(g, toolCall('bash', 9)))?.figures.reason, 'denied');
  });
});

describe('readOnlyTools', () => {
  it('allows the read-only tools and the todo list, and stops writers and subagents', async () => {
    const g = readOnlyTools();
    assert.equal(g.name, 'read_only_tools');
    for (const tool of READ_ONLY_TOOL_NAMES) {
      assert.equal(await check(g, { gate: 'before_tool_call', toolName: tool }), undefined, tool);
    }
    for (const tool of ['write_file', 'edit_file', 'task']) {
      const v = await check(g, { gate: 'before_tool_call', toolName: tool });
      assert.match(v?.message ?? '', new RegExp(`^read_only_tools: tool "${tool}" is not allowed`));
    }
  });

  it('takes extra tools, wildcards included', async () => {
    const g = readOnlyTools({ alsoAllow: ['mcp_search_*'] });
    assert.equal(await check(g, { gate: 'before_tool_call', toolName: 'mcp_search_docs' }), undefined);
    assert.ok(await check(g, { gate: 'before_tool_call', toolName: 'mcp_delete_docs' }));
  });
});

describe('outputValidator with a zod schema', () => {
  const answer = z.object({ title: z.string(), items: z.array(z.object({ price: z.number() })) });
  const final = (output: string): Partial<GuardrailState> => ({ gate: 'final_output', output });

  it('validates the raw string first', async () => {
    const g = outputValidator(z.string().min(5));
    assert.equal(g.name, 'output_validator');
    assert.equal(await check(g, final('hello world')), undefined);
    const v = await check(g, final('hi'));
    assert.equal(v?.message, 'output_validator: output: Too small: expected string to have >=5 characters');
    assert.equal(v?.figures.parsedAs, 'text');
  });

  it('falls back to the output parsed as JSON', async () => {
    const g = outputValidator(answer);
    assert.equal(await check(g, final('{"title":"t","items":[{"price":1}]}')), undefined);
    assert.equal(await check(g, final('  {"title":"t","items":[]}\n')), undefined);
  });

  it('accepts a ```json fenced block, preferred over other fenced code', async () => {
    const g = outputValidator(answer);
    const output = 'Example:\n```ts\nconst x = 1;\n```\nAnswer:\n```json\n{"title":"t","items":[]}\n```\nDone.';
    assert.equal(await check(g, final(output)), undefined);
    assert.equal(await check(g, final('```\n{"title":"t","items":[]}\n```')), undefined);
    const quotedInput = 'You sent:\n```\n{"q":1}\n```\nAnswer:\n```json\n{"title":"t","items":[]}\n```';
    assert.equal(await check(g, final(quotedInput)), undefined, 'the ```json block is the answer, not the first block');
  });

  it('names the first failing path and what was expected', async () => {
    const g = outputValidator(answer);
    const v = await check(g, final('```json\n{"title":"t","items":[{"price":"cheap"}]}\n```'));
    assert.ok(v);
    assertOneLine(v.message);
    assert.equal(v.message, 'output_validator: output.items[0].price: Invalid input: expected number, received string');
    assert.deepEqual(v.figures, {
      path: 'output.items[0].price',
      problem: 'Invalid input: expected number, received string',
      issues: 1,
      parsedAs: 'fenced_json',
    });
  });

  it('counts further problems', async () => {
    const v = await check(outputValidator(answer), final('{"items":[{"price":"x"}]}'));
    assert.equal(v?.figures.path, 'output.title');
    assert.equal(v?.figures.issues, 2);
    assert.match(v?.message ?? '', /\(and 1 more\)$/);
  });

  it('says when a structured schema met output that is not JSON', async () => {
    const v = await check(outputValidator(answer), final('Here is your answer: it costs 3 dollars.'));
    assert.equal(v?.message, 'output_validator: output: Invalid input: expected object, received string (output is not JSON)');
  });

  it('supports async refinements and names array roots', async () => {
    const g = outputValidator(z.array(z.number()).refine(async (xs) => xs.length > 0, { error: 'must not be empty' }));
    assert.equal(await check(g, final('[1,2]')), undefined);
    assert.equal((await check(g, final('[]')))?.message, 'output_validator: output: must not be empty');
    assert.equal((await check(g, final('[1,"2"]')))?.figures.path, 'output[1]');
  });

  it('checks only the final output', async () => {
    assert.deepEqual(await gatesViolated(outputValidator(answer), { output: 'nope' }), ['final_output']);
  });

  it('takes a name, so a run can hold several validators', async () => {
    const v = await check(outputValidator(answer, { name: 'answer_shape' }), final('nope'));
    assert.equal(v?.guardrail, 'answer_shape');
    assert.match(v?.message ?? '', /^answer_shape: /);
  });
});

describe('outputValidator with a function', () => {
  const final = (output: string): Partial<GuardrailState> => ({ gate: 'final_output', output });

  it('passes on true or undefined and fails on false', async () => {
    assert.equal(await check(outputValidator(() => true), final('x')), undefined);
    assert.equal(await check(outputValidator(() => undefined), final('x')), undefined);
    const v = await check(outputValidator(() => false), final('x'));
    assert.equal(v?.message, 'output_validator: output rejected');
  });

  it('uses a returned string as the problem, on one line', async () => {
    const g = outputValidator((output) => (output.includes('TODO') ? 'output still has a TODO\nsee line 3' : true));
    assert.equal(await check(g, final('done')), undefined);
    const v = await check(g, final('TODO: finish'));
    assert.equal(v?.message, 'output_validator: output still has a TODO see line 3');
    assert.equal(v?.figures.problem, 'output still has a TODO see line 3');
  });

  it('treats an empty string as a rejection, failing closed', async () => {
    assert.equal((await check(outputValidator(() => ''), final('x')))?.message, 'output_validator: output rejected');
  });

  it('awaits async functions and sees the whole state', async () => {
    const g = outputValidator(async (_output, s) => (s.agentName === 'tester' ? 'wrong agent' : true));
    assert.equal((await check(g, final('x')))?.message, 'output_validator: wrong agent');
  });

  it('is not called at other gates', async () => {
    let calls = 0;
    const g = outputValidator(() => {
      calls++;
      return false;
    });
    await check(g, { gate: 'before_model_call' });
    await check(g, { gate: 'before_tool_call', toolName: 'ls' });
    assert.equal(calls, 0);
  });
});

describe('GuardrailManager', () => {
  const overBudget = state({ costUsd: 0.52, elapsedMs: 65_200, usage: usage(100, 0) });

  it('is strict by default: a violation stops the run', async () => {
    const m = new GuardrailManager([costLimit({ maxCostUsd: 0.5 })]);
    assert.equal(m.mode, 'strict');
    const outcome = await m.check(overBudget);
    assert.equal(outcome.stop, true);
    assert.deepEqual(outcome.violations, [
      {
        guardrail: 'cost_limit',
        gate: 'before_model_call',
        message: 'cost_limit: $0.52 spent, limit $0.50',
        action: 'stopped',
        figures: { costUsd: 0.52, maxCostUsd: 0.5 },
      },
    ]);
  });

  it('in permissive mode, reports violations as warnings and does not stop', async () => {
    const m = new GuardrailManager([costLimit({ maxCostUsd: 0.5 }), timeLimit({ maxMs: 60_000 })], { mode: 'permissive' });
    const outcome = await m.check(overBudget);
    assert.equal(outcome.stop, false);
    assert.deepEqual(
      outcome.violations.map((v) => [v.guardrail, v.action]),
      [
        ['cost_limit', 'warned'],
        ['time_limit', 'warned'],
      ],
    );
  });

  it('does not stop when nothing is violated, in either mode', async () => {
    const m = new GuardrailManager([costLimit({ maxCostUsd: 1 })]);
    assert.deepEqual(await m.check(overBudget), { violations: [], stop: false });
  });

  it('lets one guardrail override the mode: strict cost next to permissive time', async () => {
    const m = new GuardrailManager([costLimit({ maxCostUsd: 0.5 }), withMode(timeLimit({ maxMs: 60_000 }), 'permissive')]);
    const both = await m.check(overBudget);
    assert.equal(both.stop, true);
    assert.deepEqual(
      both.violations.map((v) => [v.guardrail, v.action]),
      [
        ['cost_limit', 'stopped'],
        ['time_limit', 'warned'],
      ],
    );
    const onlyTime = await m.check(state({ elapsedMs: 65_200 }));
    assert.equal(onlyTime.stop, false);
    assert.equal(onlyTime.violations[0]?.action, 'warned');
  });

  it('lets a strict guardrail stop a permissive manager', async () => {
    const m = new GuardrailManager([withMode(costLimit({ maxCostUsd: 0.5 }), 'strict')], { mode: 'permissive' });
    assert.equal((await m.check(overBudget)).stop, true);
  });

  it('withMode keeps the name and the `this` of class-based guardrails', async () => {
    class Always implements Guardrail {
      readonly name = 'always';
      private readonly text = 'always: fired';
      check() {
        return { guardrail: this.name, message: this.text, figures: {} };
      }
    }
    const g = withMode(new Always(), 'permissive');
    assert.equal(g.name, 'always');
    assert.equal(g.mode, 'permissive');
    assert.equal((await g.check(state()))?.message, 'always: fired');
  });

  it('turns a throwing guardrail into a violation naming it and the error', async () => {
    const broken: Guardrail = {
      name: 'broken',
      check() {
        throw new Error('lookup failed\nat line 2');
      },
    };
    const rejecting: Guardrail = { name: 'rejecting', check: () => Promise.reject(new Error('timeout')) };
    const m = new GuardrailManager([broken, rejecting, costLimit({ maxCostUsd: 1 })], { mode: 'permissive' });
    const outcome = await m.check(overBudget);
    assert.equal(outcome.stop, false);
    assert.deepEqual(
      outcome.violations.map((v) => v.message),
      ['broken: check failed: lookup failed at line 2', 'rejecting: check failed: timeout'],
    );
    assert.equal(outcome.violations[0]?.figures.error, 'lookup failed\nat line 2');
    const strict = await new GuardrailManager([broken]).check(overBudget);
    assert.equal(strict.stop, true, 'a broken check fails closed in strict mode');
  });

  it('keeps guardrail order even when checks finish out of order', async () => {
    const slow: Guardrail = {
      name: 'slow',
      check: () => new Promise((resolve) => setTimeout(() => resolve({ guardrail: 'slow', message: 'slow: late', figures: {} }), 10)),
    };
    const fast: Guardrail = { name: 'fast', check: () => ({ guardrail: 'fast', message: 'fast: early', figures: {} }) };
    const outcome = await new GuardrailManager([slow, fast]).check(state());
    assert.deepEqual(
      outcome.violations.map((v) => v.guardrail),
      ['slow', 'fast'],
    );
  });

  it('adds guardrails and hands out a copy of its list', async () => {
    const m = new GuardrailManager();
    assert.equal(m.add(costLimit({ maxCostUsd: 0.5 })).add(timeLimit({ maxMs: 1 })), m);
    assert.deepEqual(
      m.guardrails.map((g) => g.name),
      ['cost_limit', 'time_limit'],
    );
    (m.guardrails as Guardrail[]).length = 0;
    assert.equal(m.guardrails.length, 2);
  });

  it('rejects an unknown mode', () => {
    assert.throws(
      () => new GuardrailManager([], { mode: 'lenient' as never }),
      (e: unknown) => e instanceof GuardrailOptionsError && e.message === 'GuardrailManager: option mode must be "strict" or "permissive" (got "lenient")',
    );
  });
});

describe('GuardrailError', () => {
  it('names the guardrail that stopped the run, not one that only warned', async () => {
    const m = new GuardrailManager([withMode(timeLimit({ maxMs: 60_000 }), 'permissive'), costLimit({ maxCostUsd: 0.5 })]);
    const outcome = await m.check(state({ gate: 'before_tool_call', toolName: 'ls', costUsd: 0.52, elapsedMs: 65_200 }));
    const error = new GuardrailError(outcome.violations, 'before_tool_call');
    assert.ok(error instanceof Error);
    assert.equal(error.name, 'GuardrailError');
    assert.equal(error.message, 'Stopped by guardrail cost_limit: $0.52 spent, limit $0.50');
    assert.equal(error.guardrail, 'cost_limit');
    assert.equal(error.gate, 'before_tool_call');
    assert.deepEqual(error.figures, { costUsd: 0.52, maxCostUsd: 0.5 });
    assert.equal(error.violations.length, 2);
  });

  it('works with bare violations and with messages that do not start with the name', () => {
    const error = new GuardrailError([{ guardrail: 'custom', message: 'too many files touched', figures: { files: 9 } }], 'final_output');
    assert.equal(error.message, 'Stopped by guardrail custom: too many files touched');
    assert.equal(error.guardrail, 'custom');
  });

  it('is the same class whether imported from the manager or the index', () => {
    assert.equal(GuardrailErrorFromManager, GuardrailError);
  });
});

describe('guardrailEventData', () => {
  it('shapes a violation as `guardrail` event data, copying the figures', () => {
    const figures = { costUsd: 0.52, maxCostUsd: 0.5 };
    const data = guardrailEventData({ guardrail: 'cost_limit', message: 'cost_limit: x', figures }, 'before_model_call', 'warned');
    assert.deepEqual(data, {
      guardrail: 'cost_limit',
      gate: 'before_model_call',
      message: 'cost_limit: x',
      action: 'warned',
      figures: { costUsd: 0.52, maxCostUsd: 0.5 },
    });
    figures.costUsd = 9;
    assert.equal(data.figures.costUsd, 0.52);
  });
});

describe('budgetGuardrails and createGuardrailManager', () => {
  it('returns guardrails for only the limits given', () => {
    assert.deepEqual(budgetGuardrails(), []);
    assert.deepEqual(
      budgetGuardrails({ maxCostUsd: 1, timeoutMs: 1_000 }).map((g) => g.name),
      ['cost_limit', 'time_limit'],
    );
    assert.deepEqual(
      budgetGuardrails({ maxTokens: 1, maxCostUsd: 1, maxIterations: 1, timeoutMs: 1, maxToolCalls: 1, denyTools: ['x'] }).map((g) => g.name),
      ['token_budget', 'cost_limit', 'iteration_limit', 'time_limit', 'tool_call_limit'],
    );
  });

  it('maps each option onto the right limit', async () => {
    const [tokens] = budgetGuardrails({ maxTokens: 100 });
    assert.equal((await check(tokens!, { usage: usage(60, 41) }))?.figures.maxTotalTokens, 100);
    const [tools] = budgetGuardrails({ allowTools: ['ls', 'rm'], denyTools: ['rm'], maxToolCalls: 2 });
    assert.equal((await check(tools!, { gate: 'before_tool_call', toolName: 'rm', toolCallCount: 1 }))?.figures.reason, 'denied');
    assert.equal((await check(tools!, { gate: 'before_tool_call', toolName: 'grep', toolCallCount: 1 }))?.figures.reason, 'not_allowed');
    assert.equal((await check(tools!, { gate: 'before_tool_call', toolName: 'ls', toolCallCount: 3 }))?.figures.reason, 'max_calls');
  });

  it('builds a manager with the mode and extra guardrails after the budgets', async () => {
    const m = createGuardrailManager({
      maxCostUsd: 0.5,
      mode: 'permissive',
      guardrails: [withMode(iterationLimit({ maxIterations: 3 }), 'strict')],
    });
    assert.equal(m.mode, 'permissive');
    assert.deepEqual(
      m.guardrails.map((g) => g.name),
      ['cost_limit', 'iteration_limit'],
    );
    const outcome = await m.check(state({ costUsd: 0.6, iteration: 4 }));
    assert.deepEqual(
      outcome.violations.map((v) => v.action),
      ['warned', 'stopped'],
    );
    assert.equal(outcome.stop, true);
  });
});

describe('option validation', () => {
  const rejects = (make: () => unknown, message: string, option?: string) =>
    assert.throws(make, (e: unknown) => {
      assert.ok(e instanceof GuardrailOptionsError, `expected GuardrailOptionsError, got ${String(e)}`);
      assert.equal(e.message, message);
      if (option !== undefined) assert.equal(e.option, option);
      return true;
    });

  it('rejects negative, NaN, infinite and fractional limits, naming the option', () => {
    rejects(() => costLimit({ maxCostUsd: -1 }), 'costLimit: option maxCostUsd must not be negative (got -1)', 'maxCostUsd');
    rejects(() => timeLimit({ maxMs: NaN }), 'timeLimit: option maxMs must be a number (got NaN)', 'maxMs');
    rejects(() => tokenBudget({ maxTotalTokens: Infinity }), 'tokenBudget: option maxTotalTokens must be a number (got Infinity)');
    rejects(() => iterationLimit({ maxIterations: 2.5 }), 'iterationLimit: option maxIterations must be a whole number (got 2.5)');
    rejects(() => toolCallLimit({ maxCalls: -3 }), 'toolCallLimit: option maxCalls must not be negative (got -3)');
  });

  it('names the option as the caller spelled it in the presets', () => {
    rejects(() => budgetGuardrails({ timeoutMs: -5 }), 'budgetGuardrails: option timeoutMs must not be negative (got -5)', 'timeoutMs');
    rejects(() => createGuardrailManager({ maxTokens: NaN }), 'createGuardrailManager: option maxTokens must be a number (got NaN)');
  });

  it('rejects wrong types, empty patterns and unknown keys', () => {
    rejects(() => costLimit({ maxCostUsd: '0.5' as never }), 'costLimit: option maxCostUsd must be a number (got "0.5")');
    rejects(() => toolCallLimit({ deny: ['ok', ''] }), 'toolCallLimit: option deny[1] must not be empty (got "")', 'deny[1]');
    rejects(() => budgetGuardrails({ maxToken: 5 } as never), 'budgetGuardrails: options have unknown key "maxToken"', '');
    rejects(() => iterationLimit(undefined as never), 'iterationLimit: options must be an object');
    rejects(() => outputValidator(() => true, { name: '' }), 'outputValidator: option name must not be empty (got "")');
    rejects(() => withMode(costLimit({ maxCostUsd: 1 }), 'loose' as never), 'withMode: option mode must be "strict" or "permissive" (got "loose")');
  });

  it('rejects limits that could never fire', () => {
    rejects(() => tokenBudget({}), 'tokenBudget: options need at least one of maxTotalTokens, maxInputTokens, maxOutputTokens');
    rejects(() => toolCallLimit({}), 'toolCallLimit: options need at least one of maxCalls, allow, deny');
  });

  it('accepts zero as a limit', async () => {
    const g = toolCallLimit({ maxCalls: 0 });
    assert.ok(await check(g, { gate: 'before_tool_call', toolName: 'ls', toolCallCount: 1 }));
  });
});

describe('messages', () => {
  it('are one line and start with the guardrail name', async () => {
    const over = state({
      gate: 'before_tool_call',
      toolName: 'write_file',
      toolCallCount: 99,
      iteration: 99,
      usage: usage(1e6, 1e6),
      costUsd: 1234.5,
      elapsedMs: 3_600_000,
    });
    const guardrails = [
      tokenBudget({ maxTotalTokens: 1, maxInputTokens: 1, maxOutputTokens: 1 }),
      costLimit({ maxCostUsd: 1 }),
      timeLimit({ maxMs: 1 }),
      toolCallLimit({ maxCalls: 1 }),
      toolCallLimit({ deny: ['write_*'] }),
    ];
    const messages = [];
    for (const g of guardrails) {
      const v = await g.check(over);
      assert.ok(v, g.name);
      assert.ok(v.message.startsWith(`${g.name}: `), v.message);
      assertOneLine(v.message);
      messages.push(v.message);
    }
    assert.equal(messages[1], 'cost_limit: $1,234.50 spent, limit $1.00');
    assert.equal(messages[2], 'time_limit: 3,600s elapsed, limit 1ms');
  });
});
