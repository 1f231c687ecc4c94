/** One CLI run: flags into a RunConfig, the core's startRun, the events shown, an exit code. */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { startRun, type ChatModel, type RunConfig, type RunEvent } from '../core';
import { checkedPrompt, checkpointingHooks, resumeHint, type OpenedResume } from './checkpointing';
import { runMemoryConfig } from './memoryOptions';
import { modelConfigFrom } from './model';
import { ripgrepFrom, UsageError, type RunOptions } from './options';
import { readableView, type ViewStreams } from './view';

export interface CliIO extends ViewStreams {
  env: NodeJS.ProcessEnv;
  /** Aborted on Ctrl-C. */
  signal: AbortSignal;
}

/** The name of the agent every CLI run uses; `--resume latest` looks for its runs. */
export const cliAgentName = 'deep-agent';

/** Checks the task and its flags before a model is picked, so a usage error is reported first. */
export function checkRunOptions(prompt: string | undefined, options: RunOptions, io: CliIO): string {
  const checked = checkedPrompt(prompt, options, io);
  runMemoryConfig(options); // throws on a memory flag that does not check out
  if (!existsSync(options.workspace) || !statSync(options.workspace).isDirectory()) {
    throw new UsageError(`--workspace ${options.workspace} is not a directory`);
  }
  return checked;
}

/** The run the flags describe, as the core's plain configuration. */
function runConfigFrom(prompt: string, options: RunOptions, env: NodeJS.ProcessEnv, model: 'from-flags' | 'given'): RunConfig {
  const skillsDirs = [...options.skills];
  const workspaceSkills = workspaceSkillsDir(options.workspace);
  // A resumed run's recorded skill folders may hold it already.
  if (existsSync(workspaceSkills) && !skillsDirs.includes(workspaceSkills)) skillsDirs.push(workspaceSkills);
  return {
    prompt: prompt || undefined,
    agent: { name: cliAgentName, maxIterations: options.maxIterations ?? 50, ...options.sampling },
    model: model === 'from-flags' ? modelConfigFrom(options, env) : undefined,
    workspace: { root: options.workspace, ripgrep: ripgrepFrom(env), searchTimeoutMs: options.searchTimeout && options.searchTimeout * 1000 },
    skillsDirs,
    budgets: { maxTokens: options.maxTokens, maxCostUsd: options.maxCost, timeoutMs: options.timeout && options.timeout * 1000, mode: options.permissive ? 'permissive' : 'strict' },
    trace: { console: options.traceConsole, jsonl: options.trace, otlp: options.otlp },
    checkpoints: options.checkpointDir ? { location: options.checkpointDir, every: options.checkpointEvery } : undefined,
    resume: options.resume,
    memory: runMemoryConfig(options),
  };
}

/** `model`: one the caller made (the demo's bundled recording); otherwise the flags name it. `resume`: a run already looked up (resume.ts). */
export async function runTask(prompt: string | undefined, options: RunOptions, model: ChatModel | undefined, io: CliIO, resume?: OpenedResume): Promise<number> {
  prompt = checkRunOptions(prompt, options, io);
  const print = options.events ? (e: RunEvent) => void io.out.write(`${JSON.stringify(e)}\n`) : readableView(io);
  const run = startRun(runConfigFrom(prompt, options, io.env, model ? 'given' : 'from-flags'), {
    model,
    env: io.env,
    signal: io.signal,
    traceConsole: { stream: io.err },
    onExporterError: (name, error) => io.err.write(`deep-agent: trace exporter ${name} failed and was turned off: ${String(error)}\n`),
    onWarning: (message) => void io.err.write(`deep-agent: warning: ${message}\n`),
    ...(options.checkpointDir ? checkpointingHooks(options, io, print, resume) : { onEvent: print }),
  });
  const result = await run.result;
  if (result.status === 'completed') return 0;
  const why = run.timedOut ? `timed out after ${options.timeout} s` : (result.error?.message ?? result.status);
  io.err.write(`deep-agent: run ${result.status}: ${why}\n`);
  const hint = options.checkpointDir && resumeHint(result, run.lastCheckpointId, options.checkpointDir);
  if (hint) io.err.write(`deep-agent: ${hint}\n`);
  return result.status === 'cancelled' && io.signal.aborted ? 130 : 1;
}

/** Skills a workspace brings along; every run there uses them. */
export const workspaceSkillsDir = (workspace: string) => join(workspace, '.deep-agent', 'skills');
