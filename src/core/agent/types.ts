/** The public shapes of a deep agent: what you build it with, what a run needs, what it returns. */
import type { FileBackend } from '../backends/types';
import type { Clock, IdSource } from '../clock';
import type { ParentLink, RunEventData, RunEventListener, RunStatus, Usage } from '../events';
import type { DeepAgent } from './createDeepAgent';
import type { RunPersistence } from '../persistence';
import type { GuardrailManager } from '../guardrails/manager';
import type { PriceTable } from '../model/pricing';
import type { RetryPolicy } from '../model/retry';
import type { ChatMessage, ChatModel } from '../model/types';
import type { AnyTool, FileChange, Todo } from '../tools/types';

export interface SubagentConfig {
  name: string;
  /** Shown to the parent model so it knows when to delegate. */
  description: string;
  instructions: string;
  /** Names of the tools it may use (default: all of the parent's except `task`). */
  tools?: string[];
  /** Default: the parent's model. */
  model?: ChatModel;
  maxIterations?: number;
}

export interface DeepAgentOptions {
  model: ChatModel;
  /** Shown in events, traces and the UI (default "deep-agent"). */
  name?: string;
  /** Added to the built-in deep-agent system prompt. */
  instructions?: string;
  /** Extra tools besides the built-in planning, file, subagent and skill tools. */
  tools?: AnyTool[];
  subagents?: SubagentConfig[];
  /** The general-purpose subagent is on unless this is false. */
  generalPurposeSubagent?: boolean;
  /** Model calls per run before it stops (default 50). */
  maxIterations?: number;
  temperature?: number;
  maxTokens?: number;
  /** Merged over the default price table. */
  prices?: PriceTable;
  retry?: Partial<RetryPolicy>;
}

export type ApprovalPolicy = 'always-ask' | 'ask-for-writes' | 'auto';

export interface ApprovalRequest {
  runId: string;
  toolCallId: string;
  toolName: string;
  args: unknown;
  /** For file writes and edits: the content before and after. */
  change?: FileChange;
  signal: AbortSignal;
}

export interface ApprovalDecision {
  approved: boolean;
  /** Told to the model when the call is rejected. */
  reason?: string;
}

export interface Approvals {
  policy: ApprovalPolicy;
  decide(request: ApprovalRequest): Promise<ApprovalDecision>;
}

export interface TraceSink {
  onEvent: RunEventListener;
}

export interface DeepAgentDeps {
  backend: FileBackend;
  /** Shown to the model as where it works, e.g. the project folder's name (default: nothing). */
  workingDir?: string;
  /** Directories on disk holding skills (folders with a SKILL.md). */
  skillsDirs?: string[];
  /** Subagents for this run, in addition to the agent's own. */
  subagents?: SubagentConfig[];
  /** Receives every event of the run (a Tracer). */
  tracer?: TraceSink;
  guardrails?: GuardrailManager;
  /** Who approves tool calls, and which (default: none are asked about). */
  approvals?: Approvals;
  signal?: AbortSignal;
  /** Receives every event of the run, subagents included. */
  onEvent?: RunEventListener;
  /** Earlier messages of the conversation (follow-ups), after the system prompt. */
  history?: ChatMessage[];
  clock?: Clock;
  ids?: IdSource;
  /** For retry jitter; inject for exact replays. */
  random?: () => number;
  /** The new run's id (default: from `ids`). */
  runId?: string;
  /** Journal, checkpoints and resume; set by runWithCheckpointing. */
  persistence?: RunPersistence;
  /** Set when this run is a child of another run, journaled on its own (see ChildRunSpec). */
  parent?: ParentRun & { link: ParentLink };
  /** How this run starts child runs (default: in memory, without a journal; runWithCheckpointing journals them). */
  childRunner?: ChildRunner;
  /** Long-term memory: recalled into the prompt before the first step, and its tools offered (see memory/runMemory.ts). */
  memory?: RunMemory;
}

/** What a run needs of memory; the loop knows nothing else of it. Only top-level runs recall and store interactions. */
export interface RunMemory {
  /** Memories for the prompt, as the block the system prompt gets; undefined when nothing relevant is kept. */
  recall(prompt: string, signal: AbortSignal): Promise<Omit<RunEventData['memory_recall'], 'source' | 'toolCallId'> | undefined>;
  /** Keeps a completed run's prompt and answer (when interactions are stored); what was stored, if anything. */
  storeInteraction?(prompt: string, output: string, runId: string): Promise<RunEventData['memory_store'] | undefined>;
  /** remember, recall, forget: offered to the model exactly when memory is on. */
  tools: AnyTool[];
}

/**
 * A child run of a run, journaled on its own and linked to its parent: a task of a graph, a planner's
 * worker, a debate member. Started again with the same link (a resumed parent does), a finished child
 * is not run again (its recorded result comes back) and an unfinished one goes on from its journal.
 */
export interface ChildRunSpec {
  /** What in the parent starts it; with the parent's run id it names the child. */
  link: ParentLink;
  agent: DeepAgent;
  prompt: string;
  /** Deps that differ from the parent's (another backend, other budgets); the rest are the parent's. */
  deps?: Partial<Omit<DeepAgentDeps, 'persistence' | 'parent' | 'runId' | 'childRunner'>>;
}

export interface ParentRun {
  runId: string;
  depth: number;
}

/** Starts a child run of `parent` with the deps the parent passes down. */
export type ChildRunner = (parent: ParentRun, spec: ChildRunSpec, inherited: DeepAgentDeps) => Promise<RunResult>;

export interface RunResult {
  runId: string;
  status: RunStatus;
  /** The final answer (empty unless completed). */
  output: string;
  error?: Error;
  usage: Usage;
  costUsd: number;
  steps: number;
  messages: ChatMessage[];
  todos: Todo[];
}
