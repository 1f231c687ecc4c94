/** The checkpoints of a run where limits are enforced: before a model call, before a tool call, on the final answer. */
import type { GuardrailGate } from '../events';
import { GuardrailError, type GuardrailManager } from '../guardrails/manager';
import type { GuardrailState } from '../guardrails/types';
import type { RunEmitter } from './emitter';
import { MaxIterationsError } from './errors';

export class GateKeeper {
  constructor(
    private readonly emitter: RunEmitter,
    /** Budgets are for the whole task: usage, cost and time come from the top-level run. */
    private readonly root: RunEmitter,
    private readonly manager: GuardrailManager | undefined,
    private readonly agentName: string,
    readonly maxIterations: number,
  ) {}

  async beforeModelCall(): Promise<void> {
    const iteration = this.emitter.totals.modelCalls + 1;
    if (iteration > this.maxIterations) throw new MaxIterationsError(this.maxIterations);
    await this.check({ gate: 'before_model_call', iteration });
  }

  async beforeToolCall(toolName: string, toolArgs: unknown): Promise<void> {
    await this.check({ gate: 'before_tool_call', toolName, toolArgs, toolCallCount: this.emitter.totals.toolCalls + 1 });
  }

  async finalOutput(output: string): Promise<void> {
    await this.check({ gate: 'final_output', output });
  }

  /** Errors that end the whole run tree, not just the tool call that met them. */
  isFatal(error: unknown): boolean {
    return error instanceof GuardrailError || error instanceof MaxIterationsError;
  }

  private async check(partial: Partial<GuardrailState> & { gate: GuardrailGate }): Promise<void> {
    if (!this.manager) return;
    const state: GuardrailState = {
      runId: this.emitter.runId,
      agentName: this.agentName,
      iteration: this.emitter.totals.modelCalls,
      usage: this.root.totals.usage,
      costUsd: this.root.totals.costUsd,
      elapsedMs: this.root.elapsedMs(),
      toolCallCount: this.emitter.totals.toolCalls,
      ...partial,
    };
    const outcome = await this.manager.check(state);
    for (const violation of outcome.violations) this.emitter.emit('guardrail', violation);
    if (outcome.stop) throw new GuardrailError(outcome.violations, state.gate);
  }
}
