/** The public API of the agent core. */
export { createDeepAgent, type DeepAgent } from './agent/createDeepAgent';
export type { Approvals, ApprovalDecision, ApprovalPolicy, ApprovalRequest, ChildRunner, ChildRunSpec, DeepAgentDeps, DeepAgentOptions, ParentRun, RunResult, SubagentConfig, TraceSink } from './agent/types';
export { MaxIterationsError, RunCancelledError } from './agent/errors';
export { generalPurposeSubagent } from './agent/subagents';
export { discoverSkills, parseSkillFile, type Skill } from './agent/skills';
export { runStream, streamText, streamToolCalls, type RunStream, type ToolEvent } from './stream';
// Values are exported by name, never with `export *`: Node sees the names a CommonJS module
// re-exports only when they are listed, and ES modules (an example.mts run with tsx) import by name.
export { addUsage, checkpointFrequencies, isEventOf, zeroUsage } from './events';
export type * from './events';
export { systemClock, randomIds, sequentialIds, type Clock, type IdSource } from './clock';

export type { ChatCallOptions, ChatModel, ChatMessage, ChatRequest, ModelChunk, ModelEndpoint, ToolCall, ToolSpec } from './model/types';
export type { RecordedBudgets, RunSettings } from './runSettings';
export { ModelError } from './model/types';
export { listModels, OpenAICompatibleModel, type OpenAICompatibleOptions } from './model/openai';
export { defaultPrices, findPrice, costOf, type ModelPrice, type PriceTable } from './model/pricing';
export { defaultRetryPolicy, retryDelayMs, type RetryPolicy } from './model/retry';
export { RecordingModel, ReplayModel, ReplayMissError, withRecordReplay } from './model/recordReplay';
export { embeddingsKey, requestKey } from './model/canonical';
export { FixtureError, readFixture, validateFixture, writeFixture, type EmbeddingRecording, type Fixture, type Recording } from './model/fixture';
export type { EmbeddingsRequest } from './model/types';

export { defineTool, toolSpec, ToolError, type AnyTool, type ToolContext, type ToolDefinition, type Todo } from './tools/types';
export { fileTools } from './tools/files';
export {
  ancestorsOf,
  BinaryFileError,
  DEFAULT_MAX_GREP_RESULTS,
  displayPath,
  FileNotFoundError,
  globFiles,
  grepFiles,
  looksBinary,
  readDiskRange,
  FilesystemBackend,
  InvalidPatternError,
  IsADirectoryError,
  MAX_GREP_FILE_BYTES,
  normalizePath,
  NotADirectoryError,
  PathEscapeError,
  SKIPPED_DIRS,
  splitLines,
  StateBackend,
} from './backends';
export type * from './backends';
export {
  budgetGuardrails,
  costLimit,
  createGuardrailManager,
  GuardrailError,
  guardrailEventData,
  GuardrailManager,
  GuardrailOptionsError,
  iterationLimit,
  outputValidator,
  READ_ONLY_TOOL_NAMES,
  readOnlyTools,
  timeLimit,
  tokenBudget,
  toolCallLimit,
  withMode,
} from './guardrails';
export type * from './guardrails';
export {
  ConsoleTraceExporter,
  createOtelTraceExporter,
  DeepAgentAttr,
  formatDuration,
  GenAiAttr,
  GenAiOperation,
  JsonlTraceExporter,
  MemoryTraceExporter,
  previewJson,
  previewText,
  randomTraceIds,
  redactSecrets,
  reportExporterErrorOnStderr,
  sequentialTraceIds,
  Tracer,
} from './tracing';
export type * from './tracing';

