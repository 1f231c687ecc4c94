/**
 * Deterministic embeddings, as src/core/model/recordReplay.ts does for chat calls: RecordingEmbedder
 * writes what a live embedder answers into a fixture's `embeddings`, keyed by SHA-256 of the model and
 * the texts (embeddingsKey); ReplayEmbedder answers from it without calling anything. Only the model
 * name, the texts and the vectors are stored: never a key, a header or a URL.
 */
import { embeddingsKey } from '../../model/canonical';
import { emptyFixture, FixtureWriter, readFixture, readFixtureIfExists, validateFixture, type EmbeddingRecording, type Fixture } from '../../model/fixture';
import { MemoryError } from '../errors';
import type { Embedder } from '../types';

export class RecordingEmbedder implements Embedder {
  readonly model: string;
  readonly fallback: boolean;
  private readonly fixture: Fixture;
  private readonly recorded: Set<string>;
  private readonly writer: FixtureWriter;

  /** `append` keeps what the file holds (chat recordings included); `overwrite` (default) starts afresh. */
  constructor(
    private readonly live: Embedder,
    fixturePath: string,
    options: { mode?: 'overwrite' | 'append' } = {},
  ) {
    this.model = live.model;
    this.fallback = live.fallback;
    const existing = options.mode === 'append' ? readFixtureIfExists(fixturePath) : undefined;
    this.fixture = { ...(existing ?? emptyFixture()), embeddings: [...(existing?.embeddings ?? [])] };
    this.recorded = new Set(this.fixture.embeddings!.map((recording) => recording.key));
    this.writer = new FixtureWriter(fixturePath);
  }

  dimension(): Promise<number> {
    return this.live.dimension();
  }

  async embed(texts: readonly string[], options?: { signal?: AbortSignal }): Promise<number[][]> {
    const vectors = await this.live.embed(texts, options);
    const request = { model: this.model, input: [...texts] };
    const key = embeddingsKey(request);
    if (!this.recorded.has(key)) {
      this.recorded.add(key);
      this.fixture.embeddings!.push({ key, request, vectors });
      await this.writer.write({ ...this.fixture, embeddings: [...this.fixture.embeddings!] });
    }
    return vectors;
  }

  close(): Promise<void> {
    return this.live.close();
  }
}

export interface EmbeddingReplayOptions {
  /** Defaults to the model of the fixture's first embeddings call, else the live embedder's. */
  model?: string;
  /** Asked on a miss; without it a miss is an error. */
  live?: Embedder;
  /** How errors name a fixture given already parsed (default "(in memory)"). */
  fixtureName?: string;
}

export class ReplayEmbedder implements Embedder {
  readonly model: string;
  readonly fallback: boolean;
  readonly fixtureName: string;
  private readonly byKey = new Map<string, EmbeddingRecording>();
  private readonly live?: Embedder;

  constructor(fixture: string | Fixture, options: EmbeddingReplayOptions = {}) {
    this.fixtureName = typeof fixture === 'string' ? fixture : (options.fixtureName ?? '(in memory)');
    const parsed = typeof fixture === 'string' ? readFixture(fixture) : validateFixture(fixture, this.fixtureName);
    for (const recording of parsed.embeddings ?? []) if (!this.byKey.has(recording.key)) this.byKey.set(recording.key, recording);
    this.live = options.live;
    this.model = options.model ?? parsed.embeddings?.[0]?.request.model ?? options.live?.model ?? 'unknown';
    this.fallback = options.live?.fallback ?? false;
  }

  async dimension(): Promise<number> {
    const recorded = [...this.byKey.values()].find((recording) => recording.vectors.length > 0);
    if (recorded) return recorded.vectors[0]!.length;
    if (this.live) return this.live.dimension();
    throw new MemoryError(`replay: fixture ${this.fixtureName} holds no embeddings of ${this.model}, so its dimension is unknown`);
  }

  async embed(texts: readonly string[], options?: { signal?: AbortSignal }): Promise<number[][]> {
    options?.signal?.throwIfAborted();
    const recording = this.byKey.get(embeddingsKey({ model: this.model, input: [...texts] }));
    if (recording) return structuredClone(recording.vectors);
    if (this.live) return this.live.embed(texts, options);
    const first = texts[0] === undefined ? '' : `, the first ${JSON.stringify(texts[0].slice(0, 40))}`;
    throw new MemoryError(
      `replay miss: fixture ${this.fixtureName} has no embeddings of these ${texts.length} texts by ${this.model}${first} ` +
        `(it holds ${this.byKey.size} embeddings calls); record the fixture again`,
    );
  }

  async close(): Promise<void> {
    await this.live?.close();
  }
}
