/** createDeepAgent: a model plus planning, file, subagent and skill tools, run by the agent loop. */
import type { RunState } from '../runState';
import { randomIds, systemClock, type IdSource } from '../clock';
import { defaultPrices, findPrice } from '../model/pricing';
import { defaultRetryPolicy } from '../model/retry';
import { fileTools } from '../tools/files';
import type { AnyTool } from '../tools/types';
import { RunEmitter, fanOut } from './emitter';
import { runSettingsOf } from './recordSettings';
import { emitterRestoreOf } from './resume';
import { executeRun } from './run';
import { discoverSkills, loadSkillTool, type Skill } from './skills';
import { generalPurposeSubagent, taskTool } from './subagents';
import { readTodosTool, writeTodosTool } from './todos';
import { childRunId } from '../runState';
import type { ChildRunner, DeepAgentDeps, DeepAgentOptions, RunResult, SubagentConfig } from './types';

export interface DeepAgent {
  readonly name: string;
  readonly options: Readonly<DeepAgentOptions>;
  /** Runs to the end. Resolves with the result when the run completes; rejects with the error otherwise. */
  run(prompt: string, deps: DeepAgentDeps): Promise<RunResult>;
  /** Runs to the end and resolves with the result whatever the outcome (see `status` and `error`). */
  execute(prompt: string, deps: DeepAgentDeps): Promise<RunResult>;
}

export function createDeepAgent(options: DeepAgentOptions): DeepAgent {
  const name = options.name ?? 'deep-agent';
  if (options.maxIterations !== undefined && !(Number.isInteger(options.maxIterations) && options.maxIterations > 0)) {
    throw new RangeError(`createDeepAgent: maxIterations must be a positive whole number, got ${options.maxIterations}`);
  }
  const execute = (prompt: string, deps: DeepAgentDeps) => startRun(name, options, prompt, deps);
  return {
    name,
    options,
    execute,
    async run(prompt, deps) {
      const result = await execute(prompt, deps);
      if (result.status !== 'completed') throw result.error ?? new Error(`run ${result.status}`);
      return result;
    },
  };
}

async function startRun(name: string, options: DeepAgentOptions, prompt: string, deps: DeepAgentDeps): Promise<RunResult> {
  const clock = deps.clock ?? systemClock;
  const resume = deps.persistence?.resume;
  const ids = resume ? unusedIn(resume, deps.ids ?? randomIds) : (deps.ids ?? randomIds);
  // The journal hears each event first: nothing reaches a listener that a crash could lose.
  const sink = fanOut([deps.persistence?.journal.append.bind(deps.persistence.journal), deps.tracer?.onEvent, deps.onEvent]);
  const { parent } = deps;
  const runId = resume?.runId ?? deps.runId ?? (parent ? childRunId(parent.runId, parent.link) : ids());
  const emitter = new RunEmitter(runId, undefined, sink, clock, resume && emitterRestoreOf(resume), parent?.runId);
  // What a child run of this run inherits: everything but the journal (a child has its own), the identity and the conversation.
  const { persistence: _journal, runId: _id, parent: _parent, history: _history, ...inherited } = deps;
  const childRunner = deps.childRunner ?? runChildInMemory;
  const { skills, problems } = await discoverSkills(deps.skillsDirs ?? []);
  const subagents: SubagentConfig[] = [
    ...(options.generalPurposeSubagent === false ? [] : [generalPurposeSubagent]),
    ...(options.subagents ?? []),
    ...(deps.subagents ?? []),
  ];
  const prices = { ...defaultPrices, ...options.prices };
  return executeRun(
    {
      agentName: name,
      model: options.model,
      instructions: options.instructions,
      tools: assembleTools([...(deps.memory?.tools ?? []), ...(options.tools ?? [])], subagents, skills),
      subagents,
      skills,
      maxIterations: options.maxIterations ?? 50,
      temperature: options.temperature,
      maxTokens: options.maxTokens,
      prices: (model) => findPrice(model, prices),
      retry: { ...defaultRetryPolicy, ...options.retry },
      backend: deps.backend,
      workingDir: deps.workingDir,
      guardrails: deps.guardrails,
      approvals: deps.approvals,
      signal: deps.signal ?? new AbortController().signal,
      random: deps.random ?? Math.random,
      ids,
      emitter,
      root: emitter,
      depth: parent ? parent.depth + 1 : 0,
      parent: parent?.link,
      startChild: (spec, at) => childRunner(at, spec, inherited),
      history: deps.history ?? [],
      settings: runSettingsOf(options, deps),
      // Unusable skill folders are reported but do not stop the run.
      warnings: problems.map((message) => ({ message, code: 'skill_invalid' })),
      persistence: deps.persistence,
      memory: deps.memory,
      resume,
    },
    prompt,
  );
}

/** A child run without a journal: it runs as it is, every time. */
const runChildInMemory: ChildRunner = (parent, spec, inherited) =>
  spec.agent.execute(spec.prompt, { ...inherited, ...spec.deps, parent: { ...parent, link: spec.link } });

/** A resumed run's new subagents must not take an id its journal already has (a fresh sequential source would). */
function unusedIn(state: RunState, ids: IdSource): IdSource {
  const used = new Set<string>();
  const collect = (run: RunState) => {
    used.add(run.runId);
    for (const sub of run.subagents.values()) collect(sub);
  };
  collect(state);
  return () => {
    let id = ids();
    while (used.has(id)) id = ids();
    used.add(id);
    return id;
  };
}

function assembleTools(extra: AnyTool[], subagents: SubagentConfig[], skills: Skill[]): AnyTool[] {
  const tools: AnyTool[] = [writeTodosTool, readTodosTool, ...fileTools()];
  if (subagents.length) tools.push(taskTool);
  if (skills.length) tools.push(loadSkillTool);
  for (const tool of extra) {
    const at = tools.findIndex((t) => t.name === tool.name);
    // A user tool with a built-in's name replaces the built-in.
    if (at >= 0) tools[at] = tool;
    else tools.push(tool);
  }
  return tools;
}
