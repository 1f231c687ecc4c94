/**
 * The canonical form of a model request: what identifies a call for record/replay.
 * Only the fields that change the model's answer are picked, by name, so nothing else a caller
 * or an adapter holds (headers, API keys, abort signals) can ever enter a key or a fixture.
 */
import { createHash } from 'node:crypto';
import type { ChatRequest, EmbeddingsRequest } from './types';

/** The fields of a request that identify it, in the order fixtures show them. */
const KEYED_FIELDS = ['model', 'messages', 'tools', 'temperature', 'topP', 'maxTokens', 'seed'] as const;

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/**
 * The keyed fields of a request as plain JSON data (undefined dropped, as JSON.stringify would).
 * This is what a fixture stores, and `requestKey` gives the same key for it as for the request.
 */
export function keyedRequest(request: ChatRequest): ChatRequest {
  return JSON.parse(JSON.stringify(pickKeyedFields(request))) as ChatRequest;
}

/** SHA-256 hex of the canonical JSON of the request's keyed fields. */
export function requestKey(request: ChatRequest): string {
  return createHash('sha256').update(canonicalJson(pickKeyedFields(request))).digest('hex');
}

/** SHA-256 hex of the canonical JSON of an embeddings call's model and texts (nothing else can enter it). */
export function embeddingsKey(request: EmbeddingsRequest): string {
  return createHash('sha256').update(canonicalJson({ model: request.model, input: request.input })).digest('hex');
}

function pickKeyedFields(request: ChatRequest): Record<string, unknown> {
  const picked: Record<string, unknown> = {};
  for (const field of KEYED_FIELDS) picked[field] = request[field];
  return picked;
}

/** JSON with object keys sorted at every depth, so equal data always gives equal text. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(toCanonical(value, new Set()));
}

/**
 * Plain JSON data with sorted keys, following JSON.stringify's rules: undefined and functions
 * are dropped from objects and become null in arrays, non-finite numbers become null, toJSON is
 * honoured. Object keys are re-inserted in sorted order; integer-like keys still come first
 * (a JavaScript rule), which is deterministic, so keys stay stable.
 */
export function toCanonical(value: unknown, seen: Set<object> = new Set()): JsonValue {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'bigint') throw new TypeError('cannot make canonical JSON of a bigint');
  if (typeof value !== 'object') return null; // undefined, function, symbol (inside arrays)
  const withToJson = value as { toJSON?: () => unknown };
  if (typeof withToJson.toJSON === 'function') return toCanonical(withToJson.toJSON(), seen);
  if (seen.has(value)) throw new TypeError('cannot make canonical JSON of a circular structure');
  seen.add(value);
  try {
    if (Array.isArray(value)) return value.map((item) => toCanonical(item, seen));
    const result: { [key: string]: JsonValue } = {};
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record).sort()) {
      const item = record[key];
      if (item === undefined || typeof item === 'function' || typeof item === 'symbol') continue;
      result[key] = toCanonical(item, seen);
    }
    return result;
  } finally {
    seen.delete(value);
  }
}

/** One place where two canonical values differ; `undefined` means the side has nothing there. */
export interface Difference {
  /** e.g. "messages[3].content" */
  path: string;
  recorded: JsonValue | undefined;
  requested: JsonValue | undefined;
}

/** Every leaf-level difference between two canonical values, in document order. */
export function differences(
  recorded: JsonValue | undefined,
  requested: JsonValue | undefined,
  path = '',
): Difference[] {
  if (Array.isArray(recorded) && Array.isArray(requested)) {
    const found: Difference[] = [];
    for (let i = 0; i < Math.max(recorded.length, requested.length); i++) {
      found.push(...differences(recorded[i], requested[i], `${path}[${i}]`));
    }
    return found;
  }
  if (isJsonObject(recorded) && isJsonObject(requested)) {
    const keys = [...new Set([...Object.keys(recorded), ...Object.keys(requested)])].sort();
    return keys.flatMap((key) => differences(recorded[key], requested[key], path ? `${path}.${key}` : key));
  }
  if (JSON.stringify(recorded) === JSON.stringify(requested)) return [];
  return [{ path: path || '(request)', recorded, requested }];
}

function isJsonObject(value: JsonValue | undefined): value is { [key: string]: JsonValue } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
