/**
 * LanceDbMemoryStore: memories in an embedded LanceDB table on disk (one folder), with exact or ANN
 * vector search (cosine), BM25 through LanceDB's full-text index, and hybrid fused by fuse() like
 * every other store. LanceDB itself is loaded on first open (lancedbLoad.ts); its queries run on its
 * own threads, so nothing here blocks the event loop. Several processes may share the folder: reads
 * look for other writers' commits every time, and writes retry on commit conflicts.
 */
import { mkdir, readdir, stat } from 'node:fs/promises';
import type { Connection, Table, VectorQuery } from '@lancedb/lancedb';
import { EmbeddingSpaceError, MemoryError, MemoryStoreError } from '../errors';
import { matchesFilter } from '../filter';
import { DEFAULT_LIMIT, fuse, HYBRID_CANDIDATES_PER_RESULT, retrievalMode, scored, type Ranked } from '../fusion';
import { checkVectors, sameSpace, spaceName } from '../space';
import { words } from '../words';
import type { EmbeddingSpace, Memory, MemoryFilter, MemoryOrder, MemoryPage, MemoryPatch, MemoryQuery, MemoryStore, ScoredMemory } from '../types';
import { loadLanceDb, type LanceDbModules } from './lancedbLoad';
import { TableMaintenance } from './lancedbMaintenance';
import { hasMetadataFilter, idsIn, memorySchema, spaceOfSchema, sqlString, toMemory, toRow, whereOf } from './lancedbRows';
import { tuneVectorQuery, VECTOR_INDEX_MIN_ROWS } from './lancedbVectorIndex';

export interface LanceDbMemoryStoreOptions {
  /** The table inside the folder (default "memories"). */
  table?: string;
  /** Rows from which the vector column gets an ANN index; below, vector search is exact. */
  vectorIndexMinRows?: number;
}

const DEFAULT_TABLE = 'memories';
const WRITE_ATTEMPTS = 8;

const ORDER: Record<MemoryOrder, { columnName: string; ascending: boolean }[]> = {
  newest: [{ columnName: 'timestamp_ms', ascending: false }, { columnName: 'id', ascending: true }],
  oldest: [{ columnName: 'timestamp_ms', ascending: true }, { columnName: 'id', ascending: true }],
  importance: [{ columnName: 'importance', ascending: false }, { columnName: 'timestamp_ms', ascending: false }, { columnName: 'id', ascending: true }],
};

export class LanceDbMemoryStore implements MemoryStore {
  readonly kind = 'lancedb';
  #table: Table | undefined;
  /** The space #table was made for (read from its schema once). */
  #space: EmbeddingSpace | undefined;
  readonly #maintenance: TableMaintenance;

  private constructor(
    private readonly modules: LanceDbModules,
    private readonly db: Connection,
    private readonly dir: string,
    private readonly tableName: string,
    vectorIndexMinRows: number,
  ) {
    this.#maintenance = new TableMaintenance(modules, () => this.#table, vectorIndexMinRows);
  }

  /** Opens (or creates) the store in `dir`; a folder that is no LanceDB database, or a damaged table, is refused untouched. */
  static async open(dir: string, options: LanceDbMemoryStoreOptions = {}): Promise<LanceDbMemoryStore> {
    const tableName = options.table ?? DEFAULT_TABLE;
    await checkFolder(dir, tableName);
    const modules = await loadLanceDb();
    const failed = (error: unknown): never => {
      throw new MemoryStoreError(`memory store (lancedb) at ${dir} cannot be opened: ${reason(error)}`, { cause: error });
    };
    // Interval 0: every read looks for commits by other processes (another VS Code window).
    const db = await modules.lancedb.connect(dir, { readConsistencyInterval: 0 }).catch(failed);
    const store = new LanceDbMemoryStore(modules, db, dir, tableName, options.vectorIndexMinRows ?? VECTOR_INDEX_MIN_ROWS);
    try {
      await store.#openTable();
      await store.#checkReadable();
      if ((await store.#maintenance.refresh()).behind) store.#maintenance.afterWrite();
    } catch (error) {
      db.close();
      if (error instanceof MemoryError) throw error;
      failed(error);
    }
    return store;
  }

  get #where() {
    return `memory store (lancedb) at ${this.dir}`;
  }

  /** The table, opened once another process (or setSpace) has created it. */
  async #openTable(): Promise<Table | undefined> {
    if (this.#table) return this.#table;
    if (!(await this.db.tableNames()).includes(this.tableName)) return undefined;
    const table = await this.db.openTable(this.tableName);
    this.#setTable(table, spaceOfSchema(await table.schema()));
    return table;
  }

  #setTable(table: Table, space: EmbeddingSpace | undefined): void {
    if (!space) {
      table.close();
      throw new MemoryStoreError(`${this.#where}: table ${this.tableName} is not a memory table (its columns or embedding space are missing)`);
    }
    this.#table = table;
    this.#space = space;
  }

