/**
 * The SQL of the pgvector store: its tables, the filter as a parameterised WHERE clause, and the two
 * rankings. Values always travel as parameters; only the checked table names are spliced in.
 */
import { BM25_B, BM25_K1 } from '../bm25';
import type { Memory, MemoryFilter, MemoryOrder } from '../types';

/** Quoted, schema-qualified names. */
export interface PgVectorTables {
  schema: string;
  memories: string;
  meta: string;
  /** Unquoted index names (they live in the table's schema). */
  vectorIndex: string;
  textIndex: string;
}

export function pgVectorTables(schema: string, table: string): PgVectorTables {
  return { schema: `"${schema}"`, memories: `"${schema}"."${table}"`, meta: `"${schema}"."${table}_meta"`, vectorIndex: `${table}_embedding_hnsw`, textIndex: `${table}_tsv_gin` };
}

/** The text search configuration: English stems without stop words, as the in-memory store's BM25 (words.ts terms) has. */
const TS_CONFIG = `'english'::regconfig`;

/** Words in a text (every occurrence), for BM25's length normalisation. */
const textLength = (content: string) => `(select coalesce(sum(cardinality(positions)), 0)::int from unnest(to_tsvector(${TS_CONFIG}, ${content})))`;

/**
 * The tables, in the caller's transaction. The vector column gets its dimension (and its HNSW index)
 * from setSpace: a new store does not know it yet.
 */
export function createTablesSql(t: PgVectorTables): string[] {
  return [
    'create extension if not exists vector',
    `create schema if not exists ${t.schema}`,
    `create table if not exists ${t.meta} (key text primary key, value text not null)`,
    `create table if not exists ${t.memories} (
      id text primary key,
      content text not null,
      embedding vector not null,
      memory_type text not null,
      scope text not null,
      timestamp_ms bigint not null,
      importance double precision not null,
      metadata jsonb not null,
      provenance jsonb not null,
      text_length int not null,
      tsv tsvector generated always as (to_tsvector(${TS_CONFIG}, content)) stored)`,
    `create index if not exists "${t.textIndex}" on ${t.memories} using gin (tsv)`,
  ];
}

/** Binds the vector column to `dimension` and indexes it (HNSW indexes up to 2000 dimensions; past that, search is exact). */
export function bindDimensionSql(t: PgVectorTables, dimension: number): string[] {
  const index = `${t.schema}."${t.vectorIndex}"`;
  return [
    `drop index if exists ${index}`,
    `alter table ${t.memories} alter column embedding type vector(${dimension})`,
    ...(dimension <= 2000 ? [`create index "${t.vectorIndex}" on ${t.memories} using hnsw (embedding vector_cosine_ops)`] : []),
  ];
}

export const memoryColumns = `id, content, embedding::text as embedding, memory_type, scope, timestamp_ms::float8 as timestamp_ms, importance, metadata, provenance`;

export interface MemoryRow {
  id: string;
  content: string;
  embedding: string;
  memory_type: Memory['memoryType'];
  scope: Memory['scope'];
  timestamp_ms: number;
  importance: number;
  metadata: Memory['metadata'];
  provenance: Memory['provenance'];
}

export function memoryOf(row: MemoryRow): Memory {
  return {
    id: row.id,
    content: row.content,
    embedding: JSON.parse(row.embedding) as number[],
    memoryType: row.memory_type,
    timestamp: row.timestamp_ms,
    metadata: row.metadata,
    importance: row.importance,
    scope: row.scope,
    provenance: row.provenance,
  };
}

/** pgvector's text form of a vector. */
export const vectorText = (embedding: number[]) => `[${embedding.join(',')}]`;

/** One statement for a batch: arrays of the fields, one element per memory; a stored id is replaced. */
export function upsertSql(t: PgVectorTables): string {
  return `insert into ${t.memories} (id, content, embedding, memory_type, scope, timestamp_ms, importance, metadata, provenance, text_length)
    select r.id, r.content, r.embedding::vector, r.memory_type, r.scope, r.timestamp_ms, r.importance, r.metadata, r.provenance, ${textLength('r.content')}
    from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::float8[], $8::jsonb[], $9::jsonb[])
      as r(id, content, embedding, memory_type, scope, timestamp_ms, importance, metadata, provenance)
    on conflict (id) do update set content = excluded.content, embedding = excluded.embedding, memory_type = excluded.memory_type,
      scope = excluded.scope, timestamp_ms = excluded.timestamp_ms, importance = excluded.importance, metadata = excluded.metadata,
      provenance = excluded.provenance, text_length = excluded.text_length`;
}

export function upsertParams(memories: Memory[]): unknown[] {
  return [
    memories.map((m) => m.id),
    memories.map((m) => m.content),
    memories.map((m) => vectorText(m.embedding)),
    memories.map((m) => m.memoryType),
    memories.map((m) => m.scope),
    memories.map((m) => m.timestamp),
    memories.map((m) => m.importance),
    memories.map((m) => JSON.stringify(m.metadata)),
    memories.map((m) => JSON.stringify(m.provenance)),
  ];
}

