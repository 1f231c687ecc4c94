/** A guardrail checks a run's figures at a gate (before a model call, before a tool call, on the final output). */
import type { GuardrailGate, RunEventData, Usage } from '../events';

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
  /** One line that names the guardrail and the figures, e.g. "cost_limit: $0.52 spent, limit $0.50". */
  message: string;
  figures: Record<string, number | string>;
}

export interface Guardrail {
  /** Stable snake_case name; it identifies the guardrail in events, traces and the UI. */
  readonly name: string;
  /** When set, overrides the manager's mode for this guardrail only (see `withMode`). */
  readonly mode?: GuardrailMode;
  check(state: GuardrailState): GuardrailViolation | undefined | Promise<GuardrailViolation | undefined>;
}

/** 'strict' stops the run on a violation; 'permissive' reports it as a warning and lets the run go on. */
export type GuardrailMode = 'strict' | 'permissive';

/** What the manager did about a violation, as carried by the `guardrail` event. */
export type GuardrailAction = RunEventData['guardrail']['action'];

/** The `guardrail` event's data: a violation plus the gate it was found at and the action taken. */
export type GuardrailEventData = RunEventData['guardrail'];
