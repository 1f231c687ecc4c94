/**
 * Child runs journaled on their own, in the parent's store. A child is named by its parent and its
 * link (childRunId), so starting it again — a resumed parent does — finds it: a finished child gives
 * back its recorded result without running, an unfinished one goes on from its journal.
 */
import type { ChildRunner, RunResult } from '../agent/types';
import type { CheckpointManager } from '../checkpoint/manager';
import { isResumable } from '../checkpoint/store';
import { RunNotFoundError } from '../persistence';
import { childRunId, foldJournal, type RunState } from '../runState';
import type { RunWithCheckpointingOptions } from './runWithCheckpointing';

export function journaledChildRunner(manager: CheckpointManager, options: Pick<RunWithCheckpointingOptions, 'decideInterrupted' | 'onWarning'>): ChildRunner {
  const runner: ChildRunner = async (parent, spec, inherited) => {
    const runId = childRunId(parent.runId, spec.link);
    const before = await storedChild(manager, runId, options.onWarning);
    if (before?.ended && !isResumable(before.ended.status)) return recordedResult(before);
    const journal = await manager.store.openJournal(runId);
    try {
      return await spec.agent.execute(spec.prompt, {
        ...inherited,
        ...spec.deps,
        runId,
        parent: { ...parent, link: spec.link },
        childRunner: runner,
        persistence: manager.persistenceFor(journal, before, options.decideInterrupted),
      });
    } finally {
      await journal.close();
    }
  };
  return runner;
}

/** The child's journal folded, or undefined when it never started (or left no run_start). */
async function storedChild(manager: CheckpointManager, runId: string, onWarning?: (message: string) => void): Promise<RunState | undefined> {
  try {
    const { events, skippedLines } = await manager.store.readJournal(runId);
    if (skippedLines) onWarning?.(`run ${runId}: ${skippedLines} damaged journal line(s) were skipped`);
    const { root } = foldJournal(events);
    return root?.runId === runId ? root : undefined;
  } catch (error) {
    if (error instanceof RunNotFoundError) return undefined;
    throw error;
  }
}

/** What a finished child returned, from its journal. */
function recordedResult(state: RunState): RunResult {
  const ended = state.ended!;
  return {
    runId: state.runId,
    status: ended.status,
    output: ended.output ?? '',
    error: ended.error === undefined ? undefined : new Error(ended.error),
    usage: state.usage,
    costUsd: state.costUsd,
    steps: state.step,
    messages: [...state.history, { role: 'user', content: state.prompt }, ...state.messages],
    todos: state.todos,
  };
}