export { CheckpointManager, type CheckpointInfo, type CheckpointManagerOptions, type ResumePoint } from './checkpoint/manager';
export { runWithCheckpointing, type RunWithCheckpointingOptions } from './launch/runWithCheckpointing';
export { startRun, type RunHooks, type StartedRun } from './launch/startRun';
export { parseRunConfig, RunConfigError, runConfigSchema, type RunConfig } from './launch/runConfig';
export { checkpointLocation, checkpointStore, isPostgresUrl, shownLocation } from './launch/checkpointLocation';
export { tracerFor, type TracerHooks } from './launch/tracer';
export { DEFAULT_API_KEY_ENV, modelFrom } from './launch/model';
export { journaledChildRunner } from './launch/childRuns';
export { FileCheckpointStore, type FileCheckpointStoreOptions } from './checkpoint/fileStore';
export { PgCheckpointStore, type PgCheckpointStoreOptions } from './checkpoint/pgStore';
export { CheckpointError, isResumable, isValidRunId, RunNotFoundError, type CheckpointStore, type CompactionStats, type JournalRead, type JournalWriter, type StoredRun, type StoredRunStatus } from './checkpoint/store';
export { journalFiles, type JournalFile } from './checkpoint/journalListing';
export { totalsOf } from './checkpoint/summary';
export { parseJsonOrUndefined } from './json';
export { CHECKPOINT_VERSION, parseCheckpoint, parseCheckpointId, type Checkpoint } from './checkpoint/checkpoint';
export { childRunId, foldJournal, linkKey, type JournalFold, type RunState } from './runState';
export { applyRestore, planRestore, type FileRestore, type RestoreResult } from './checkpoint/restore';
export type { InterruptedToolCall, RunPersistence } from './persistence';
export type { RecoveryContext, ToolRecovery } from './tools/types';

export type { RunMemory } from './agent/types';
export { memoryTypes } from './memory/types';
export type { Embedder, EmbeddingSpace, Fusion, Memory, MemoryFilter, MemoryMetadata, MemoryOrder, MemoryPage, MemoryPatch, MemoryProvenance, MemoryQuery, MemoryScope, MemoryStore, MemoryType, RetrievalMode, ScoredMemory } from './memory/types';
export { EmbeddingSpaceError, MemoryError, MemoryStoreError } from './memory/errors';
export { MemoryManager, type MemoryInput, type MemoryManagerOptions, type MemoryStats, type RecallOptions } from './memory/manager';
export { consolidateMemories, type ConsolidationOptions, type ConsolidationResult } from './memory/consolidation';
export { StateMemoryStore } from './memory/stores/state';
export { PgVectorMemoryStore, type PgVectorMemoryStoreOptions } from './memory/stores/pgvector';
export { LanceDbMemoryStore, type LanceDbMemoryStoreOptions } from './memory/stores/lancedb';
export { HashingEmbedder } from './memory/embedders/hashing';
export { DEFAULT_EMBEDDING_MODEL, TransformersEmbedder, type TransformersEmbedderOptions } from './memory/embedders/transformers';
export { DEFAULT_OPENAI_EMBEDDING_MODEL, OpenAiEmbedder, type OpenAiEmbedderOptions } from './memory/embedders/openai';
export { RecordingEmbedder, ReplayEmbedder, type EmbeddingReplayOptions } from './memory/embedders/recordReplay';
export { backendOf, memoryConfigSchema, embedderKinds, memoryBackends, type EmbedderKind, type MemoryBackend, type MemoryConfig } from './memory/config';
export { openMemory, tableFor, type OpenMemoryHooks } from './memory/open';
export { earlierMemories, reembedEarlier, type EarlierMemories } from './memory/earlier';
export { runMemory, type RunMemoryOptions } from './memory/runMemory';
export { memoryTools } from './memory/tools';
export { memoryRecord, memoryRecordOf, parseMemoryRecord, type MemoryRecord } from './memory/records';
export { fuse, type Ranked } from './memory/fusion';
export { Bm25Index } from './memory/bm25';
export { rankMemories, type RankingOptions } from './memory/ranking';
export { memoryContext, type MemoryContext } from './memory/context';
