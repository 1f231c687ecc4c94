/** One CLI run: builds the agent, backend, guardrails and tracer from options, runs, reports. */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createDeepAgent } from '../core/agent/createDeepAgent';
import { FilesystemBackend } from '../core/backends/filesystem';
import type { RunResult } from '../core/agent/types';
import type { RunEvent } from '../core/events';
import { createGuardrailManager } from '../core/guardrails/presets';
import type { ChatModel } from '../core/model/types';
import { ConsoleTraceExporter } from '../core/tracing/exporters/console';
import { JsonlTraceExporter } from '../core/tracing/exporters/jsonl';
import { createOtelTraceExporter } from '../core/tracing/exporters/otelLazy';
import { Tracer } from '../core/tracing/tracer';
import type { TraceExporter } from '../core/tracing/types';
import { checkedPrompt, resumeHint, runCheckpointed, type OpenedResume } from './checkpointing';
import { ripgrepFrom, UsageError, type RunOptions } from './options';
import { readableView, type ViewStreams } from './view';

export interface CliIO extends ViewStreams {
  env: NodeJS.ProcessEnv;
  /** Aborted on Ctrl-C. */
  signal: AbortSignal;
}

/** The name of the agent every CLI run uses; `--resume latest` looks for its runs. */
export const cliAgentName = 'deep-agent';

/** The agent every CLI run uses, so a recorded run replays against the same prompt and tools. */
export const cliAgent = (model: ChatModel, options: Pick<RunOptions, 'maxIterations' | 'sampling'>) =>
  createDeepAgent({ name: cliAgentName, model, maxIterations: options.maxIterations ?? 50, ...options.sampling });

/** Checks the task and its flags before a model is picked, so a usage error is reported first. */
export function checkRunOptions(prompt: string | undefined, options: RunOptions, io: CliIO): string {
  const checked = checkedPrompt(prompt, options, io);
  if (!existsSync(options.workspace) || !statSync(options.workspace).isDirectory()) {
    throw new UsageError(`--workspace ${options.workspace} is not a directory`);
  }
  return checked;
}

/** `resume`: the run to go on with, found in an open store (see resume.ts). */
export async function runTask(prompt: string | undefined, options: RunOptions, model: ChatModel, io: CliIO, resume?: OpenedResume): Promise<number> {
  prompt = checkRunOptions(prompt, options, io);
  const search = { ripgrep: ripgrepFrom(io.env), timeoutMs: options.searchTimeout && options.searchTimeout * 1000 };
  const guardrails = createGuardrailManager({
    maxTokens: options.maxTokens,
    maxCostUsd: options.maxCost,
    timeoutMs: options.timeout && options.timeout * 1000,
    mode: options.permissive ? 'permissive' : 'strict',
  });
  const tracer = await tracerFor(options, io);
  const skillsDirs = [...options.skills];
  const workspaceSkills = workspaceSkillsDir(options.workspace);
  // A resumed run's recorded skill folders may hold it already.
  if (existsSync(workspaceSkills) && !skillsDirs.includes(workspaceSkills)) skillsDirs.push(workspaceSkills);

  // A hard stop for --timeout too: a model call that hangs never reaches the next guardrail gate.
  const timeout = options.timeout ? AbortSignal.timeout(options.timeout * 1000 + 2000) : undefined;
  const signal = timeout ? AbortSignal.any([io.signal, timeout]) : io.signal;
  const print = options.events ? (e: RunEvent) => void io.out.write(`${JSON.stringify(e)}\n`) : readableView(io);

  const agent = cliAgent(model, options);
  const deps = { backend: new FilesystemBackend({ root: options.workspace, search }), skillsDirs, guardrails, tracer, signal, onEvent: print };
  let result: RunResult;
  let hint: string | undefined;
  try {
    if (options.checkpointDir) {
      const run = await runCheckpointed(agent, prompt, deps, options, io, resume);
      result = run.result;
      hint = resumeHint(run, options.checkpointDir);
    } else {
      result = await agent.execute(prompt, deps);
    }
  } finally {
    await tracer?.shutdown();
  }

  if (result.status === 'completed') return 0;
  const why = timeout?.aborted ? `timed out after ${options.timeout} s` : result.error?.message ?? result.status;
  io.err.write(`deep-agent: run ${result.status}: ${why}\n`);
  if (hint) io.err.write(`deep-agent: ${hint}\n`);
  return result.status === 'cancelled' && io.signal.aborted ? 130 : 1;
}

/** Skills a workspace brings along; every run there uses them. */
export const workspaceSkillsDir = (workspace: string) => join(workspace, '.deep-agent', 'skills');

async function tracerFor(options: RunOptions, io: CliIO): Promise<Tracer | undefined> {
  const exporters: TraceExporter[] = [];
  if (options.traceConsole) exporters.push(new ConsoleTraceExporter({ stream: io.err }));
  if (options.trace) exporters.push(new JsonlTraceExporter({ path: options.trace }));
  if (options.otlp) exporters.push(await createOtelTraceExporter({ url: options.otlp }));
  if (exporters.length === 0) return undefined;
  return new Tracer({ exporters, onExporterError: (name, error) => io.err.write(`deep-agent: trace exporter ${name} failed and was turned off: ${String(error)}\n`) });
}
