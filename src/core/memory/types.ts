/**
 * The memory protocols (ARCHITECTURE.md): a MemoryStore keeps memories with their vectors and answers
 * vector, full-text and hybrid queries; an Embedder turns text into vectors. Every store passes one
 * contract suite (test/core/memoryStore.contract.test.ts); every embedder another.
 */

export const memoryTypes = ['episodic', 'semantic', 'short_term', 'long_term'] as const;
export type MemoryType = (typeof memoryTypes)[number];

/** `global` follows the user across workspaces; `workspace:<key>` belongs to one workspace. */
export type MemoryScope = 'global' | `workspace:${string}`;

/** Where a memory came from: the run (and its event) that created it, or the user. */
export interface MemoryProvenance {
  source: 'run' | 'user' | 'import' | 'consolidation';
  runId?: string;
  /** The tool call of that run that created the memory. */
  toolCallId?: string;
  /** Consolidation: the memories it summarises. */
  from?: string[];
}

/** JSON-safe metadata, kept as given and returned with every result. */
export type MemoryMetadata = Record<string, unknown>;

export interface Memory {
  id: string;
  content: string;
  /** In the store's embedding space (see EmbeddingSpace); empty only in a store without vectors. */
  embedding: number[];
  memoryType: MemoryType;
  /** Milliseconds since the epoch: when it happened or was learnt. */
  timestamp: number;
  metadata: MemoryMetadata;
  /** 0..1; a pinned memory has 1. */
  importance: number;
  scope: MemoryScope;
  provenance: MemoryProvenance;
}

/** Which memories a query or listing looks at; every given field must match. */
export interface MemoryFilter {
  memoryType?: MemoryType | MemoryType[];
  scope?: MemoryScope | MemoryScope[];
  /** timestamp >= since */
  since?: number;
  /** timestamp < until */
  until?: number;
  minImportance?: number;
  /** Top-level metadata keys that must equal these values. */
  metadata?: Record<string, string | number | boolean>;
}

export type RetrievalMode = 'vector' | 'fulltext' | 'hybrid';

/** How hybrid retrieval merges its two rankings: reciprocal rank fusion, or weighted normalised scores. */
export type Fusion = { kind: 'rrf'; k?: number } | { kind: 'weighted'; vectorWeight: number };

export interface MemoryQuery {
  /** For full-text (BM25) ranking. */
  text?: string;
  /** For vector ranking, in the store's space. */
  embedding?: number[];
  /** Default: hybrid when both text and embedding are given, otherwise the one that is. */
  mode?: RetrievalMode;
  limit?: number;
  filter?: MemoryFilter;
  /** Hybrid only (default rrf with k 60). */
  fusion?: Fusion;
}

export interface ScoredMemory extends Memory {
  /** Higher is more relevant: cosine similarity (vector), BM25 (full-text) or the fused score (hybrid). */
  relevanceScore: number;
  /** The parts the score came from. */
  scores: { vector?: number; fulltext?: number };
}

/** Which model's vectors a store holds; vectors of two spaces are never mixed. */
export interface EmbeddingSpace {
  model: string;
  dimension: number;
}

export type MemoryOrder = 'newest' | 'oldest' | 'importance';

export interface MemoryPage {
  filter?: MemoryFilter;
  offset?: number;
  limit?: number;
  order?: MemoryOrder;
}

export type MemoryPatch = Partial<Pick<Memory, 'content' | 'embedding' | 'memoryType' | 'metadata' | 'importance' | 'scope' | 'timestamp'>>;

export interface MemoryStore {
  /** e.g. "lancedb", "pgvector", "state" (shown in the UI and in stats). */
  readonly kind: string;
  /** The space the stored vectors are in; undefined while the store is new. */
  space(): Promise<EmbeddingSpace | undefined>;
  /** Binds a new (or emptied) store to a space; a store holding another space's vectors refuses (EmbeddingSpaceError). */
  setSpace(space: EmbeddingSpace): Promise<void>;
  /** Adds memories (ids unique; an existing id is replaced). Vectors must be in the store's space. */
  store(memories: Memory[]): Promise<void>;
  retrieve(query: MemoryQuery): Promise<ScoredMemory[]>;
  /** The updated memory, or undefined when there is none with that id. */
  update(id: string, patch: MemoryPatch): Promise<Memory | undefined>;
  /** How many of these ids existed and are now gone. */
  delete(ids: string[]): Promise<number>;
  get(id: string): Promise<Memory | undefined>;
  list(page?: MemoryPage): Promise<Memory[]>;
  count(filter?: MemoryFilter): Promise<number>;
  close(): Promise<void>;
}

export interface Embedder {
  /** Names the vectors' space: the same model gives comparable vectors, e.g. "Xenova/all-MiniLM-L6-v2". */
  readonly model: string;
  /** True for the dependency-free hashing fallback, reported as such wherever results are shown. */
  readonly fallback: boolean;
  dimension(): Promise<number>;
  /** One unit-length vector per text, in order. */
  embed(texts: readonly string[], options?: { signal?: AbortSignal }): Promise<number[][]>;
  close(): Promise<void>;
}
