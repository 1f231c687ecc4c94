/**
 * `run --checkpoint-dir DIR|URL`: the run is journaled in DIR (one file per run) or a PostgreSQL
 * database, with checkpoints, so a killed or cancelled run goes on with `--resume <runId|latest|checkpointId>`.
 */
import { existsSync, statSync } from 'node:fs';
import { CheckpointManager, checkpointFrequencies, checkpointStore, isPostgresUrl, shownLocation, type CheckpointFrequency, type ResumePoint, type RunEventListener, type RunHooks, type RunResult } from '../core';
import { UsageError, type RunOptions } from './options';
import type { CliIO } from './runTask';

export { checkpointFrequencies };
export const defaultCheckpointFrequency: CheckpointFrequency = 'tool_call';

/** Checks the task and checkpoint flags together; returns the prompt to run ('' when resuming, the run has its own). */
export function checkedPrompt(prompt: string | undefined, options: RunOptions, io: CliIO): string {
  const dir = options.checkpointDir;
  if (options.resume !== undefined && !dir) throw new UsageError('--resume needs --checkpoint-dir DIR, the directory the run was checkpointed in');
  if (options.checkpointEvery !== undefined && !dir) throw new UsageError('--checkpoint-every needs --checkpoint-dir DIR');
  const isDir = dir !== undefined && !isPostgresUrl(dir);
  if (isDir && existsSync(dir) && !statSync(dir).isDirectory()) throw new UsageError(`--checkpoint-dir ${dir} is not a directory`);
  if (options.resume !== undefined) {
    if (!options.resume.trim()) throw new UsageError('--resume needs a run id, a checkpoint id or "latest"');
    if (isDir && !existsSync(dir)) throw new UsageError(`--checkpoint-dir ${dir} does not exist, so it has no run to resume`);
    if (prompt?.trim()) io.err.write('deep-agent: note: the prompt argument is ignored with --resume; the run goes on with its own task\n');
    return '';
  }
  if (prompt === undefined) throw new UsageError('the task prompt is missing: deep-agent run "<task>", or --resume a checkpointed run');
  if (!prompt.trim()) throw new UsageError('the task prompt is empty');
  return prompt;
}

/** A resume whose run was looked up already: its store stays open (the caller closes it) and `point` is where it goes on (none for a checkpoint id, forked when the run starts). */
export interface OpenedResume {
  manager: CheckpointManager;
  point?: ResumePoint;
}

export const checkpointManagerFor = (options: RunOptions) =>
  new CheckpointManager(checkpointStore(options.checkpointDir!), { frequency: options.checkpointEvery ?? defaultCheckpointFrequency });

/** What a checkpointed CLI run adds to startRun: where it is journaled is said once, and interrupted calls are told, not asked about. */
export function checkpointingHooks(options: RunOptions, io: CliIO, print: RunEventListener, resume?: OpenedResume): Partial<RunHooks> {
  const dir = options.checkpointDir!;
  const frequency = resume?.manager.frequency ?? options.checkpointEvery ?? defaultCheckpointFrequency;
  let announced = false;
  return {
    checkpoints: resume?.manager,
    resumePoint: resume?.point,
    onEvent: (event) => {
      if (!announced && !event.parentRunId && (event.type === 'run_start' || event.type === 'run_resumed')) {
        announced = true;
        io.err.write(`deep-agent: run ${event.runId} is checkpointed in ${shownLocation(dir)} (every ${frequency.replace('_', ' ')})\n`);
      }
      print(event);
    },
    // The CLI cannot ask anyone: the model is told, and so is the user.
    decideInterrupted: async (call) => {
      io.err.write(
        `deep-agent: warning: ${call.toolName} (${call.toolCallId}) was interrupted and may or may not have taken effect (${call.detail}); the model is told to check before trying again\n`,
      );
      return 'unknown';
    },
    onWarning: (message) => void io.err.write(`deep-agent: warning: ${message}\n`),
  };
}

/** How to go on with a run that did not complete. */
export function resumeHint(result: RunResult, lastCheckpointId: string | undefined, dir: string): string | undefined {
  if (result.status === 'completed') return undefined;
  if (result.status === 'cancelled') return `go on with it: deep-agent run --checkpoint-dir ${shellWord(shownLocation(dir))} --resume ${result.runId}`;
  if (lastCheckpointId) return `go on from its last checkpoint: deep-agent run --checkpoint-dir ${shellWord(shownLocation(dir))} --resume ${lastCheckpointId}`;
  return undefined;
}

/** A path as one shell word, for commands the user can copy. */
export const shellWord = (text: string) => (/^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`);
