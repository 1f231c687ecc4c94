/**
 * The one protocol between the extension and the panel's webview (media/), both ways:
 * - webview → extension: requests, each with an id, each answered by one response carrying a result
 *   or an error message;
 * - extension → webview: notifications (events of the shown run, a run to show, the model and run state).
 * Requests cross a trust boundary and are parsed with zod. This file imports neither `vscode` nor the
 * DOM: the extension and media/ share it (media/ imports its types only, so zod stays out of the webview).
 */
import { z } from 'zod';
import type { RunEvent, StoredRunStatus } from '../core';

export interface RunSummary {
  runId: string;
  prompt: string;
  /** 'interrupted': the window closed or crashed while it ran; it can be resumed. */
  status: StoredRunStatus;
  startedAt: number;
  /** It can go on where it stopped (the core's one rule, isResumable). */
  resumable?: boolean;
}

export interface ModelState {
  /** What the user sees, e.g. "gpt-4o-mini at api.openai.com"; undefined when nothing is configured. */
  label?: string;
  /** Names of VS Code language models on offer when no model is configured. */
  languageModels: string[];
  /** Why the model cannot be told, e.g. an invalid setting. */
  problem?: string;
}

const runId = z.string().min(1).max(200);
const toolCallId = z.string().min(1).max(500);

/** The parameters of each request the webview may make. */
export const requestParams = {
  /** The webview is loaded; `runId` is the run it showed before (its saved state), if any. */
  ready: z.object({ runId: runId.optional() }),
  /** A new run, or a follow-up of `followUpOf`. */
  send: z.object({ prompt: z.string().trim().min(1, 'the prompt is empty').max(100_000), followUpOf: runId.optional() }),
  stop: z.object({}),
  /** Go on with an interrupted or cancelled run. */
  resume: z.object({ runId }),
  configureModel: z.object({}),
  approve: z.object({ toolCallId }),
  reject: z.object({ toolCallId, reason: z.string().max(2000).optional() }),
  /** Show this run (a child run shows on its own, as the top run). */
  showRun: z.object({ runId }),
};

export type Method = keyof typeof requestParams;
export type Params<M extends Method> = z.input<(typeof requestParams)[M]>;

/** What each request resolves with. */
export interface Results {
  ready: void;
  send: { runId: string };
  stop: void;
  resume: { runId: string };
  configureModel: { configured: boolean };
  approve: void;
  reject: void;
  showRun: void;
}

/** Webview → extension. */
export type RequestMessage = { [M in Method]: { kind: 'request'; id: number; method: M; params: Params<M> } }[Method];

/** Extension → webview: the answer to a request (`id` null when the request's id could not be read). */
export type ResponseMessage = { kind: 'response'; id: number | null } & ({ ok: true; result: unknown } | { ok: false; error: string });

/** Extension → webview, unasked. */
export type Notification =
  /** A batch of new events of the shown run (about one per animation frame). */
  | { kind: 'events'; events: RunEvent[] }
  /** Show this run from scratch: its summary and every event so far; `focus` is the run shown as the top run. */
  | { kind: 'show'; run: RunSummary | undefined; focus: string | undefined; events: RunEvent[] }
  | { kind: 'state'; model: ModelState; running: boolean };

export type ToWebview = ResponseMessage | Notification;

/** The extension's side: one function per request; a thrown error becomes the error response. */
export type RequestHandlers = { [M in Method]: (params: z.output<(typeof requestParams)[M]>) => Promise<Results[M]> | Results[M] };

const envelope = z.object({ kind: z.literal('request'), id: z.number().int().nonnegative(), method: z.string(), params: z.unknown().optional() });

/** Parses a message from the webview, runs its handler, and answers it; never throws. */
export async function answerRequest(raw: unknown, handlers: RequestHandlers): Promise<ResponseMessage> {
  const message = envelope.safeParse(raw);
  if (!message.success) {
    const id = typeof (raw as { id?: unknown } | null)?.id === 'number' ? (raw as { id: number }).id : null;
    return { kind: 'response', id, ok: false, error: `malformed message from the panel: ${oneLine(message.error.issues)}` };
  }
  const { id, method } = message.data;
  const fail = (error: string): ResponseMessage => ({ kind: 'response', id, ok: false, error });
  if (!Object.hasOwn(requestParams, method)) return fail(`unknown request "${method}" from the panel`);
  const params = requestParams[method as Method].safeParse(message.data.params ?? {});
  if (!params.success) return fail(`invalid ${method} request from the panel: ${oneLine(params.error.issues)}`);
  try {
    const handler = handlers[method as Method] as (params: unknown) => unknown;
    return { kind: 'response', id, ok: true, result: await handler(params.data) };
  } catch (error) {
    return fail(error instanceof Error ? error.message : String(error));
  }
}

function oneLine(issues: readonly z.core.$ZodIssue[]): string {
  return issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; ');
}
