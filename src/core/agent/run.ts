/**
 * The loop of one run: model call → stream → tool calls → results back → until a final answer,
 * a limit, an error or a cancel. Subagent runs use the same loop one level down.
 */
import type { FileBackend } from '../backends/types';
import type { ModelPrice } from '../model/pricing';
import type { RetryPolicy } from '../model/retry';
import type { ChatMessage, ChatModel, ChatRequest } from '../model/types';
import { ToolError, toolSpec, type AnyTool, type Todo, type ToolServices } from '../tools/types';
import type { RunEmitter } from './emitter';
import { errorCode, errorMessage, isAbort, isReported, markReported, RunCancelledError } from './errors';
import { GateKeeper } from './gates';
import type { GuardrailManager } from '../guardrails/manager';
import { callModel } from './modelCall';
import { systemPrompt } from './prompt';
import { readSkill, type Skill } from './skills';
import { runToolCalls, type ToolRunContext } from './toolRunner';
import type { RunPersistence } from '../persistence';
import type { Approvals, ChildRunSpec, ParentRun, RunMemory, RunResult, SubagentConfig } from './types';
import type { CheckpointReason, ParentLink, RunStatus } from '../events';
import type { RunState } from '../runState';
import { emitterRestoreOf, recoverInterrupted } from './resume';
import type { IdSource } from '../clock';
import type { RunSettings } from '../runSettings';

/** Everything one run (top-level or subagent) needs, resolved. */
export interface RunSetup {
  agentName: string;
  model: ChatModel;
  instructions?: string;
  tools: AnyTool[];
  subagents: SubagentConfig[];
  skills: Skill[];
  maxIterations: number;
  temperature?: number;
  maxTokens?: number;
  prices: (model: string) => ModelPrice | undefined;
  retry: RetryPolicy;
  backend: FileBackend;
  workingDir?: string;
  guardrails?: GuardrailManager;
  approvals?: Approvals;
  signal: AbortSignal;
  random: () => number;
  ids: IdSource;
  emitter: RunEmitter;
  root: RunEmitter;
  depth: number;
  parentToolCallId?: string;
  /** What in the parent started this run (subagents and child runs). */
  parent?: ParentLink;
  /** Starts a child run of this run, journaled on its own. */
  startChild: (spec: ChildRunSpec, parent: ParentRun) => Promise<RunResult>;
  history: ChatMessage[];
  /** Recorded in `run_start` (top-level runs). */
  settings?: RunSettings;
  /** Reported as non-fatal `error` events right after `run_start`. */
  warnings?: { message: string; code: string }[];
  persistence?: RunPersistence;
  /** Recalls before the first step and keeps the interaction at the end (top-level runs only). */
  memory?: RunMemory;
  /** Set when this run goes on from its journal (the emitter is restored to match). */
  resume?: RunState;
}

