/**
 * RunConfig: everything a run is started with, as plain data (ARCHITECTURE.md, "One way to start a
 * run"). The CLI builds it from flags, the extension from settings; startRun checks it with zod and
 * assembles the run. What cannot be plain data (a model the editor provides, an API key from its
 * secret storage, the user's answers) comes as RunHooks beside it.
 */
import { z } from 'zod';
import { checkpointFrequencies } from '../events';
import { chatMessageSchema } from '../model/schemas';
import { memoryConfigSchema } from '../memory/config';

const positiveInt = z.number().int().positive();
const positive = z.number().positive();
const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });

export const runConfigSchema = z.strictObject({
  /** The task; not needed when resuming (the run has its own). */
  prompt: z.string().trim().min(1, 'must not be empty').optional(),
  agent: z
    .strictObject({
      /** Shown in events, traces and the UI; `resume: 'latest'` looks for this agent's runs (default "deep-agent"). */
      name: z.string().min(1).optional(),
      instructions: z.string().optional(),
      maxIterations: positiveInt.optional(),
      temperature: z.number().min(0).optional(),
      maxTokens: positiveInt.optional(),
    })
    .optional(),
  /** An OpenAI-compatible endpoint, and/or a recording to record to or replay from. */
  model: z
    .strictObject({
      baseUrl: httpUrl.optional(),
      name: z.string().min(1).optional(),
      /** The environment variable holding the key (default OPENAI_API_KEY); a key itself is never configuration. */
      apiKeyEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name').optional(),
      record: z.string().min(1).optional(),
      replay: z.string().min(1).optional(),
      strict: z.boolean().optional(),
    })
    .optional(),
  /** A workspace folder on disk for the file tools. */
  workspace: z
    .strictObject({
      root: z.string().min(1),
      /** ripgrep for grep: an executable, or false for JavaScript in a worker thread (default: `rg` on the PATH). */
      ripgrep: z.union([z.string().min(1), z.literal(false)]).optional(),
      searchTimeoutMs: positive.optional(),
    })
    .optional(),
  skillsDirs: z.array(z.string().min(1)).optional(),
  budgets: z
    .strictObject({ maxTokens: positiveInt.optional(), maxCostUsd: positive.optional(), timeoutMs: positive.optional(), mode: z.enum(['strict', 'permissive']).optional() })
    .optional(),
  trace: z.strictObject({ console: z.boolean().optional(), jsonl: z.string().min(1).optional(), otlp: httpUrl.optional() }).optional(),
  /** Journal the run in a directory or a PostgreSQL database (postgres://…), with checkpoints. */
  checkpoints: z.strictObject({ location: z.string().min(1), every: z.enum(checkpointFrequencies).optional() }).optional(),
  /** Go on with a run: its id, 'latest', or a checkpoint id (needs `checkpoints` or a manager in the hooks). */
  resume: z.string().trim().min(1, 'must be a run id, a checkpoint id or "latest"').optional(),
  approvals: z.enum(['always-ask', 'ask-for-writes', 'auto']).optional(),
  /** Long-term memory: recalled into the prompt, and the remember/recall/forget tools (see memory/config.ts). */
  memory: memoryConfigSchema.optional(),
  /** Earlier messages of the conversation (a follow-up). */
  history: z.array(chatMessageSchema).optional(),
});

export type RunConfig = z.input<typeof runConfigSchema>;

/** A configuration that does not check out: names the field and what is wrong, on one line. */
export class RunConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RunConfigError';
  }
}

export function parseRunConfig(config: unknown): z.output<typeof runConfigSchema> {
  const parsed = runConfigSchema.safeParse(config);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const where = issue.path.length ? issue.path.join('.') : 'the configuration';
  throw new RunConfigError(`run config: ${where} ${issue.message.replace(/^Invalid input: /, '')}`);
}
