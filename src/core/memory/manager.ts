/**
 * MemoryManager: an embedder and a store together. It checks what goes in (content.ts), embeds it,
 * keeps vectors of one model per store, ranks what comes out by relevance, recency and importance
 * (ranking.ts), and builds the block a run's prompt gets (context.ts).
 */
import { randomIds, systemClock, type Clock, type IdSource } from '../clock';
import { checkedContent, chunkContent } from './content';
import { consolidateMemories, type ConsolidationOptions, type ConsolidationResult } from './consolidation';
import { memoryContext, type MemoryContext } from './context';
import { EmbeddingSpaceError, MemoryError } from './errors';
import { rankMemories, type RankingOptions } from './ranking';
import { sameSpace, spaceName } from './space';
import type {
  Embedder,
  EmbeddingSpace,
  Fusion,
  Memory,
  MemoryFilter,
  MemoryMetadata,
  MemoryPage,
  MemoryProvenance,
  MemoryScope,
  MemoryStore,
  MemoryType,
  RetrievalMode,
  ScoredMemory,
} from './types';
import { memoryTypes } from './types';

export interface MemoryManagerOptions {
  store: MemoryStore;
  embedder: Embedder;
  /** Where new memories go (default `global`); searches see this scope and `global`. */
  scope?: MemoryScope;
  /** Keep each completed run's prompt and answer as an episodic memory. */
  autoStoreInteractions?: boolean;
  ranking?: RankingOptions;
  clock?: Clock;
  ids?: IdSource;
}

/** A memory to add: only `content` is needed. */
export interface MemoryInput {
  content: string;
  id?: string;
  memoryType?: MemoryType;
  metadata?: MemoryMetadata;
  importance?: number;
  timestamp?: number;
  scope?: MemoryScope;
  provenance?: MemoryProvenance;
}

export interface RecallOptions {
  limit?: number;
  memoryType?: MemoryType | MemoryType[];
  filter?: MemoryFilter;
  /** Default hybrid. */
  mode?: RetrievalMode;
  fusion?: Fusion;
}

export interface MemoryStats {
  store: string;
  embedder: string;
  fallback: boolean;
  total: number;
  byType: Record<MemoryType, number>;
}

/** Embedding in batches keeps memory flat and lets a long import report progress. */
const EMBED_BATCH = 64;
/**
 * Hashed vectors know no meaning, only shared word forms: measured on Cranfield and the synthetic set
 * (bench/memoryQuality.bench.ts), weighting them 0.3 against BM25 beats reciprocal rank fusion, which
 * lets the weaker ranking pull good full-text hits down. A language model's vectors get RRF.
 */
const FALLBACK_FUSION: Fusion = { kind: 'weighted', vectorWeight: 0.3 };
/** Each ranking fetches more than asked, so recency and importance can lift a memory into the results. */
const RERANK_CANDIDATES = 3;

export class MemoryManager {
  readonly store: MemoryStore;
  readonly embedder: Embedder;
  readonly scope: MemoryScope;
  readonly autoStoreInteractions: boolean;
  readonly #ranking: RankingOptions;
  readonly #clock: Clock;
  readonly #ids: IdSource;

  private constructor(options: MemoryManagerOptions) {
    this.store = options.store;
    this.embedder = options.embedder;
    this.scope = options.scope ?? 'global';
    this.autoStoreInteractions = options.autoStoreInteractions ?? false;
    this.#ranking = options.ranking ?? {};
    this.#clock = options.clock ?? systemClock;
    this.#ids = options.ids ?? randomIds;
  }

