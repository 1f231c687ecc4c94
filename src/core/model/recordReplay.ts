/**
 * Deterministic model calls: RecordingModel writes what a live model answers to a fixture,
 * ReplayModel answers from that fixture without calling anything (see fixture.ts, canonical.ts).
 */
import { resolve } from 'node:path';
import { sleep } from '../clock';
import { differences, keyedRequest, requestKey, toCanonical, type Difference, type JsonValue } from './canonical';
import {
  createRecording,
  emptyFixture,
  FIXTURE_FORMAT,
  FIXTURE_VERSION,
  FixtureWriter,
  readFixture,
  readFixtureIfExists,
  validateFixture,
  type EmbeddingRecording,
  type Fixture,
  type RecordedError,
  type Recording,
} from './fixture';
import { ModelError, type ChatCallOptions, type ChatModel, type ChatRequest, type ModelChunk, type ModelEndpoint } from './types';

// ---- recording ------------------------------------------------------------------------------

export interface RecordingOptions {
  /** 'overwrite' (default) starts a fresh fixture; 'append' keeps the recordings already there. */
  mode?: 'overwrite' | 'append';
}

/** Passes a live model's chunks through as they stream and records each finished call. */
export class RecordingModel implements ChatModel {
  readonly id: string;
  readonly modelName: string;
  readonly endpoint?: ModelEndpoint;
  private readonly recordings: Recording[];
  private readonly writer: FixtureWriter;
  private readonly embeddings?: EmbeddingRecording[];

  constructor(
    private readonly live: ChatModel,
    readonly fixturePath: string,
    options: RecordingOptions = {},
  ) {
    this.id = live.id;
    this.modelName = live.modelName;
    this.endpoint = live.endpoint;
    const existing = options.mode === 'append' ? readFixtureIfExists(fixturePath) : undefined;
    this.recordings = existing ? [...existing.recordings] : [];
    this.embeddings = existing?.embeddings;
    this.writer = new FixtureWriter(fixturePath);
  }

  async *stream(request: ChatRequest, options?: ChatCallOptions): AsyncIterable<ModelChunk> {
    const chunks: ModelChunk[] = [];
    try {
      for await (const chunk of this.live.stream(request, options)) {
        chunks.push(structuredClone(chunk)); // as it streamed, whatever the consumer does with it
        yield chunk;
      }
    } catch (err) {
      // A ModelError is the model's answer and replays must reproduce it; a cancelled call or
      // a bug is not, so it is passed on unrecorded.
      if (err instanceof ModelError && !options?.signal?.aborted) await this.record(createRecording(request, chunks, err));
      throw err;
    }
    // Reached only when the stream ran to its end: a consumer that stops early records nothing.
    await this.record(createRecording(request, chunks));
  }

  private async record(recording: Recording): Promise<void> {
    this.recordings.push(recording);
    const snapshot: Fixture = { format: FIXTURE_FORMAT, version: FIXTURE_VERSION, recordings: [...this.recordings] };
    if (this.embeddings) snapshot.embeddings = this.embeddings; // appending keeps them
    await this.writer.write(snapshot);
  }
}

// ---- replaying ------------------------------------------------------------------------------

export interface ReplayOptions {
  /** 'strict' (default): a request the fixture lacks is an error; 'permissive': ask `fallback`. */
  mode?: 'strict' | 'permissive';
  /** The live model a permissive replay calls on a miss. */
  fallback?: ChatModel;
  /** Wait this long before each chunk, to look like a live stream (default 0). */
  delayMs?: number;
  /** Defaults to the model of the fixture's first request. */
  modelName?: string;
  /** Defaults to "replay:<modelName>". */
  id?: string;
  /** How errors name a fixture given already parsed (default "(in memory)"). */
  fixtureName?: string;
}

/** Answers each request with the recording of the same request, chunk for chunk. */
export class ReplayModel implements ChatModel {
  readonly id: string;
  readonly modelName: string;
  /** The fallback's: a replay alone reaches no model. */
  readonly endpoint?: ModelEndpoint;
  /** The fixture's path, or `fixtureName` for a fixture given parsed. */
  readonly fixtureName: string;
  private readonly recordings: readonly Recording[];
  private readonly recordingsByKey = new Map<string, Recording[]>();
  private readonly callsByKey = new Map<string, number>();
  private readonly mode: 'strict' | 'permissive';
  private readonly fallback?: ChatModel;
  private readonly delayMs: number;

