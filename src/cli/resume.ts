/**
 * `run --checkpoint-dir DIR --resume <runId|latest|checkpointId>`: finds the run, goes on with the
 * options it recorded (resumeOptions.ts), says in one line where and with which model, and runs it.
 * Nothing is written before every option checks out: a checkpoint id is forked only when the run starts.
 */
import { checkpointManagerFor } from './checkpointing';
import { describedModel, modelConfigFrom } from './model';
import type { RunOptions } from './options';
import { withRecordedOptions } from './resumeOptions';
import { checkRunOptions, cliAgentName, runTask, type CliIO } from './runTask';

export async function resumeTask(options: RunOptions, given: ReadonlySet<string>, io: CliIO): Promise<number> {
  const ref = options.resume!;
  const manager = checkpointManagerFor(options);
  try {
    const point = ref.includes('@') ? undefined : await manager.resumePoint(ref, { agentName: cliAgentName });
    const state = point?.state ?? (await manager.stateAt(ref));
    const merged = withRecordedOptions(options, given, state, (line) => void io.err.write(`deep-agent: ${line}\n`));
    checkRunOptions('', merged, io);
    const model = modelConfigFrom(merged, io.env);
    io.err.write(`deep-agent: resuming ${point ? `run ${point.runId}` : `from checkpoint ${ref}`} in ${merged.workspace} with ${describedModel(model)}\n`);
    return await runTask('', merged, undefined, io, { manager, point });
  } finally {
    // A PostgreSQL pool would keep the process alive.
    await manager.store.close();
  }
}
