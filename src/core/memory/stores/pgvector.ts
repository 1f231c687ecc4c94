/**
 * PgVectorMemoryStore: memories in a PostgreSQL table with the pgvector extension. Vector search is
 * cosine distance (`<=>`) over an HNSW index; full-text is BM25 computed in SQL over a generated
 * tsvector with a GIN index (the same formula as the in-memory store, so scores compare); hybrid
 * fuses the two like every store. The embedding space is kept in a meta table beside the memories.
 *
 * A server that drops the connection is retried a few times with growing pauses (each try a whole
 * transaction, so a batch lands whole or not at all), then reported naming the server, never its
 * password. `pg` is loaded on first open, so nothing loads it unless this store is chosen.
 */
import type { Pool, PoolClient } from 'pg';
import { EmbeddingSpaceError, MemoryStoreError } from '../errors';
import { DEFAULT_LIMIT, fuse, HYBRID_CANDIDATES_PER_RESULT, retrievalMode, scored, type Ranked } from '../fusion';
import { checkVectors, sameSpace, spaceName } from '../space';
import type { EmbeddingSpace, Memory, MemoryFilter, MemoryPage, MemoryPatch, MemoryQuery, MemoryStore, ScoredMemory } from '../types';
import { defaultReconnectPolicy, describeServer, inTransaction, isConnectionLost, retryingLostConnections, schemaPattern, scrubbedReason, withClient } from '../../postgres';
import {
  bindDimensionSql,
  bm25Sql,
  createTablesSql,
  listSql,
  memoryColumns,
  memoryOf,
  nearestSql,
  pgVectorTables,
  updateSql,
  upsertParams,
  upsertSql,
  vectorText,
  whereSql,
  type MemoryRow,
  type PgVectorTables,
} from './pgvectorSql';

export interface PgVectorMemoryStoreOptions {
  /** Default `deep_agent`; created when missing. */
  schema?: string;
  /** Default `memories`; its space is kept in `<table>_meta`. */
  table?: string;
}

/** Rows per insert statement of a batch (all in one transaction). */
const ROWS_PER_INSERT = 500;

export class PgVectorMemoryStore implements MemoryStore {
  readonly kind = 'pgvector';
  /** e.g. "PostgreSQL at 127.0.0.1:5432/app (deep_agent.memories)"; never the password. */
  readonly description: string;
  readonly #pool: Pool;
  /** Ended by close, unless the caller gave the pool. */
  readonly #ownsPool: boolean;
  readonly #password: string | undefined;
  readonly #tables: PgVectorTables;
  readonly #lockKey: string;
  #space: EmbeddingSpace | undefined;

  private constructor(pool: Pool, ownsPool: boolean, server: { name: string; password?: string }, schema: string, table: string) {
    this.#pool = pool;
    this.#ownsPool = ownsPool;
    this.#password = server.password;
    this.#tables = pgVectorTables(schema, table);
    this.#lockKey = `deep-agent-memory:${schema}.${table}`;
    this.description = `PostgreSQL at ${server.name} (${schema}.${table})`;
  }

  /**
   * Opens (creating when missing) the memory table at `connection`: a connection string such as
   * postgresql://user:password@host:5432/db, or a pool the caller owns (not ended by `close`).
   */
  static async open(connection: string | Pool, options: PgVectorMemoryStoreOptions = {}): Promise<PgVectorMemoryStore> {
    const schema = options.schema ?? 'deep_agent';
    const table = options.table ?? 'memories';
    if (!schemaPattern.test(schema)) throw new MemoryStoreError(`"${schema}" is not a valid schema name for memories (letters, digits and _)`);
    if (!schemaPattern.test(table)) throw new MemoryStoreError(`"${table}" is not a valid table name for memories (letters, digits and _)`);
    const given = typeof connection === 'string' ? undefined : connection;
    const server = describeServer(given ? { pool: given } : { connectionString: connection as string });
    let pool = given;
    if (!pool) {
      const { default: pg } = await import('pg');
      // Without a timeout, a server that does not answer would hang the caller forever.
      pool = new pg.Pool({ connectionString: connection as string, connectionTimeoutMillis: 10_000 });
      // An idle connection the server drops is replaced on next use; unheard, it would crash the process.
      pool.on('error', () => {});
    }
    const store = new PgVectorMemoryStore(pool, !given, server, schema, table);
    try {
      await store.#run('opening', () => store.#createTables());
    } catch (error) {
      await store.close();
      throw error;
    }
    return store;
  }