  /**
   * Binds a new store to the embedder's space. A store holding another model's vectors is refused
   * (EmbeddingSpaceError): open a store for this model and `reembedFrom` the old one, or use that model.
   */
  static async open(options: MemoryManagerOptions): Promise<MemoryManager> {
    const wanted = await spaceOf(options.embedder);
    const held = await options.store.space();
    if (held && !sameSpace(held, wanted) && (await options.store.count()) > 0) {
      throw new EmbeddingSpaceError(`memory store (${options.store.kind}) holds vectors of ${spaceName(held)}, but the embedder gives ${spaceName(wanted)}: re-embed it, or use that embedder`);
    }
    if (!held || !sameSpace(held, wanted)) await options.store.setSpace(wanted);
    return new MemoryManager(options);
  }

  /** The scopes searches look in: this manager's and the global one. */
  get visibleScopes(): MemoryScope[] {
    return this.scope === 'global' ? ['global'] : [this.scope, 'global'];
  }

  /** Checks, chunks, embeds and stores; long content becomes several memories linked by `metadata.chunk`. */
  async add(inputs: MemoryInput[], options: { signal?: AbortSignal; onProgress?: (done: number, total: number) => void } = {}): Promise<Memory[]> {
    const memories = inputs.flatMap((input, i) => this.#prepare(input, inputs.length === 1 ? 'memory' : `memory ${i + 1}`));
    for (let at = 0; at < memories.length; at += EMBED_BATCH) {
      const batch = memories.slice(at, at + EMBED_BATCH);
      const vectors = await this.embedder.embed(batch.map((m) => m.content), { signal: options.signal });
      batch.forEach((m, i) => (m.embedding = vectors[i]!));
      await this.store.store(batch);
      options.onProgress?.(Math.min(at + EMBED_BATCH, memories.length), memories.length);
    }
    return memories;
  }

  #prepare(input: MemoryInput, where: string): Memory[] {
    const content = checkedContent(input.content, where);
    if (input.memoryType !== undefined && !memoryTypes.includes(input.memoryType)) {
      throw new MemoryError(`${where}: type "${String(input.memoryType)}" is not one of ${memoryTypes.join(', ')}`);
    }
    if (input.importance !== undefined && !(input.importance >= 0 && input.importance <= 1)) {
      throw new MemoryError(`${where}: importance must be between 0 and 1, got ${input.importance}`);
    }
    const id = input.id ?? this.#ids();
    const chunks = chunkContent(content);
    return chunks.map((text, index) => ({
      id: chunks.length === 1 ? id : `${id}#${index + 1}`,
      content: text,
      embedding: [],
      memoryType: input.memoryType ?? 'semantic',
      timestamp: input.timestamp ?? this.#clock.now(),
      metadata: chunks.length === 1 ? { ...input.metadata } : { ...input.metadata, chunk: { of: id, index: index + 1, count: chunks.length } },
      importance: input.importance ?? 0.5,
      scope: input.scope ?? this.scope,
      provenance: input.provenance ?? { source: 'user' },
    }));
  }

  /** A finished exchange as an episodic memory; its id comes from the run, so storing it twice keeps one. */
  storeInteraction(prompt: string, answer: string, runId: string): Promise<Memory[]> {
    const content = `Task: ${prompt.trim()}\nOutcome: ${answer.trim() || '(no answer)'}`;
    return this.add([{ id: `interaction-${runId}`, content, memoryType: 'episodic', provenance: { source: 'run', runId }, metadata: { kind: 'interaction' } }]);
  }

  /** Facts as semantic memories. */
  storeFacts(facts: string[], metadata: MemoryMetadata = {}): Promise<Memory[]> {
    return this.add(facts.map((content) => ({ content, memoryType: 'semantic', metadata: { ...metadata, kind: 'fact' } })));
  }

  /** Preferences (e.g. { indentation: 'tabs' }) as important long-term memories. */
  rememberPreferences(preferences: Record<string, string> | string[]): Promise<Memory[]> {
    const lines = Array.isArray(preferences) ? preferences : Object.entries(preferences).map(([key, value]) => `${key}: ${value}`);
    return this.add(lines.map((content) => ({ content, memoryType: 'long_term', importance: 0.8, metadata: { kind: 'preference' } })));
  }

