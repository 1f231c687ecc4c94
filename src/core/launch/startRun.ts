/**
 * startRun: the one assembler both shells start runs with (ARCHITECTURE.md). A plain RunConfig
 * in — endpoint and model, workspace, budgets, trace exporters, checkpoint store, approval policy —
 * and a started run out: its events, its result and a way to stop it. What only a shell has (a model
 * the editor provides, a key from its secret storage, the user's answers) comes in RunHooks.
 */
import { createDeepAgent } from '../agent/createDeepAgent';
import type { Approvals, RunResult } from '../agent/types';
import { FilesystemBackend } from '../backends/filesystem';
import type { FileBackend } from '../backends/types';
import type { IdSource } from '../clock';
import { CheckpointManager, type ResumePoint } from '../checkpoint/manager';
import type { RunEvent, RunEventListener } from '../events';
import { createGuardrailManager } from '../guardrails/presets';
import type { ChatModel } from '../model/types';
import type { RunPersistence } from '../persistence';
import type { AnyTool } from '../tools/types';
import { checkpointStore } from './checkpointLocation';
import { EventQueue } from '../eventQueue';
import { modelFrom } from './model';
import { parseRunConfig, RunConfigError, type RunConfig } from './runConfig';
import { runWithCheckpointing } from './runWithCheckpointing';
import { tracerFor, type TracerHooks } from './tracer';
import type { MemoryManager } from '../memory/manager';
import { openMemory } from '../memory/open';
import { runMemory } from '../memory/runMemory';

export interface RunHooks extends TracerHooks {
  /** A model the shell made (VS Code's language models); otherwise `config.model` names one. */
  model?: ChatModel;
  /** The key for `config.model`, from a secret store; otherwise read from `model.apiKeyEnv` in `env`. */
  apiKey?: string;
  /** Where API key variables are read (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Tools besides the built-in ones (a tool named like a built-in replaces it). */
  tools?: AnyTool[];
  /** The file backend (VS Code's workspace folders); otherwise `config.workspace` on disk. */
  backend?: FileBackend;
  /** An open checkpoint manager the shell keeps across runs; otherwise `config.checkpoints` opens a store for this run. */
  checkpoints?: CheckpointManager;
  /** A resume point the shell has already looked up (with `checkpoints`), instead of `config.resume`. */
  resumePoint?: ResumePoint;
  /** Asks the user about a tool call the approval policy names. */
  approve?: Approvals['decide'];
  /** A side-effecting call cut off by a crash: run it again, or tell the model (default). */
  decideInterrupted?: RunPersistence['decideInterrupted'];
  /** Damage that was skipped, e.g. unreadable journal lines. */
  onWarning?: (message: string) => void;
  /** Every event, subagents' and child runs' included, as it happens. */
  onEvent?: RunEventListener;
  /** Aborting it cancels the run, like `stop()`. */
  signal?: AbortSignal;
  ids?: IdSource;
  /** An open memory the shell keeps across runs (used with `config.memory`'s inject and maxTokens); otherwise `config.memory` opens one for this run. */
  memory?: MemoryManager;
}

/** A run that has started. Iterate it right away to get every event (events before the first iteration are not kept). */
export interface StartedRun extends AsyncIterable<RunEvent> {
  /** Settles when the run ends, with its status; rejects only when it could not start (a store, a resume point). */
  readonly result: Promise<RunResult>;
  /** Cancels the run (status `cancelled`; with checkpoints it can be resumed). */
  stop(): void;
  /** True when `budgets.timeoutMs` ran out and the run was stopped for it. */
  readonly timedOut: boolean;
  /** The last checkpoint the run took, when it is journaled. */
  readonly lastCheckpointId: string | undefined;
}

/** Grace after `budgets.timeoutMs` before a model call that hangs is aborted (the guardrail stops the run at its next gate). */
const HARD_STOP_GRACE_MS = 2000;