export async function executeRun(setup: RunSetup, prompt: string): Promise<RunResult> {
  const { emitter } = setup;
  const toolsByName = new Map(setup.tools.map((t) => [t.name, t]));
  const gates = new GateKeeper(emitter, setup.root, setup.guardrails, setup.agentName, setup.maxIterations);
  const { resume } = setup;
  let todos: Todo[] = resume?.todos ?? [];
  const services: ToolServices = {
    readTodos: () => todos,
    writeTodos: (next) => void (todos = next),
    listSubagents: () => setup.subagents.map(({ name, description }) => ({ name, description })),
    runSubagent: (name, task, toolCallId) => runSubagent(setup, name, task, toolCallId),
    startChildRun: (spec) => setup.startChild(spec, { runId: emitter.runId, depth: setup.depth }),
    emitMemoryEvent: (event) => void emitter.emit(event.type, event.data),
    loadSkill: (name, file) => {
      const skill = setup.skills.find((s) => s.name === name);
      if (!skill) throw new ToolError(`unknown skill "${name}"; available: ${setup.skills.map((s) => s.name).join(', ') || 'none'}`);
      return readSkill(skill, file);
    },
  };
  const system = systemPrompt({
    agentName: setup.agentName,
    workingDir: setup.workingDir,
    instructions: setup.instructions,
    toolNames: new Set(toolsByName.keys()),
    subagents: setup.subagents,
    skills: setup.skills,
  });
  const history = resume ? resume.history : setup.history;
  if (resume) prompt = resume.prompt;
  const messages: ChatMessage[] = [{ role: 'system', content: withRecalled(system, resume?.recalledContext) }, ...history, { role: 'user', content: prompt }, ...(resume?.messages ?? [])];
  const remembers = setup.memory && setup.depth === 0 && !setup.parent ? setup.memory : undefined;
  const specs = setup.tools.map(toolSpec);

  let status: RunStatus = 'completed';
  let output = '';
  let failure: Error | undefined;
  let step = resume?.step ?? 0;
  let pending = resume?.pending;
  let resumedCalls: ToolRunContext['resumed'];
  const checkpoint = (reason: CheckpointReason) => takeCheckpoint(setup, reason, step);
  // After every step, the final one too, so the last progress agrees with run_end's step count.
  const reportProgress = (at: number) => {
    const { totals } = emitter;
    emitter.emit('progress', { step: at, iteration: totals.modelCalls, maxIterations: setup.maxIterations, usage: totals.usage, costUsd: totals.costUsd });
  };
  try {
    if (resume) {
      const recoveries = pending ? await recoverInterrupted(setup, toolsByName, pending) : new Map();
      emitter.emit('run_resumed', {
        agentName: setup.agentName,
        model: setup.model.modelName,
        maxIterations: setup.maxIterations,
        depth: setup.depth,
        parentToolCallId: setup.parentToolCallId,
        ...(setup.parent ? { parent: setup.parent } : {}),
        fromSeq: resume.lastSeq,
        step: pending?.step ?? step + 1,
        interruptedToolCalls: [...recoveries].map(([toolCallId, r]) => ({ toolCallId, name: pending!.answer.toolCalls.find((c) => c.id === toolCallId)!.name, outcome: r.outcome })),
        ...(setup.settings ? { settings: setup.settings } : {}),
      });
      if (pending) resumedCalls = { results: pending.results, recoveries };
    } else {
      emitter.emit('run_start', {
        agentName: setup.agentName,
        prompt,
        model: setup.model.modelName,
        maxIterations: setup.maxIterations,
        depth: setup.depth,
        parentToolCallId: setup.parentToolCallId,
        ...(setup.parent ? { parent: setup.parent } : {}),
        ...(history.length ? { history } : {}),
        ...(setup.settings ? { settings: setup.settings } : {}),
      });
      for (const w of setup.warnings ?? []) emitter.emit('error', { ...w, fatal: false });
      if (remembers) messages[0]!.content = withRecalled(system, await recall(remembers, prompt, setup));
    }
    // Stopped after the final answer's step ended but before run_end: the answer stands, no model call.
    const finalAnswer = !pending && resume ? finishedAnswer(resume) : undefined;
    if (finalAnswer !== undefined) output = finalAnswer;
    else for (;;) {
      let answer;
      if (pending) {
        // The step the run stopped in: its model answer is recorded, so only its tool calls are left.
        ({ answer, step } = pending);
        pending = undefined;
      } else {
        resumedCalls = undefined;
        if (setup.signal.aborted) throw new RunCancelledError();
        await gates.beforeModelCall();
        step++;
        emitter.emit('step_start', { step });
        const request: ChatRequest = {
          model: setup.model.modelName,
          messages: [...messages],
          tools: specs.length ? specs : undefined,
          temperature: setup.temperature,
          maxTokens: setup.maxTokens,
        };
        answer = await callModel(
          { model: setup.model, price: setup.prices(setup.model.modelName), retry: setup.retry, emitter, signal: setup.signal, random: setup.random },
          request,
          step,
        );
        checkpoint('iteration');
        if (answer.text && answer.toolCalls.length) emitter.emit('partial_result', { step, text: answer.text });
      }
      messages.push({ role: 'assistant', content: answer.text || null, toolCalls: answer.toolCalls.length ? answer.toolCalls : undefined });

      if (answer.toolCalls.length === 0) {
        if (answer.finishReason === 'length') {
          emitter.emit('error', { message: 'the model hit its output token limit; the answer may be cut off', code: 'model_output_truncated', fatal: false });
        }
        await gates.finalOutput(answer.text);
        output = answer.text;
        reportProgress(step);
        emitter.emit('step_end', { step, usage: answer.usage, costUsd: answer.costUsd, toolCalls: 0 });
        checkpoint('step');
        break;
      }
      const results = await runToolCalls(
        {
          tools: toolsByName,
          emitter,
          backend: setup.backend,
          signal: setup.signal,
          services,
          gates,
          approvals: setup.approvals,
          barrier: setup.persistence?.journal.flush,
          afterToolCall: () => checkpoint('tool_call'),
          resumed: resumedCalls,
        },
        answer.toolCalls,
        step,
      );
      messages.push(...results);
      reportProgress(step);
      emitter.emit('step_end', { step, usage: answer.usage, costUsd: answer.costUsd, toolCalls: answer.toolCalls.length });
      checkpoint('step');
    }
  } catch (error) {
    failure = error instanceof Error ? error : new Error(String(error));
    if (isAbort(error, setup.signal)) {
      status = 'cancelled';
      failure = error instanceof RunCancelledError ? error : new RunCancelledError();
    } else {
      status = gates.isFatal(error) ? 'stopped' : 'failed';
      // Model errors were already reported by the model call; report the rest once here.
      if (!isReported(error)) {
        emitter.emit('error', { message: errorMessage(error), code: errorCode(error), fatal: true });
        markReported(error);
      }
    }
  }

  if (remembers?.storeInteraction && status === 'completed') await storeInteraction(remembers.storeInteraction.bind(remembers), prompt, output, setup);
  const { totals } = emitter;
  emitter.emit('run_end', {
    status,
    output: status === 'completed' ? output : undefined,
    error: failure?.message,
    usage: totals.usage,
    costUsd: totals.costUsd,
    steps: step,
    durationMs: emitter.elapsedMs(),
  });
  return { runId: emitter.runId, status, output, error: failure, usage: totals.usage, costUsd: totals.costUsd, steps: step, messages: messages.slice(1), todos };
}

