/**
 * The record/replay fixture file: its format, its schema, and how it is read and written.
 * Parsed with zod at the edge (ARCHITECTURE.md), so a broken file fails with one line that names
 * it, and the rest of the code sees plain types.
 */
import { readFileSync } from 'node:fs';
import fsp from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { z } from 'zod';
import { chatMessageSchema, usageSchema } from './schemas';
import { embeddingsKey, keyedRequest, requestKey } from './canonical';
import type { ChatRequest, EmbeddingsRequest, ModelChunk, ModelError } from './types';

export const FIXTURE_FORMAT = 'deep-agent-fixture';
export const FIXTURE_VERSION = 1;

/** A failed call as recorded, enough to rethrow the same ModelError on replay. */
export interface RecordedError {
  message: string;
  code: string;
  transient: boolean;
  status?: number;
  retryAfterMs?: number;
}

/** One model call: what was asked, what streamed back, and how it failed (if it did). */
export interface Recording {
  /** `requestKey(request)`, stored so fixtures can be searched and checked. */
  key: string;
  request: ChatRequest;
  chunks: ModelChunk[];
  error?: RecordedError;
}

/** One embeddings call and the vectors it gave (src/core/memory/embedders/recordReplay.ts). */
export interface EmbeddingRecording {
  /** `embeddingsKey(request)`. */
  key: string;
  request: EmbeddingsRequest;
  vectors: number[][];
}

export interface Fixture {
  format: typeof FIXTURE_FORMAT;
  version: typeof FIXTURE_VERSION;
  /** In call order; the same key appears once per call that made it. */
  recordings: Recording[];
  /** Embeddings calls, each key once (an embedder answers the same texts the same way). */
  embeddings?: EmbeddingRecording[];
}

/** A fixture that cannot be read, parsed or written; the message names the file. */
export class FixtureError extends Error {
  constructor(
    readonly source: string,
    message: string,
  ) {
    super(message);
    this.name = 'FixtureError';
  }
}

export const emptyFixture = (): Fixture => ({ format: FIXTURE_FORMAT, version: FIXTURE_VERSION, recordings: [] });

/** A recording of a call; only the request's keyed fields are kept (see canonical.ts). */
export function createRecording(request: ChatRequest, chunks: ModelChunk[], error?: ModelError): Recording {
  const stored = keyedRequest(request);
  const recording: Recording = {
    key: requestKey(stored),
    request: stored,
    // A JSON round trip, so what replays in this process is exactly what the file will hold.
    chunks: JSON.parse(JSON.stringify(chunks)) as ModelChunk[],
  };
  if (error) recording.error = recordedError(error);
  return recording;
}

function recordedError(error: ModelError): RecordedError {
  const recorded: RecordedError = { message: error.message, code: error.code, transient: error.transient };
  if (error.status !== undefined) recorded.status = error.status;
  if (error.retryAfterMs !== undefined) recorded.retryAfterMs = error.retryAfterMs;
  return recorded;
}

// ---- schema ---------------------------------------------------------------------------------

// Messages and tools are loose objects: whatever the recorder stored must read back unchanged,
// or its key would no longer match.
const toolSpecSchema = z.looseObject({
  name: z.string(),
  description: z.string(),
  parameters: z.record(z.string(), z.unknown()),
});
const requestSchema = z.object({
  model: z.string(),
  messages: z.array(chatMessageSchema),
  tools: z.array(toolSpecSchema).optional(),
  temperature: z.number().optional(),
  topP: z.number().optional(),
  maxTokens: z.number().optional(),
  seed: z.number().optional(),
});
const chunkSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text'), text: z.string() }),
  z.object({ type: z.literal('reasoning'), text: z.string() }),
  z.object({
    type: z.literal('tool_call'),
    index: z.number().int().optional(),
    id: z.string().optional(),
    name: z.string().optional(),
    argumentsDelta: z.string(),
    providerData: z.record(z.string(), z.unknown()).optional(),
  }),
  z.object({ type: z.literal('usage'), usage: usageSchema }),
  z.object({ type: z.literal('finish'), reason: z.string() }),
  z.object({ type: z.literal('notice'), code: z.string(), message: z.string() }),
]);
const errorSchema = z.object({
  message: z.string(),
  code: z.string(),
  transient: z.boolean(),
  status: z.number().int().optional(),
  retryAfterMs: z.number().optional(),
});
const recordingSchema = z.object({
  key: z.string().regex(/^[0-9a-f]{64}$/, 'expected a SHA-256 hex key'),
  request: requestSchema,
  chunks: z.array(chunkSchema),
  error: errorSchema.optional(),
});
const embeddingRecordingSchema = z.object({
  key: z.string().regex(/^[0-9a-f]{64}$/, 'expected a SHA-256 hex key'),
  request: z.object({ model: z.string(), input: z.array(z.string()) }),
  vectors: z.array(z.array(z.number())),
});
const fixtureSchema = z.object({
  format: z.literal(FIXTURE_FORMAT),
  version: z.literal(FIXTURE_VERSION),
  recordings: z.array(recordingSchema),
  embeddings: z.array(embeddingRecordingSchema).optional(),
});

// ---- versions -------------------------------------------------------------------------------

type FixtureData = Record<string, unknown>;

/**
 * MIGRATIONS[n] turns a version-n fixture into version n + 1. When the format changes: bump
 * FIXTURE_VERSION, update the schema, and add the step from the previous version here.
 */