  /** Reads every data file's ids once, so a damaged file fails here, at open, not mid-run. */
  async #checkReadable(): Promise<void> {
    await this.#table?.query().select(['id']).toArrow();
  }

  /** Runs a LanceDB call, turning its failures into a MemoryStoreError naming the folder. */
  async #lance<T>(what: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (error instanceof MemoryError) throw error;
      throw new MemoryStoreError(`${this.#where}: ${what} failed: ${reason(error)}`, { cause: error });
    }
  }

  /** A write, retried when another writer committed first (LanceDB retries some conflicts itself, not all). */
  async #write<T>(what: string, call: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        const result = await this.#lance(what, call);
        this.#maintenance.afterWrite();
        return result;
      } catch (error) {
        if (attempt >= WRITE_ATTEMPTS || !/conflict|retryable|concurrent/i.test(String((error as Error).message))) throw error;
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * attempt));
      }
    }
  }

  async space(): Promise<EmbeddingSpace | undefined> {
    const table = await this.#lance('reading the space', () => this.#openTable());
    return table && { ...this.#space! };
  }

  async setSpace(space: EmbeddingSpace): Promise<void> {
    const current = await this.space();
    if (current && sameSpace(current, space)) return;
    const schema = memorySchema(this.modules.arrow, space);
    if (current) {
      if ((await this.count()) > 0) {
        throw new EmbeddingSpaceError(`${this.#where} holds vectors of ${spaceName(current)}, not ${spaceName(space)}: re-embed it or use that embedder`);
      }
      // Empty: a table for the new space replaces it (a vector column's dimension cannot change).
      this.#table!.close();
      this.#setTable(await this.#lance('setting the space', () => this.db.createEmptyTable(this.tableName, schema, { mode: 'overwrite' })), space);
      return;
    }
    try {
      this.#setTable(await this.db.createEmptyTable(this.tableName, schema, { mode: 'create' }), space);
    } catch (error) {
      // Another process created it first: theirs stands if it is the same space.
      if (!(await this.db.tableNames()).includes(this.tableName)) throw new MemoryStoreError(`${this.#where}: setting the space failed: ${reason(error)}`, { cause: error });
      await this.setSpace(space);
    }
  }

  async #requireTable(): Promise<Table> {
    const table = await this.#lance('opening the table', () => this.#openTable());
    if (!table) throw new EmbeddingSpaceError(`${this.#where}: no embedding space set yet; call setSpace first`);
    return table;
  }

  async store(memories: Memory[]): Promise<void> {
    if (memories.length === 0) return;
    checkVectors(await this.space(), memories, this.#where);
    // One row per id (the last wins), as merge-insert needs.
    const rows = [...new Map(memories.map((m) => [m.id, toRow(m)])).values()];
    const table = await this.#requireTable();
    await this.#write('storing memories', () => table.mergeInsert('id').whenMatchedUpdateAll().whenNotMatchedInsertAll().execute(rows));
  }

  async retrieve(query: MemoryQuery): Promise<ScoredMemory[]> {
    const limit = query.limit ?? DEFAULT_LIMIT;
    const mode = retrievalMode(query);
    const candidates = mode === 'hybrid' ? limit * HYBRID_CANDIDATES_PER_RESULT : limit;
    const [vector, fulltext] = await Promise.all([
      mode !== 'fulltext' && query.embedding ? this.#nearest(query.embedding, query.filter, candidates) : [],
      mode !== 'vector' && query.text !== undefined ? this.#bm25(query.text, query.filter, candidates) : [],
    ]);
    if (mode === 'vector') return scored(vector, 'vector');
    if (mode === 'fulltext') return scored(fulltext, 'fulltext');
    return fuse(vector, fulltext, limit, query.fusion);
  }

  async #nearest(embedding: number[], filter: MemoryFilter | undefined, limit: number): Promise<Ranked[]> {
    checkVectors(await this.space(), [{ id: 'the query', embedding }], this.#where);
    const table = await this.#requireTable();
    return this.#ranked('vector search', filter, limit, (n) => {
      const query = table.vectorSearch(embedding).distanceType('cosine').limit(n);
      return this.#maintenance.vectorIndexed ? tuneVectorQuery(query) : query;
    }, (row) => 1 - (row._distance as number));
  }

  async #bm25(text: string, filter: MemoryFilter | undefined, limit: number): Promise<Ranked[]> {
    const terms = words(text);
    const table = await this.#openTable();
    if (terms.length === 0 || !table) return [];
    await this.#lance('indexing for full-text search', () => this.#maintenance.catchUpFullText());
    const match = new this.modules.lancedb.MatchQuery(terms.join(' '), 'content');
    const ranked = await this.#ranked('full-text search', filter, limit, (n) => table.query().fullTextSearch(match).limit(n), (row) => row._score as number);
    // Ordered here too: LanceDB leaves rows it scanned outside the index unordered.
    return ranked.sort((a, b) => b.score - a.score || a.memory.id.localeCompare(b.memory.id));
  }

  /**
   * One ranking, the filter pushed down as SQL. Metadata conditions are re-checked here; when that
   * drops rows, the query is asked again for more, so `limit` is still met when enough match.
   */
  async #ranked(what: string, filter: MemoryFilter | undefined, limit: number, build: (n: number) => VectorQuery | ReturnType<Table['query']>, score: (row: Record<string, unknown>) => number): Promise<Ranked[]> {
    const where = whereOf(filter);
    for (let n = limit; ; n *= 4) {
      const query = build(n);
      const rows: Record<string, unknown>[] = await this.#lance(what, () => (where ? query.where(where) : query).toArray());
      const ranked = rows.map((row) => ({ memory: toMemory(row), score: score(row) })).filter((r) => matchesFilter(r.memory, filter));
      if (ranked.length >= limit || rows.length < n || !hasMetadataFilter(filter)) return ranked.slice(0, limit);
    }
  }

  async update(id: string, patch: MemoryPatch): Promise<Memory | undefined> {
    const memory = await this.get(id);
    if (!memory) return undefined;
    const updated: Memory = { ...memory, ...structuredClone(patch), id };
    await this.store([updated]);
    return updated;
  }

  async delete(ids: string[]): Promise<number> {
    const table = await this.#lance('deleting memories', () => this.#openTable());
    if (!table || ids.length === 0) return 0;
    const { numDeletedRows } = await this.#write('deleting memories', () => table.delete(idsIn([...new Set(ids)])));
    return numDeletedRows;
  }

  async get(id: string): Promise<Memory | undefined> {
    const table = await this.#lance('reading a memory', () => this.#openTable());
    if (!table) return undefined;
    const rows = await this.#lance('reading a memory', () => table.query().where(`id = ${sqlString(id)}`).limit(1).toArray());
    return rows[0] && toMemory(rows[0]);
  }

  async list(page: MemoryPage = {}): Promise<Memory[]> {
    const table = await this.#lance('listing memories', () => this.#openTable());
    if (!table) return [];
    const { filter, offset = 0, limit } = page;
    const where = whereOf(filter);
    let query = table.query().orderBy(ORDER[page.order ?? 'newest']);
    if (where) query = query.where(where);
    // Metadata is re-checked here, so then the page is cut here too.
    const exact = !hasMetadataFilter(filter);
    if (exact && offset > 0) query = query.offset(offset);
    if (exact && limit !== undefined) query = query.limit(limit);
    const memories = (await this.#lance('listing memories', () => query.toArray())).map(toMemory);
    return exact ? memories : memories.filter((m) => matchesFilter(m, filter)).slice(offset, limit === undefined ? undefined : offset + limit);
  }

  async count(filter?: MemoryFilter): Promise<number> {
    const table = await this.#lance('counting memories', () => this.#openTable());
    if (!table) return 0;
    if (!hasMetadataFilter(filter)) return this.#lance('counting memories', () => table.countRows(whereOf(filter)));
    return (await this.list({ filter })).length;
  }

  /** Brings the indexes up to date now (normally done in the background after writes). */
  async maintain(): Promise<void> {
    await this.#maintenance.run();
  }

  /** Whether vector search goes through an ANN index (it does once the table is big enough). */
  get vectorIndexed(): boolean {
    return this.#maintenance.vectorIndexed;
  }

  async close(): Promise<void> {
    await this.#maintenance.close();
    this.#table?.close();
    this.#table = undefined;
    this.db.close();
  }
}

const reason = (error: unknown) => (error instanceof Error ? error.message : String(error)).split('\n')[0];

/** A missing folder is made; an existing one must be a folder holding LanceDB tables (`*.lance`) or nothing. */
async function checkFolder(dir: string, tableName: string): Promise<void> {
  const info = await stat(dir).catch(() => undefined);
  if (!info) {
    await mkdir(dir, { recursive: true }).catch((error: unknown) => {
      throw new MemoryStoreError(`memory store (lancedb) at ${dir} cannot be created: ${reason(error)}`, { cause: error });
    });
    return;
  }
  if (!info.isDirectory()) throw new MemoryStoreError(`memory store (lancedb) at ${dir}: not a folder`);
  const entries = await readdir(dir);
  if (entries.length > 0 && !entries.some((e) => e.endsWith('.lance'))) {
    throw new MemoryStoreError(`memory store (lancedb) at ${dir}: the folder is not a LanceDB database (no ${tableName}.lance or other table in it)`);
  }
}