  /** The memories most relevant to `query` in the visible scopes, best first, scored with recency and importance. */
  async retrieveRelevant(query: string, options: RecallOptions = {}): Promise<ScoredMemory[]> {
    const text = checkedContent(query, 'memory query');
    const limit = options.limit ?? 10;
    const mode = options.mode ?? 'hybrid';
    const embedding = mode === 'fulltext' ? undefined : (await this.embedder.embed([text]))[0];
    const filter: MemoryFilter = { scope: this.visibleScopes, ...options.filter, ...(options.memoryType ? { memoryType: options.memoryType } : {}) };
    const fusion = options.fusion ?? (this.embedder.fallback ? FALLBACK_FUSION : undefined);
    const found = await this.store.retrieve({ text: mode === 'vector' ? undefined : text, embedding, mode, limit: limit * RERANK_CANDIDATES, filter, fusion });
    return rankMemories(found, this.#clock.now(), this.#ranking).slice(0, limit);
  }

  /** The block to add to an agent's prompt: the most relevant memories that fit `maxTokens`. */
  async getContextForAgent(currentPrompt: string, maxTokens = 800, options: RecallOptions = {}): Promise<MemoryContext | undefined> {
    return memoryContext(await this.retrieveRelevant(currentPrompt, options), maxTokens);
  }

  /** Changes a memory; new content is checked and embedded again. */
  async update(id: string, patch: Partial<Pick<Memory, 'content' | 'memoryType' | 'metadata' | 'importance' | 'scope'>>): Promise<Memory | undefined> {
    if (patch.content === undefined) return this.store.update(id, patch);
    const content = checkedContent(patch.content, `memory ${id}`);
    const [embedding] = await this.embedder.embed([content]);
    return this.store.update(id, { ...patch, content, embedding });
  }

  forget(ids: string[]): Promise<number> {
    return this.store.delete(ids);
  }

  get(id: string): Promise<Memory | undefined> {
    return this.store.get(id);
  }

  list(page: MemoryPage = {}): Promise<Memory[]> {
    return this.store.list(page);
  }

  count(filter?: MemoryFilter): Promise<number> {
    return this.store.count(filter);
  }

  async stats(): Promise<MemoryStats> {
    const counts = await Promise.all(memoryTypes.map((memoryType) => this.store.count({ memoryType })));
    return {
      store: this.store.kind,
      embedder: this.embedder.model,
      fallback: this.embedder.fallback,
      total: counts.reduce((a, b) => a + b, 0),
      byType: Object.fromEntries(memoryTypes.map((type, i) => [type, counts[i]!])) as Record<MemoryType, number>,
    };
  }

  /** Copies every memory of `source` (another model's store) into this one, embedded with this manager's model. */
  async reembedFrom(source: MemoryStore, options: { signal?: AbortSignal; onProgress?: (done: number, total: number) => void } = {}): Promise<number> {
    const total = await source.count();
    let done = 0;
    for (let offset = 0; offset < total; offset += EMBED_BATCH) {
      const page = await source.list({ offset, limit: EMBED_BATCH, order: 'oldest' });
      if (page.length === 0) break;
      const vectors = await this.embedder.embed(page.map((m) => m.content), { signal: options.signal });
      await this.store.store(page.map((m, i) => ({ ...m, embedding: vectors[i]! })));
      done += page.length;
      options.onProgress?.(done, total);
    }
    return done;
  }

  /** Summarises old episodic memories into semantic ones with the model, keeping and linking the originals (consolidation.ts). */
  consolidate(options: ConsolidationOptions): Promise<ConsolidationResult> {
    return consolidateMemories(this, { now: this.#clock.now(), ...options });
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.store.close(), this.embedder.close()]);
  }
}

async function spaceOf(embedder: Embedder): Promise<EmbeddingSpace> {
  return { model: embedder.model, dimension: await embedder.dimension() };
}