  constructor(fixture: string | Fixture, options: ReplayOptions = {}) {
    this.fixtureName = typeof fixture === 'string' ? fixture : (options.fixtureName ?? '(in memory)');
    const parsed = typeof fixture === 'string' ? readFixture(fixture) : validateFixture(fixture, this.fixtureName);
    this.recordings = parsed.recordings;
    for (const recording of parsed.recordings) {
      const sameKey = this.recordingsByKey.get(recording.key);
      if (sameKey) sameKey.push(recording);
      else this.recordingsByKey.set(recording.key, [recording]);
    }
    this.mode = options.mode ?? 'strict';
    this.fallback = options.fallback;
    this.endpoint = options.fallback?.endpoint;
    this.delayMs = options.delayMs ?? 0;
    this.modelName =
      options.modelName ?? parsed.recordings[0]?.request.model ?? options.fallback?.modelName ?? 'unknown';
    this.id = options.id ?? `replay:${this.modelName}`;
  }

  /** The n-th call with a key gets the n-th recording of that key, then the last one again. */
  stream(request: ChatRequest, options?: ChatCallOptions): AsyncIterable<ModelChunk> {
    const key = requestKey(request);
    const recorded = this.recordingsByKey.get(key);
    if (recorded) {
      const calls = this.callsByKey.get(key) ?? 0;
      this.callsByKey.set(key, calls + 1);
      return this.replay(recorded[Math.min(calls, recorded.length - 1)], options?.signal);
    }
    if (this.mode === 'permissive' && this.fallback) return this.fallback.stream(request, options);
    return this.miss(request);
  }

  private async *replay(recording: Recording, signal?: AbortSignal): AsyncIterable<ModelChunk> {
    for (const chunk of recording.chunks) {
      if (this.delayMs > 0) await sleep(this.delayMs, signal);
      signal?.throwIfAborted();
      yield structuredClone(chunk); // a consumer that edits a chunk must not edit the fixture
    }
    if (recording.error) throw toModelError(recording.error);
  }

  // A generator, so the miss surfaces while iterating, where callers expect a model's errors.
  private async *miss(request: ChatRequest): AsyncIterable<ModelChunk> {
    throw new ReplayMissError(this.fixtureName, request, this.recordings, this.mode);
  }
}

const toModelError = (recorded: RecordedError): ModelError =>
  new ModelError(recorded.message, recorded.code, recorded.transient, recorded.status, recorded.retryAfterMs);

// ---- misses ---------------------------------------------------------------------------------

/** How far the nearest recorded request is from the one asked. */
export interface NearestRecording {
  /** Index into the fixture's recordings. */
  index: number;
  differences: Difference[];
}

/** A replay was asked for a request its fixture does not hold: a model failure no retry can help. */
export class ReplayMissError extends ModelError {
  readonly requestKey: string;
  readonly nearest?: NearestRecording;

  constructor(
    readonly fixtureName: string,
    request: ChatRequest,
    recordings: readonly Recording[],
    mode: 'strict' | 'permissive',
  ) {
    const nearest = nearestRecording(request, recordings);
    super(describeMiss(fixtureName, request, recordings, nearest, mode), 'replay_miss', false);
    this.name = 'ReplayMissError';
    this.requestKey = requestKey(request);
    this.nearest = nearest;
  }
}

const MAX_DIFFERENCES_SHOWN = 3;
const MAX_VALUE_CHARS = 60;

/** The recorded request with the fewest differences from this one (the first, on a tie). */
function nearestRecording(request: ChatRequest, recordings: readonly Recording[]): NearestRecording | undefined {
  const requested = toCanonical(keyedRequest(request));
  const seenKeys = new Set<string>();
  let nearest: NearestRecording | undefined;
  recordings.forEach((recording, index) => {
    if (seenKeys.has(recording.key)) return;
    seenKeys.add(recording.key);
    const found = differences(toCanonical(recording.request), requested);
    if (!nearest || found.length < nearest.differences.length) nearest = { index, differences: found };
  });
  return nearest;
}