/** Sets what the patch gives ($2..$8, null for what it leaves alone) and returns the memory. */
export function updateSql(t: PgVectorTables): string {
  return `update ${t.memories} set content = coalesce($2, content), embedding = coalesce($3::vector, embedding),
      memory_type = coalesce($4, memory_type), scope = coalesce($5, scope), timestamp_ms = coalesce($6::bigint, timestamp_ms),
      importance = coalesce($7::float8, importance), metadata = coalesce($8::jsonb, metadata), text_length = ${textLength('coalesce($2, content)')}
    where id = $1 returning ${memoryColumns}`;
}

const asList = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

/**
 * The filter as SQL conditions on the memory table's columns (" and "-joined, "true" when empty);
 * its values are appended to `params` and referred to by number.
 */
export function whereSql(filter: MemoryFilter | undefined, params: unknown[]): string {
  const conditions: string[] = [];
  const param = (value: unknown) => `$${params.push(value)}`;
  if (filter?.memoryType !== undefined) conditions.push(`memory_type = any(${param(asList(filter.memoryType))}::text[])`);
  if (filter?.scope !== undefined) conditions.push(`scope = any(${param(asList(filter.scope))}::text[])`);
  if (filter?.since !== undefined) conditions.push(`timestamp_ms >= ${param(filter.since)}::float8`);
  if (filter?.until !== undefined) conditions.push(`timestamp_ms < ${param(filter.until)}::float8`);
  if (filter?.minImportance !== undefined) conditions.push(`importance >= ${param(filter.minImportance)}::float8`);
  if (filter?.metadata && Object.keys(filter.metadata).length > 0) conditions.push(`metadata @> ${param(JSON.stringify(filter.metadata))}::jsonb`);
  return conditions.length > 0 ? conditions.join(' and ') : 'true';
}

const orders: Record<MemoryOrder, string> = {
  newest: 'timestamp_ms desc, id collate "C"',
  oldest: 'timestamp_ms asc, id collate "C"',
  importance: 'importance desc, timestamp_ms desc, id collate "C"',
};

export function listSql(t: PgVectorTables, filter: MemoryFilter | undefined, order: MemoryOrder, offset: number, limit: number | undefined): { sql: string; params: unknown[] } {
  const params: unknown[] = [];
  const where = whereSql(filter, params);
  const page = `offset ${`$${params.push(offset)}`}${limit === undefined ? '' : ` limit $${params.push(limit)}`}`;
  return { sql: `select ${memoryColumns} from ${t.memories} where ${where} order by ${orders[order]} ${page}`, params };
}

/** The nearest memories by cosine distance; score = cosine similarity. */
export function nearestSql(t: PgVectorTables, embedding: number[], filter: MemoryFilter | undefined, limit: number): { sql: string; params: unknown[] } {
  const params: unknown[] = [vectorText(embedding)];
  const where = whereSql(filter, params);
  return {
    sql: `select ${memoryColumns}, 1 - (embedding <=> $1::vector) as score from ${t.memories} where ${where} order by embedding <=> $1::vector limit $${params.push(limit)}`,
    params,
  };
}

/**
 * BM25 (k1 1.2, b 0.75, the in-memory store's formula) computed in SQL: documents with any of the
 * query's words (found through the GIN index), term frequencies from the tsvector's positions,
 * document frequencies over every memory (not only those the filter lets through), then the filter.
 */
export function bm25Sql(t: PgVectorTables, text: string, filter: MemoryFilter | undefined, limit: number): { sql: string; params: unknown[] } {
  const params: unknown[] = [text];
  const where = whereSql(filter, params);
  const sql = `with
    q as (select replace(plainto_tsquery(${TS_CONFIG}, $1)::text, ' & ', ' | ')::tsquery as query,
                 tsvector_to_array(to_tsvector(${TS_CONFIG}, $1)) as terms),
    corpus as (select count(*)::float8 as n, coalesce(nullif(avg(text_length), 0), 1)::float8 as avg_length from ${t.memories}),
    hits as (select id, tsv, text_length, memory_type, scope, timestamp_ms, importance, metadata from ${t.memories} where tsv @@ (select query from q)),
    tf as (select h.id, u.lexeme as term, cardinality(u.positions)::float8 as tf from hits h cross join q cross join unnest(h.tsv) as u where u.lexeme = any(q.terms)),
    df as (select term, count(*)::float8 as df from tf group by term),
    ranked as (
      select tf.id, sum(ln(1 + (c.n - df.df + 0.5) / (df.df + 0.5)) * tf.tf * ${BM25_K1 + 1}
                        / (tf.tf + ${BM25_K1} * (1 - ${BM25_B} + ${BM25_B} * h.text_length / c.avg_length))) as score
      from tf join df using (term) join hits h using (id) cross join corpus c
      where h.id in (select id from hits where ${where})
      group by tf.id)
    select ${memoryColumns}, r.score from ranked r join ${t.memories} m using (id)
    order by r.score desc, id collate "C" limit $${params.push(limit)}`;
  return { sql, params };
}
