/**
 * Runs an agent with its events journaled and checkpoints taken, or goes on with an earlier run:
 * `resumeFrom` is 'latest', a run id, or a checkpoint id (a checkpoint that the run went past
 * starts a fork). Like `agent.execute`, it resolves with the result whatever the outcome.
 */
import type { DeepAgent } from '../agent/createDeepAgent';
import type { DeepAgentDeps, RunResult } from '../agent/types';
import type { RunPersistence } from '../persistence';
import { randomIds } from '../clock';
import type { CheckpointManager, ResumePoint } from '../checkpoint/manager';
import { journaledChildRunner } from './childRuns';

export interface RunWithCheckpointingOptions {
  /** 'latest', a run id, a checkpoint id, or a point already found with `manager.resumePoint`. */
  resumeFrom?: string | ResumePoint;
  /** A side-effecting call whose outcome is unknown after a crash: run it again, or tell the model (default). */
  decideInterrupted?: RunPersistence['decideInterrupted'];
  /** Told about damage that was skipped, e.g. unreadable journal lines. */
  onWarning?: (message: string) => void;
}

export async function runWithCheckpointing(
  agent: DeepAgent,
  prompt: string,
  deps: DeepAgentDeps,
  manager: CheckpointManager,
  options: RunWithCheckpointingOptions = {},
): Promise<RunResult> {
  const { resumeFrom } = options;
  const point =
    typeof resumeFrom === 'string' ? (resumeFrom ? await manager.resumePoint(resumeFrom, { agentName: agent.name, ids: deps.ids }) : undefined) : resumeFrom;
  if (point?.skippedLines) options.onWarning?.(`run ${point.runId}: ${point.skippedLines} damaged journal line(s) were skipped`);
  const runId = point?.runId ?? deps.runId ?? (deps.ids ?? randomIds)();
  const journal = await manager.store.openJournal(runId);
  try {
    return await agent.execute(point ? point.state.prompt : prompt, {
      ...deps,
      runId,
      persistence: manager.persistenceFor(journal, point?.state, options.decideInterrupted),
      childRunner: deps.childRunner ?? journaledChildRunner(manager, options),
    });
  } finally {
    await journal.close();
  }
}