export function startRun(config: RunConfig, hooks: RunHooks = {}): StartedRun {
  const c = parseRunConfig(config);
  const resuming = c.resume !== undefined || hooks.resumePoint !== undefined;
  if (!resuming && c.prompt === undefined) throw new RunConfigError('run config: prompt is missing (or resume, to go on with a run)');
  if (resuming && !c.checkpoints && !hooks.checkpoints) throw new RunConfigError('run config: resume needs checkpoints, where the run was journaled');
  if (!hooks.backend && !c.workspace) throw new RunConfigError('run config: workspace is missing (the folder the file tools work in)');

  const model = hooks.model ?? modelFrom(c.model, hooks.env ?? process.env, hooks.apiKey);
  const backend = hooks.backend ?? new FilesystemBackend({ root: c.workspace!.root, search: { ripgrep: c.workspace!.ripgrep, timeoutMs: c.workspace!.searchTimeoutMs } });
  const guardrails = createGuardrailManager({ maxTokens: c.budgets?.maxTokens, maxCostUsd: c.budgets?.maxCostUsd, timeoutMs: c.budgets?.timeoutMs, mode: c.budgets?.mode });
  const agent = createDeepAgent({ name: c.agent?.name, model, instructions: c.agent?.instructions, maxIterations: c.agent?.maxIterations, temperature: c.agent?.temperature, maxTokens: c.agent?.maxTokens, tools: hooks.tools });
  const approvals: Approvals | undefined = c.approvals && c.approvals !== 'auto' && hooks.approve ? { policy: c.approvals, decide: hooks.approve } : undefined;

  const stopper = new AbortController();
  // A hard stop for the time budget too: a model call that hangs never reaches the next guardrail gate.
  const timeout = c.budgets?.timeoutMs ? AbortSignal.timeout(c.budgets.timeoutMs + HARD_STOP_GRACE_MS) : undefined;
  const signal = AbortSignal.any([stopper.signal, ...(hooks.signal ? [hooks.signal] : []), ...(timeout ? [timeout] : [])]);
  let queue: EventQueue | undefined;
  const onEvent: RunEventListener = hooks.onEvent ? (e) => (hooks.onEvent!(e), queue?.push(e)) : (e) => queue?.push(e);
  const manager = hooks.checkpoints ?? (c.checkpoints && new CheckpointManager(checkpointStore(c.checkpoints.location), { frequency: c.checkpoints.every ?? 'tool_call' }));

  const run = async (): Promise<RunResult> => {
    let tracer: Awaited<ReturnType<typeof tracerFor>>;
    let opened: MemoryManager | undefined;
    try {
      tracer = await tracerFor(c.trace, hooks);
      if (!hooks.memory && c.memory) opened = await openMemory(c.memory, { env: hooks.env, onWarning: hooks.onWarning });
      const memoryManager = hooks.memory ?? opened;
      const memory = memoryManager && runMemory(memoryManager, { inject: c.memory?.inject, maxTokens: c.memory?.maxTokens });
      const deps = { backend, skillsDirs: c.skillsDirs, guardrails, tracer, approvals, signal, onEvent, history: c.history, ids: hooks.ids, memory };
      if (!manager) return await agent.execute(c.prompt!, deps);
      const point = hooks.resumePoint ?? (c.resume ? await manager.resumePoint(c.resume, { agentName: agent.name, ids: hooks.ids }) : undefined);
      // The tracer follows runs from their run_start: a resumed run's span goes on from its original start.
      if (point?.start && tracer) tracer.onEvent(point.start);
      return await runWithCheckpointing(agent, c.prompt ?? '', deps, manager, {
        resumeFrom: point,
        decideInterrupted: hooks.decideInterrupted,
        onWarning: hooks.onWarning,
      });
    } finally {
      await opened?.close();
      await tracer?.shutdown();
      if (manager && !hooks.checkpoints) await manager.store.close();
    }
  };
  let ended = false;
  const result = run().finally(() => {
    ended = true;
    queue?.close();
  });
  return {
    result,
    stop: () => stopper.abort(),
    get timedOut() {
      return timeout?.aborted ?? false;
    },
    get lastCheckpointId() {
      return manager?.lastCheckpointId;
    },
    [Symbol.asyncIterator]: () => {
      if (!queue) {
        queue = new EventQueue();
        if (ended) queue.close();
      }
      return queue.iterator(() => stopper.abort());
    },
  };
}
