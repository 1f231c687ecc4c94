/**
 * The child process of the crash test (test/core/checkpoint.crash.test.ts): runs the scripted
 * checkpoint task (test/support/checkpointTask.ts) with checkpointing, against a scripted server the
 * parent started, and is killed by the parent at random points.
 *
 *   crashChild <serverUrl> <workspace> <checkpointDir> start
 *   crashChild <serverUrl> <workspace> <checkpointDir> resume <runId>
 *
 * CRASH_EFFECT_PAUSE_MS=<n> pauses n ms after each side effect (a file write, an append to
 * effects.log) before the tool returns, as slow storage would, so that kills also land between an
 * effect and its recorded result — where resume must find the effect done instead of repeating it.
 *
 * stdout: every event as one JSON line as it happens (pipes are written synchronously on Linux, so
 * a line the parent sees was written before the child went on), then one final line
 * `{"result":{runId,status,error,messages}}`. Exit 0 when the run completed, 1 otherwise, 2 on bad
 * arguments.
 */
import { createDeepAgent } from '../../src/core/agent/createDeepAgent';
import { FilesystemBackend } from '../../src/core/backends/filesystem';
import { FileCheckpointStore } from '../../src/core/checkpoint/fileStore';
import { CheckpointManager } from '../../src/core/checkpoint/manager';
import { runWithCheckpointing } from '../../src/core/launch/runWithCheckpointing';
import { OpenAICompatibleModel } from '../../src/core/model/openai';
import { appendLogTool, taskPrompt } from './checkpointTask';

async function main(argv: string[]): Promise<number> {
  const [url, workspace, checkpointDir, mode, runId] = argv;
  if (!url || !workspace || !checkpointDir || !(mode === 'start' || (mode === 'resume' && runId))) {
    process.stderr.write('crashChild: usage: crashChild <serverUrl> <workspace> <checkpointDir> start | resume <runId>\n');
    return 2;
  }
  const pauseMs = Number(process.env.CRASH_EFFECT_PAUSE_MS ?? 0);
  const model = new OpenAICompatibleModel({ baseURL: url, model: 'scripted-model', apiKey: 'sk-test' });
  const appendLog = appendLogTool(workspace);
  const agent = createDeepAgent({ model, tools: [{ ...appendLog, execute: async (args, ctx) => afterPause(await appendLog.execute(args, ctx), pauseMs) }] });
  const backend = new FilesystemBackend({ root: workspace });
  const writeFile = backend.writeFile.bind(backend);
  backend.writeFile = async (path, content) => afterPause(await writeFile(path, content), pauseMs);
  const manager = new CheckpointManager(new FileCheckpointStore(checkpointDir), { frequency: 'tool_call' });
  const result = await runWithCheckpointing(
    agent,
    taskPrompt,
    { backend, onEvent: (event) => void process.stdout.write(`${JSON.stringify(event)}\n`) },
    manager,
    { resumeFrom: mode === 'resume' ? runId : undefined, onWarning: (message) => void process.stderr.write(`crashChild: warning: ${message}\n`) },
  );
  const { status, error, messages } = result;
  process.stdout.write(`${JSON.stringify({ result: { runId: result.runId, status, error: error?.message, messages } })}\n`);
  return status === 'completed' ? 0 : 1;
}

const afterPause = <T>(value: T, ms: number) => new Promise<T>((resolve) => (ms > 0 ? setTimeout(() => resolve(value), ms) : resolve(value)));

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`crashChild: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
