/**
 * A process running the graph-task parent (test/support/graphTask.ts), to be killed with SIGKILL.
 *
 *   graphTaskChild <serverUrl> <workspace> <checkpointDir> [resume <runId>]
 *
 * stdout: every event as one JSON line as it happens, then `{"result":{runId,status,output}}`.
 */
import { runGraphTaskParent } from './graphTask';

const [serverUrl, workspace, checkpointDir, mode, runId] = process.argv.slice(2);
if (!serverUrl || !workspace || !checkpointDir || (mode !== undefined && (mode !== 'resume' || !runId))) {
  process.stderr.write('graphTaskChild: usage: graphTaskChild <serverUrl> <workspace> <checkpointDir> [resume <runId>]\n');
  process.exit(2);
}
runGraphTaskParent({ serverUrl, workspace, checkpointDir, resume: runId, onEvent: (e) => void process.stdout.write(`${JSON.stringify(e)}\n`) }).then(
  (result) => {
    process.stdout.write(`${JSON.stringify({ result: { runId: result.runId, status: result.status, output: result.output } })}\n`);
    process.exitCode = result.status === 'completed' ? 0 : 1;
  },
  (error: unknown) => {
    process.stderr.write(`graphTaskChild: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
