/**
 * The one message union between the extension and the panel's webview (media/panel.ts).
 * Messages from the webview cross a trust boundary and are parsed with zod.
 */
import { z } from 'zod';
import type { RunEvent } from '../core';

export interface RunSummary {
  runId: string;
  prompt: string;
  /** 'interrupted': the window closed or crashed while it ran; it can be resumed. */
  status: 'running' | 'completed' | 'failed' | 'cancelled' | 'stopped' | 'interrupted';
  startedAt: number;
}

export interface ModelState {
  /** What the user sees, e.g. "gpt-4o-mini at api.openai.com"; undefined when nothing is configured. */
  label?: string;
  /** Names of VS Code language models on offer when no model is configured. */
  languageModels: string[];
}

/** Extension → webview. */
export type ToWebview =
  /** A batch of new events of the shown run (about one per animation frame). */
  | { type: 'events'; events: RunEvent[] }
  /** Show this run from scratch: its summary and every event so far. */
  | { type: 'show'; run: RunSummary | undefined; events: RunEvent[] }
  | { type: 'state'; model: ModelState; running: boolean };

export const fromWebviewSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }),
  z.object({ type: z.literal('send'), prompt: z.string().min(1).max(100_000) }),
  z.object({ type: z.literal('stop') }),
  /** Resume the shown run (interrupted or stopped). */
  z.object({ type: z.literal('resume') }),
  z.object({ type: z.literal('configureModel') }),
  z.object({ type: z.literal('approve'), toolCallId: z.string().min(1) }),
  z.object({ type: z.literal('reject'), toolCallId: z.string().min(1), reason: z.string().max(2000).optional() }),
]);

/** Webview → extension. */
export type FromWebview = z.infer<typeof fromWebviewSchema>;
