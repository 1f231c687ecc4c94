/** The extension's settings, read from `deepAgent.*` and checked once: a bad value is named, not guessed at. */
import * as vscode from 'vscode';
import { z } from 'zod';

const settingsSchema = z.object({
  provider: z.enum(['openai-compatible', 'vscode-lm']),
  baseUrl: z.union([z.literal(''), z.url({ protocol: /^https?$/ })]),
  model: z.string(),
  maxIterations: z.number().int().positive(),
  maxTokens: z.number().int().positive().nullable(),
  maxCostUsd: z.number().positive().nullable(),
  approvalPolicy: z.enum(['always-ask', 'ask-for-writes', 'auto']),
  traceExporters: z.array(z.enum(['output', 'jsonl', 'otlp'])),
  otlpEndpoint: z.url({ protocol: /^https?$/ }),
  /** Finished runs older than this many days are deleted at start-up; null keeps them (storedRuns.ts applies it). */
  runsKeepDays: z.number().int().positive().nullable(),
  /** At most this many finished runs are kept; null: no limit. */
  runsKeepCount: z.number().int().positive().nullable(),
  /** A grep or glob running longer is stopped, and the model told what to narrow. */
  searchTimeoutSeconds: z.number().positive(),
});

export type Settings = z.infer<typeof settingsSchema>;

/** Schema fields whose setting is named differently. */
const settingKeys: Record<string, string> = {
  traceExporters: 'trace.exporters',
  otlpEndpoint: 'trace.otlpEndpoint',
  runsKeepDays: 'runs.keepDays',
  runsKeepCount: 'runs.keepCount',
  searchTimeoutSeconds: 'search.timeoutSeconds',
};

export const OPENAI_BASE_URL = 'https://api.openai.com/v1';

export function readSettings(): Settings {
  return checked(settingsSchema, rawSettings());
}

/** Only the retention settings, so a bad setting elsewhere does not stop pruning. */
export function readRetention(): Pick<Settings, 'runsKeepDays' | 'runsKeepCount'> {
  const { runsKeepDays, runsKeepCount } = rawSettings();
  return checked(settingsSchema.pick({ runsKeepDays: true, runsKeepCount: true }), { runsKeepDays, runsKeepCount });
}

function rawSettings() {
  const c = vscode.workspace.getConfiguration('deepAgent');
  return {
    provider: c.get('provider'),
    baseUrl: c.get('baseUrl'),
    model: c.get('model'),
    maxIterations: c.get('maxIterations'),
    maxTokens: c.get('maxTokens') ?? null,
    maxCostUsd: c.get('maxCostUsd') ?? null,
    approvalPolicy: c.get('approvalPolicy'),
    traceExporters: c.get('trace.exporters'),
    otlpEndpoint: c.get('trace.otlpEndpoint'),
    runsKeepDays: c.get('runs.keepDays', 30),
    runsKeepCount: c.get('runs.keepCount', 100),
    searchTimeoutSeconds: c.get('search.timeoutSeconds', 10),
  };
}

function checked<T>(schema: z.ZodType<T>, raw: unknown, prefix = ''): T {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const key = prefix + (settingKeys[String(issue.path[0])] ?? String(issue.path[0]));
    throw new Error(`setting deepAgent.${key} is invalid: ${issue.message}`);
  }
  return parsed.data;
}

const memorySettingsSchema = z.object({
  enabled: z.boolean(),
  inject: z.boolean(),
  autoStore: z.boolean(),
  maxTokens: z.number().int().positive(),
  /** auto: a local language model when one is at hand, else the hashing (keyword) fallback. */
  embedder: z.enum(['auto', 'transformers', 'openai', 'hashing']),
  modelPath: z.string(),
  /** Empty: a LanceDB folder under the extension's global storage; a postgres:// URL; ":memory:" keeps them in this window only. */
  store: z.union([z.literal(''), z.literal(':memory:'), z.string().trim().regex(/^postgres(ql)?:\/\//, 'must be empty, ":memory:" or a postgres:// URL')]),
});

export type MemorySettings = z.infer<typeof memorySettingsSchema>;

/** The `deepAgent.memory.*` settings, apart from the others: a bad memory setting leaves runs without memory, not without a model. */
export function readMemorySettings(): MemorySettings {
  const c = vscode.workspace.getConfiguration('deepAgent.memory');
  const raw = Object.fromEntries(Object.keys(memorySettingsSchema.shape).map((key) => [key, c.get(key)]));
  return checked(memorySettingsSchema, raw, 'memory.');
}

/** The endpoint the settings point at (OpenAI when the base URL is left empty). */
export const endpointOf = (s: Settings) => s.baseUrl.replace(/\/+$/, '') || OPENAI_BASE_URL;
