/**
 * StateMemoryStore: memories in a Map, exact vector search and BM25 in process. For tests, short-term
 * memory, and as the reference the other stores are measured against.
 */
import { Bm25Index } from '../bm25';
import { EmbeddingSpaceError } from '../errors';
import { matchesFilter } from '../filter';
import { DEFAULT_LIMIT, fuse, HYBRID_CANDIDATES_PER_RESULT, retrievalMode, scored, type Ranked } from '../fusion';
import { orderMemories } from '../order';
import { checkVectors, sameSpace, spaceName } from '../space';
import { cosine } from '../vectors';
import type { EmbeddingSpace, Memory, MemoryFilter, MemoryPage, MemoryPatch, MemoryQuery, MemoryStore, ScoredMemory } from '../types';

export class StateMemoryStore implements MemoryStore {
  readonly kind = 'state';
  readonly #memories = new Map<string, Memory>();
  readonly #text = new Bm25Index();
  #space: EmbeddingSpace | undefined;

  async space(): Promise<EmbeddingSpace | undefined> {
    return this.#space && { ...this.#space };
  }

  async setSpace(space: EmbeddingSpace): Promise<void> {
    if (this.#space && !sameSpace(this.#space, space) && this.#memories.size > 0) {
      throw new EmbeddingSpaceError(`memory store (state) holds vectors of ${spaceName(this.#space)}, not ${spaceName(space)}: re-embed it or use that embedder`);
    }
    this.#space = { ...space };
  }

  async store(memories: Memory[]): Promise<void> {
    checkVectors(this.#space, memories, 'memory store (state)');
    for (const memory of memories) {
      const copy = structuredClone(memory);
      this.#memories.set(copy.id, copy);
      this.#text.add(copy.id, copy.content);
    }
  }

  async retrieve(query: MemoryQuery): Promise<ScoredMemory[]> {
    const limit = query.limit ?? DEFAULT_LIMIT;
    const mode = retrievalMode(query);
    const candidates = mode === 'hybrid' ? limit * HYBRID_CANDIDATES_PER_RESULT : limit;
    const vector = mode !== 'fulltext' && query.embedding ? this.#nearest(query.embedding, query.filter, candidates) : [];
    const fulltext = mode !== 'vector' && query.text !== undefined ? this.#bm25(query.text, query.filter, candidates) : [];
    if (mode === 'vector') return scored(vector, 'vector');
    if (mode === 'fulltext') return scored(fulltext, 'fulltext');
    return fuse(vector, fulltext, limit, query.fusion);
  }

  #nearest(embedding: number[], filter: MemoryFilter | undefined, limit: number): Ranked[] {
    checkVectors(this.#space, [{ id: 'the query', embedding }], 'memory store (state)');
    const ranked: Ranked[] = [];
    for (const memory of this.#memories.values()) {
      if (matchesFilter(memory, filter)) ranked.push({ memory: structuredClone(memory), score: cosine(embedding, memory.embedding) });
    }
    return ranked.sort((a, b) => b.score - a.score || a.memory.id.localeCompare(b.memory.id)).slice(0, limit);
  }

  #bm25(text: string, filter: MemoryFilter | undefined, limit: number): Ranked[] {
    return this.#text
      .search(text, limit, (id) => matchesFilter(this.#memories.get(id)!, filter))
      .map(({ id, score }) => ({ memory: structuredClone(this.#memories.get(id)!), score }));
  }

  async update(id: string, patch: MemoryPatch): Promise<Memory | undefined> {
    const memory = this.#memories.get(id);
    if (!memory) return undefined;
    const updated = { ...memory, ...structuredClone(patch) };
    if (patch.embedding) checkVectors(this.#space, [updated], 'memory store (state)');
    this.#memories.set(id, updated);
    if (patch.content !== undefined) this.#text.add(id, updated.content);
    return structuredClone(updated);
  }

  async delete(ids: string[]): Promise<number> {
    let deleted = 0;
    for (const id of new Set(ids)) {
      if (!this.#memories.delete(id)) continue;
      this.#text.remove(id);
      deleted++;
    }
    return deleted;
  }

  async get(id: string): Promise<Memory | undefined> {
    const memory = this.#memories.get(id);
    return memory && structuredClone(memory);
  }

  async list(page: MemoryPage = {}): Promise<Memory[]> {
    const matching = [...this.#memories.values()].filter((m) => matchesFilter(m, page.filter));
    const offset = page.offset ?? 0;
    return orderMemories(matching, page.order)
      .slice(offset, offset + (page.limit ?? Infinity))
      .map((m) => structuredClone(m));
  }

  async count(filter?: MemoryFilter): Promise<number> {
    let n = 0;
    for (const memory of this.#memories.values()) if (matchesFilter(memory, filter)) n++;
    return n;
  }

  async close(): Promise<void> {}
}