const MIGRATIONS: Record<number, (fixture: FixtureData) => FixtureData> = {};

function migrate(data: FixtureData, source: string): FixtureData {
  const version = data.version;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    throw new FixtureError(source, `fixture ${source} has no valid version (found ${JSON.stringify(version) ?? 'nothing'})`);
  }
  if (version > FIXTURE_VERSION) {
    throw new FixtureError(source, `fixture ${source} has version ${version}; this build reads version ${FIXTURE_VERSION}`);
  }
  let current = data;
  for (let from = version; from < FIXTURE_VERSION; from++) {
    const step = MIGRATIONS[from];
    if (!step) throw new FixtureError(source, `fixture ${source} has version ${version}, which this build cannot migrate`);
    current = { ...step(current), version: from + 1 };
  }
  return current;
}

// ---- reading --------------------------------------------------------------------------------

/** Parses fixture text; `source` names the file in errors. */
function parseFixture(text: string, source: string): Fixture {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new FixtureError(source, `fixture ${source} is truncated or not JSON: ${messageOf(err)}`);
  }
  return validateFixture(data, source);
}

/** Checks already-parsed data (e.g. a fixture built in a test) and migrates older versions. */
export function validateFixture(data: unknown, source: string): Fixture {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new FixtureError(source, `fixture ${source} is not a deep-agent fixture (it is not a JSON object)`);
  }
  const format = (data as FixtureData).format;
  if (format !== FIXTURE_FORMAT) {
    const found = format === undefined ? 'format is missing' : `format is ${JSON.stringify(format)}`;
    throw new FixtureError(source, `fixture ${source} is not a deep-agent fixture (${found})`);
  }
  const result = fixtureSchema.safeParse(migrate(data as FixtureData, source));
  if (!result.success) {
    const [first, ...rest] = result.error.issues;
    const more = rest.length > 0 ? ` (and ${rest.length} more problem${rest.length > 1 ? 's' : ''})` : '';
    throw new FixtureError(source, `fixture ${source}: ${formatPath(first.path) || '(top level)'}: ${first.message}${more}`);
  }
  const fixture: Fixture = result.data;
  const checkKey = (list: string, index: number, matches: boolean) => {
    if (!matches) throw new FixtureError(source, `fixture ${source}: ${list}[${index}].key does not match its request (edited by hand? record the fixture again)`);
  };
  fixture.recordings.forEach((recording, index) => checkKey('recordings', index, requestKey(recording.request) === recording.key));
  fixture.embeddings?.forEach((recording, index) => checkKey('embeddings', index, embeddingsKey(recording.request) === recording.key));
  return fixture;
}

/** Reads and parses a fixture file; a missing file is an error. */
export function readFixture(path: string): Fixture {
  const fixture = readFixtureIfExists(path);
  if (!fixture) throw new FixtureError(path, `fixture ${path} does not exist`);
  return fixture;
}

/** Reads and parses a fixture file, or returns undefined when there is no file yet. */
export function readFixtureIfExists(path: string): Fixture | undefined {
  let text: string;
  try {
    // Synchronous: fixtures are small and read once, when a model wrapper is built.
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new FixtureError(path, `fixture ${path} cannot be read: ${messageOf(err)}`);
  }
  return parseFixture(text, path);
}

// ---- writing --------------------------------------------------------------------------------

export const serializeFixture = (fixture: Fixture): string => `${JSON.stringify(fixture, null, 2)}\n`;

let tempFileCount = 0;

/**
 * Writes the fixture atomically: a temp file in the same directory, fsync, rename over the
 * target. A crash or a failed write leaves the previous fixture (or none) intact, never half a file.
 */
export async function writeFixture(path: string, fixture: Fixture): Promise<void> {
  const directory = dirname(path);
  const temp = join(directory, `.${basename(path)}.${process.pid}.${++tempFileCount}.tmp`);
  try {
    await fsp.mkdir(directory, { recursive: true });
    const handle = await fsp.open(temp, 'w');
    try {
      await handle.writeFile(serializeFixture(fixture), 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fsp.rename(temp, path);
  } catch (err) {
    await fsp.rm(temp, { force: true }).catch(() => undefined);
    throw new FixtureError(path, `fixture ${path} could not be written: ${messageOf(err)}`);
  }
  await syncDirectory(directory);
}

/** Writes snapshots of one fixture one after another, so a later snapshot never lands before an earlier one. */
export class FixtureWriter {
  private writes: Promise<void> = Promise.resolve();

  constructor(readonly path: string) {}

  write(fixture: Fixture): Promise<void> {
    const write = this.writes.then(() => writeFixture(this.path, fixture));
    this.writes = write.catch(() => undefined); // the failing call reports it; the next write retries
    return write;
  }
}

/** Makes the rename itself durable where the platform allows it (not on Windows). */
async function syncDirectory(directory: string): Promise<void> {
  try {
    const handle = await fsp.open(directory, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Best effort: the data is already synced and the rename done.
  }
}

// ---- helpers --------------------------------------------------------------------------------

/** ["recordings", 3, "chunks", 0] → "recordings[3].chunks[0]" */
function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((part, i) => (typeof part === 'number' ? `[${part}]` : i === 0 ? String(part) : `.${String(part)}`))
    .join('');
}

const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));