  async space(): Promise<EmbeddingSpace | undefined> {
    return this.#space && { ...this.#space };
  }

  async setSpace(space: EmbeddingSpace): Promise<void> {
    if (!space.model || !Number.isInteger(space.dimension) || space.dimension < 1 || space.dimension > 16_000) {
      throw new EmbeddingSpaceError(`${this.description}: ${JSON.stringify(space)} is not an embedding space (a model name and 1 to 16000 dimensions)`);
    }
    this.#space = await this.#run('setting the embedding space', () =>
      this.#locked(async (client) => {
        const current = await readSpace(client, this.#tables);
        if (current && sameSpace(current, space)) return current;
        const { rows } = await client.query<{ any: boolean }>(`select exists (select 1 from ${this.#tables.memories}) as any`);
        if (current && rows[0]!.any) {
          throw new EmbeddingSpaceError(`${this.description} holds vectors of ${spaceName(current)}, not ${spaceName(space)}: re-embed it or use that embedder`);
        }
        for (const sql of bindDimensionSql(this.#tables, space.dimension)) await client.query(sql);
        await client.query(`insert into ${this.#tables.meta} (key, value) values ('space', $1) on conflict (key) do update set value = excluded.value`, [JSON.stringify(space)]);
        return { model: space.model, dimension: space.dimension };
      }),
    );
  }

