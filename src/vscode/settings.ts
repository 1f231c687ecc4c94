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
});

export type Settings = z.infer<typeof settingsSchema>;

export const OPENAI_BASE_URL = 'https://api.openai.com/v1';

export function readSettings(): Settings {
  const c = vscode.workspace.getConfiguration('deepAgent');
  const raw = {
    provider: c.get('provider'),
    baseUrl: c.get('baseUrl'),
    model: c.get('model'),
    maxIterations: c.get('maxIterations'),
    maxTokens: c.get('maxTokens') ?? null,
    maxCostUsd: c.get('maxCostUsd') ?? null,
    approvalPolicy: c.get('approvalPolicy'),
    traceExporters: c.get('trace.exporters'),
    otlpEndpoint: c.get('trace.otlpEndpoint'),
  };
  const parsed = settingsSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const key = issue.path[0] === 'traceExporters' ? 'trace.exporters' : issue.path[0] === 'otlpEndpoint' ? 'trace.otlpEndpoint' : String(issue.path[0]);
    throw new Error(`setting deepAgent.${key} is invalid: ${issue.message}`);
  }
  return parsed.data;
}

/** The endpoint the settings point at (OpenAI when the base URL is left empty). */
export const endpointOf = (s: Settings) => s.baseUrl.replace(/\/+$/, '') || OPENAI_BASE_URL;
