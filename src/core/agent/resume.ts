/**
 * Going on with a run from its journal: the emitter picks up its seq and totals, and each tool
 * call that started but left no result is looked at before anything runs again. Read-only calls
 * run again; others say through `recover` whether they took effect; what stays unknown is the
 * user's to decide (in the editor) or the model's to be told.
 */
import type { z } from 'zod';
import type { PendingStep, RunState } from '../runState';
import type { AnyTool, ToolRecovery } from '../tools/types';
import type { EmitterRestore } from './emitter';
import { errorMessage } from './errors';
import type { RunSetup } from './run';

export const emitterRestoreOf = (state: RunState): EmitterRestore => ({
  nextSeq: state.lastSeq + 1,
  usage: state.usage,
  costUsd: state.costUsd,
  modelCalls: state.modelCalls,
  toolCalls: state.toolCalls,
});

/** What to do with each interrupted call of the pending step, by tool call id. */
export async function recoverInterrupted(setup: RunSetup, tools: ReadonlyMap<string, AnyTool>, pending: PendingStep): Promise<Map<string, ToolRecovery>> {
  const recoveries = new Map<string, ToolRecovery>();
  for (const call of pending.answer.toolCalls) {
    if (!pending.started.has(call.id) || pending.results.has(call.id)) continue;
    const tool = tools.get(call.name);
    const args = tool && (tool.parameters as z.ZodType).safeParse(pending.started.get(call.id));
    // An unknown tool or bad arguments never ran; running it again gives the model the same error.
    if (!tool || !args?.success || tool.readOnly) {
      recoveries.set(call.id, { outcome: 'rerun' });
      continue;
    }
    let recovery: ToolRecovery = { outcome: 'unknown', detail: `${call.name} cannot check whether it took effect` };
    if (tool.recover) {
      try {
        recovery = await tool.recover(args.data, { backend: setup.backend, toolCallId: call.id, fileChanges: pending.fileChanges.get(call.id) ?? [], signal: setup.signal });
      } catch (error) {
        recovery = { outcome: 'unknown', detail: `checking failed: ${errorMessage(error)}` };
      }
    }
    if (recovery.outcome === 'unknown' && setup.persistence?.decideInterrupted) {
      const choice = await setup.persistence.decideInterrupted({ runId: setup.emitter.runId, toolCallId: call.id, toolName: call.name, args: args.data, detail: recovery.detail });
      if (choice === 'rerun') recovery = { outcome: 'rerun' };
    }
    recoveries.set(call.id, recovery);
  }
  return recoveries;
}