  async store(memories: Memory[]): Promise<void> {
    checkVectors(this.#space, memories, this.description);
    if (memories.length === 0) return;
    // One id twice in a statement is refused by Postgres; the later one wins, as if stored one after another.
    const unique = [...new Map(memories.map((m) => [m.id, m])).values()];
    await this.#run(`storing ${unique.length} memories`, () =>
      inTransaction(this.#pool, async (client) => {
        for (let i = 0; i < unique.length; i += ROWS_PER_INSERT) await client.query(upsertSql(this.#tables), upsertParams(unique.slice(i, i + ROWS_PER_INSERT)));
      }),
    );
  }

  async retrieve(query: MemoryQuery): Promise<ScoredMemory[]> {
    const limit = query.limit ?? DEFAULT_LIMIT;
    const mode = retrievalMode(query);
    const candidates = mode === 'hybrid' ? limit * HYBRID_CANDIDATES_PER_RESULT : limit;
    const embedding = mode !== 'fulltext' ? query.embedding : undefined;
    if (embedding) checkVectors(this.#space, [{ id: 'the query', embedding }], this.description);
    const [vector, fulltext] = await this.#run(`searching (${mode})`, () =>
      withClient(this.#pool, async (client) => {
        const ranked = async ({ sql, params }: { sql: string; params: unknown[] }): Promise<Ranked[]> =>
          (await client.query<MemoryRow & { score: number }>(sql, params)).rows.map((row) => ({ memory: memoryOf(row), score: row.score }));
        let nearest: Ranked[] = [];
        if (embedding) {
          // Filters are applied as the index is walked, not to its first few results, so a filtered query still fills its limit.
          await client.query(`begin; set local hnsw.iterative_scan = strict_order`);
          nearest = byScore(await ranked(nearestSql(this.#tables, embedding, query.filter, candidates)));
          await client.query('commit');
        }
        const bm25 = mode !== 'vector' && query.text !== undefined ? await ranked(bm25Sql(this.#tables, query.text, query.filter, candidates)) : [];
        return [nearest, bm25] as const;
      }),
    );
    if (mode === 'vector') return scored(vector, 'vector');
    if (mode === 'fulltext') return scored(fulltext, 'fulltext');
    return fuse(vector, fulltext, limit, query.fusion);
  }

  async update(id: string, patch: MemoryPatch): Promise<Memory | undefined> {
    if (patch.embedding) checkVectors(this.#space, [{ id, embedding: patch.embedding }], this.description);
    const params = [
      id,
      patch.content ?? null,
      patch.embedding ? vectorText(patch.embedding) : null,
      patch.memoryType ?? null,
      patch.scope ?? null,
      patch.timestamp ?? null,
      patch.importance ?? null,
      patch.metadata ? JSON.stringify(patch.metadata) : null,
    ];
    const rows = await this.#query<MemoryRow>(`updating memory ${id}`, updateSql(this.#tables), params);
    return rows[0] && memoryOf(rows[0]);
  }

  async delete(ids: string[]): Promise<number> {
    if (ids.length === 0) return 0;
    return this.#run(`deleting ${ids.length} memories`, async () => (await this.#pool.query(`delete from ${this.#tables.memories} where id = any($1::text[])`, [ids])).rowCount ?? 0);
  }

  async get(id: string): Promise<Memory | undefined> {
    const rows = await this.#query<MemoryRow>(`reading memory ${id}`, `select ${memoryColumns} from ${this.#tables.memories} where id = $1`, [id]);
    return rows[0] && memoryOf(rows[0]);
  }

  async list(page: MemoryPage = {}): Promise<Memory[]> {
    const { sql, params } = listSql(this.#tables, page.filter, page.order ?? 'newest', page.offset ?? 0, page.limit);
    return (await this.#query<MemoryRow>('listing memories', sql, params)).map(memoryOf);
  }

  async count(filter?: MemoryFilter): Promise<number> {
    const params: unknown[] = [];
    const sql = `select count(*)::float8 as n from ${this.#tables.memories} where ${whereSql(filter, params)}`;
    return (await this.#query<{ n: number }>('counting memories', sql, params))[0]!.n;
  }

  async close(): Promise<void> {
    if (this.#ownsPool && !this.#pool.ended) await this.#pool.end();
  }

  /** Creates what is missing and reads the space, under a lock so two stores opening at once do not collide in the catalogs. */
  async #createTables(): Promise<void> {
    this.#space = await this.#locked(async (client) => {
      for (const sql of createTablesSql(this.#tables)) await client.query(sql);
      return readSpace(client, this.#tables);
    });
  }

  /** `use` in a transaction that holds this table's advisory lock. */
  #locked<T>(use: (client: PoolClient) => Promise<T>): Promise<T> {
    return inTransaction(this.#pool, async (client) => {
      await client.query('select pg_advisory_xact_lock(hashtextextended($1, 0))', [this.#lockKey]);
      return use(client);
    });
  }

  async #query<R extends object>(doing: string, sql: string, params: unknown[]): Promise<R[]> {
    return this.#run(doing, async () => (await this.#pool.query<R>(sql, params)).rows);
  }

  /** `attempt`, retried while the server is unreachable; failures become one-line MemoryStoreErrors naming the server. */
  async #run<T>(doing: string, attempt: () => Promise<T>): Promise<T> {
    try {
      return await retryingLostConnections(attempt);
    } catch (error) {
      if (error instanceof EmbeddingSpaceError || error instanceof MemoryStoreError) throw error;
      const unreachable = isConnectionLost(error) ? `server unreachable after ${defaultReconnectPolicy.attempts} tries: ` : '';
      throw new MemoryStoreError(`${this.description}: ${doing}: ${unreachable}${scrubbedReason(error, this.#password)}`);
    }
  }
}

async function readSpace(client: { query: Pool['query'] }, tables: PgVectorTables): Promise<EmbeddingSpace | undefined> {
  const { rows } = await client.query<{ value: string }>(`select value from ${tables.meta} where key = 'space'`);
  return rows[0] ? (JSON.parse(rows[0].value) as EmbeddingSpace) : undefined;
}

/** Best first; equal scores by id, as every store orders them. */
function byScore(ranking: Ranked[]): Ranked[] {
  return ranking.sort((a, b) => b.score - a.score || a.memory.id.localeCompare(b.memory.id));
}