const withRecalled = (system: string, recalled: string | undefined) => (recalled ? `${system}\n\n${recalled}` : system);

/** Memories for the prompt, journaled as memory_recall; memory that fails is reported and the run goes on without it. */
async function recall(memory: RunMemory, prompt: string, setup: RunSetup): Promise<string | undefined> {
  try {
    const recalled = await memory.recall(prompt, setup.signal);
    if (!recalled) return undefined;
    setup.emitter.emit('memory_recall', { source: 'injection', ...recalled });
    return recalled.context;
  } catch (error) {
    if (isAbort(error, setup.signal)) throw error;
    setup.emitter.emit('error', { message: `memory: nothing recalled: ${errorMessage(error)}`, code: 'memory_failed', fatal: false });
    return undefined;
  }
}

async function storeInteraction(store: NonNullable<RunMemory['storeInteraction']>, prompt: string, output: string, setup: RunSetup): Promise<void> {
  try {
    const stored = await store(prompt, output, setup.emitter.runId);
    if (stored) setup.emitter.emit('memory_store', stored);
  } catch (error) {
    setup.emitter.emit('error', { message: `memory: the interaction was not kept: ${errorMessage(error)}`, code: 'memory_failed', fatal: false });
  }
}

function finishedAnswer(state: RunState): string | undefined {
  const last = state.messages.at(-1);
  return last?.role === 'assistant' && !last.toolCalls?.length ? (last.content ?? '') : undefined;
}

/** Checkpoints of a journal's own run (not its subagents), at the boundaries its frequency names or when one was asked for. */
function takeCheckpoint(setup: RunSetup, reason: CheckpointReason, step: number): void {
  const persistence = setup.persistence;
  if (!persistence || setup.emitter !== setup.root) return;
  const label = persistence.takeManualRequest?.();
  if (label === undefined && reason !== persistence.frequency) return;
  const { emitter } = setup;
  emitter.emit('checkpoint', {
    checkpointId: `${emitter.runId}@${emitter.nextSeq}`,
    reason: label === undefined ? reason : 'manual',
    step,
    iteration: emitter.totals.modelCalls,
    totalTokens: emitter.totals.usage.totalTokens,
    costUsd: emitter.totals.costUsd,
    ...(label ? { label } : {}),
  });
}

async function runSubagent(parent: RunSetup, name: string, task: string, toolCallId: string): Promise<string> {
  const config = parent.subagents.find((s) => s.name === name);
  if (!config) throw new ToolError(`unknown subagent "${name}"`);
  const tools = parent.tools.filter((t) => (config.tools ? config.tools.includes(t.name) : t.name !== 'task'));
  // A subagent that was running when the process stopped goes on from its own journal.
  const prior = parent.resume?.subagents.get(toolCallId);
  if (prior?.ended?.status === 'completed') return prior.ended.output || '(the subagent finished without a report)';
  const resume = prior && !prior.ended ? prior : undefined;
  const emitter = resume ? parent.emitter.child(resume.runId, emitterRestoreOf(resume)) : parent.emitter.child(parent.ids());
  const result = await executeRun(
    {
      ...parent,
      agentName: config.name,
      model: config.model ?? parent.model,
      instructions: config.instructions,
      tools,
      // A subagent cannot delegate further unless it was given the task tool explicitly.
      subagents: tools.some((t) => t.name === 'task') ? parent.subagents : [],
      maxIterations: config.maxIterations ?? parent.maxIterations,
      emitter,
      depth: parent.depth + 1,
      parentToolCallId: toolCallId,
      parent: { kind: 'tool_call', id: toolCallId },
      history: [],
      settings: undefined,
      warnings: [],
      resume,
    },
    task,
  );
  if (result.status === 'completed') return result.output || '(the subagent finished without a report)';
  // Cancels and hard limits stop the whole tree; other failures are the parent model's to handle.
  if (result.status === 'cancelled' || result.status === 'stopped') throw result.error;
  throw new ToolError(`subagent "${name}" failed: ${result.error?.message ?? 'unknown error'}`);
}
