/** `deep-agent demo`: the product working on a fresh machine, from a bundled recording. */
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ReplayModel, validateFixture } from '../core';
import demoFixture from './demo/fixture.json';
import { demoModel, demoPrompt, demoRunsDir, writeDemoWorkspace } from './demo/workspace';
import { howToConfigure } from './model';
import { UsageError } from './options';
import { runTask, type CliIO } from './runTask';

export async function runDemo(options: { workspace?: string; events: boolean }, io: CliIO): Promise<number> {
  const workspace = options.workspace ? resolve(options.workspace) : await mkdtemp(join(tmpdir(), 'deep-agent-demo-'));
  if (existsSync(workspace) && readdirSync(workspace).length > 0) {
    throw new UsageError(`--workspace ${workspace} is not empty; the demo needs an empty or new folder`);
  }
  await writeDemoWorkspace(workspace);
  const model = new ReplayModel(validateFixture(demoFixture, 'the bundled demo fixture'), { mode: 'strict', modelName: demoModel });
  const log = options.events ? io.err : io.out;
  log.write(`Replayed demo: the model's answers come from a recording bundled with deep-agent; no model is called.\n`);
  log.write(`Workspace: ${workspace}\nTask: ${demoPrompt}\n\n`);
  // Journaled where VS Code looks for the CLI's runs in a workspace: opened there, it lists this one.
  const checkpointDir = join(workspace, demoRunsDir);
  const code = await runTask(
    demoPrompt,
    { workspace, apiKeyEnv: 'OPENAI_API_KEY', events: options.events, strict: true, skills: [], traceConsole: false, permissive: false, checkpointDir },
    model,
    io,
  );
  if (code === 0) {
    log.write(`\nThe agent wrote ${join(workspace, 'TODO.md')}. The run's journal is in ${checkpointDir}.\n\nTo run your own tasks, configure a model.\n${howToConfigure}\n`);
  }
  return code;
}