function describeMiss(
  fixtureName: string,
  request: ChatRequest,
  recordings: readonly Recording[],
  nearest: NearestRecording | undefined,
  mode: 'strict' | 'permissive',
): string {
  const distinct = new Set(recordings.map((recording) => recording.key)).size;
  const holds =
    recordings.length === 0
      ? 'it holds no recordings'
      : `it holds ${plural(recordings.length, 'recording')} of ${plural(distinct, 'distinct request')}`;
  const lines = [
    `replay miss: fixture ${fixtureName} has no recording of this request ` +
      `(model ${JSON.stringify(request.model)}, ${plural(request.messages.length, 'message')}); ${holds}.`,
  ];
  if (nearest) {
    const shown = nearest.differences.slice(0, MAX_DIFFERENCES_SHOWN);
    lines.push(`Nearest recorded request: recordings[${nearest.index}], ${plural(nearest.differences.length, 'difference')}:`);
    for (const difference of shown) lines.push(`  ${describeDifference(difference)}`);
    const hidden = nearest.differences.length - shown.length;
    if (hidden > 0) lines.push(`  … and ${plural(hidden, 'more difference')}`);
  }
  lines.push(
    mode === 'strict'
      ? 'Record the fixture again, or replay in permissive mode with a live fallback model.'
      : 'Permissive replay falls back to a live model on a miss, but none was given.',
  );
  return lines.join('\n');
}

function describeDifference({ path, recorded, requested }: Difference): string {
  if (typeof recorded === 'string' && typeof requested === 'string') {
    const from = excerptStart(recorded, requested);
    return `${path}: recorded ${excerpt(recorded, from)}, requested ${excerpt(requested, from)}`;
  }
  return `${path}: recorded ${showValue(recorded)}, requested ${showValue(requested)}`;
}

/** Where to start showing two strings so their first difference is in view, with some lead-in. */
function excerptStart(a: string, b: string): number {
  const leadIn = 20;
  let same = 0;
  while (same < a.length && same < b.length && a[same] === b[same]) same++;
  return same + leadIn <= MAX_VALUE_CHARS ? 0 : same - leadIn;
}

function excerpt(text: string, from: number): string {
  const cut = text.slice(from, from + MAX_VALUE_CHARS);
  const shown = `${from > 0 ? '…' : ''}${cut}${from + MAX_VALUE_CHARS < text.length ? '…' : ''}`;
  return JSON.stringify(shown); // quoted, with newlines escaped: one line per difference
}

function showValue(value: JsonValue | undefined): string {
  if (value === undefined) return '(absent)';
  const json = JSON.stringify(value);
  return json.length > MAX_VALUE_CHARS ? `${json.slice(0, MAX_VALUE_CHARS)}…` : json;
}

const plural = (count: number, noun: string): string => `${count} ${noun}${count === 1 ? '' : 's'}`;

// ---- wiring ---------------------------------------------------------------------------------

/** The CLI's --record / --replay / --strict flags. */
export interface RecordReplayOptions {
  /** Fixture to record into. */
  record?: string;
  /** Fixture to replay from. */
  replay?: string;
  /** With `replay`: a miss is an error instead of a live call. */
  strict?: boolean;
}

/**
 * Wraps `model` as the flags ask:
 * - record only: RecordingModel (a fresh fixture);
 * - replay only: ReplayModel, strict or falling back to `model`;
 * - both: replay, and record what the fixture lacks (appended when both name the same file,
 *   which may not exist yet: that fills a fixture in as the run goes).
 */
export function withRecordReplay(model: ChatModel, options: RecordReplayOptions): ChatModel {
  const { record, replay, strict = false } = options;
  if (strict && replay === undefined) throw new Error('strict replay needs a fixture to replay');
  if (replay === undefined) return record === undefined ? model : new RecordingModel(model, record);
  if (record === undefined) {
    return new ReplayModel(replay, { mode: strict ? 'strict' : 'permissive', fallback: model });
  }
  if (strict) throw new Error('strict replay never calls the live model, so there would be nothing to record');
  const sameFile = resolve(record) === resolve(replay);
  const recorder = new RecordingModel(model, record, { mode: sameFile ? 'append' : 'overwrite' });
  const fixture = sameFile ? (readFixtureIfExists(replay) ?? emptyFixture()) : readFixture(replay);
  return new ReplayModel(fixture, { mode: 'permissive', fallback: recorder, fixtureName: replay });
}
