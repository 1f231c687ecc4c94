/** A guardrail checks a run's figures at a gate (before a model call, before a tool call, on the final output). */
import type { GuardrailGate, Usage } from '../events';

export interface GuardrailState {
  gate: GuardrailGate;
  runId: string;
  agentName: string;
  /** Model calls started so far in this run, counting the one about to start at 'before_model_call'. */
  iteration: number;
  /** Totals so far, subagents included. */
  usage: Usage;
  costUsd: number;
  elapsedMs: number;
  /** Tool calls started so far, counting the one about to start at 'before_tool_call'. */
  toolCallCount: number;
  /** Set at 'before_tool_call'. */
  toolName?: string;
  toolArgs?: unknown;
  /** Set at 'final_output'. */
  output?: string;
}

export interface GuardrailViolation {
  guardrail: string;
  message: string;
  figures: Record<string, number | string>;
}

export interface Guardrail {
  readonly name: string;
  check(state: GuardrailState): GuardrailViolation | undefined | Promise<GuardrailViolation | undefined>;
}

export type GuardrailMode = 'strict' | 'permissive';
