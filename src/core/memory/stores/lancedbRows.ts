/**
 * How a Memory lies in a LanceDB table: one row, the fields filters use as columns (so they push
 * down as SQL), metadata and provenance as JSON text, and the embedding space in the schema's
 * metadata (so it survives reopening). Snake-case column names: LanceDB's SQL folds unquoted names.
 */
import type * as Arrow from 'apache-arrow';
import type { LanceDbModules } from './lancedbLoad';
import { asList } from '../filter';
import type { EmbeddingSpace, Memory, MemoryFilter } from '../types';

/** A type, not an interface, so it passes as LanceDB's Record<string, unknown>. */
export type MemoryRow = {
  id: string;
  content: string;
  vector: number[];
  memory_type: string;
  scope: string;
  timestamp_ms: number;
  importance: number;
  metadata: string;
  provenance: string;
};

const MODEL_KEY = 'embedding_model';
const DIMENSION_KEY = 'embedding_dimension';

export function memorySchema(arrow: LanceDbModules['arrow'], space: EmbeddingSpace): Arrow.Schema {
  const text = (name: string) => new arrow.Field(name, new arrow.Utf8(), false);
  const number = (name: string) => new arrow.Field(name, new arrow.Float64(), false);
  return new arrow.Schema(
    [
      text('id'),
      text('content'),
      new arrow.Field('vector', new arrow.FixedSizeList(space.dimension, new arrow.Field('item', new arrow.Float32(), true)), false),
      text('memory_type'),
      text('scope'),
      number('timestamp_ms'),
      number('importance'),
      text('metadata'),
      text('provenance'),
    ],
    new Map([
      [MODEL_KEY, space.model],
      [DIMENSION_KEY, String(space.dimension)],
    ]),
  );
}

/** The space a table was made for, or undefined when its schema is not one of ours. */
export function spaceOfSchema(schema: Arrow.Schema): EmbeddingSpace | undefined {
  const model = schema.metadata.get(MODEL_KEY);
  const dimension = Number(schema.metadata.get(DIMENSION_KEY));
  const columns = new Set(schema.fields.map((f) => f.name));
  const complete = ['id', 'content', 'vector', 'memory_type', 'scope', 'timestamp_ms', 'importance', 'metadata', 'provenance'].every((c) => columns.has(c));
  return model !== undefined && Number.isInteger(dimension) && complete ? { model, dimension } : undefined;
}

export function toRow(memory: Memory): MemoryRow {
  return {
    id: memory.id,
    content: memory.content,
    vector: memory.embedding,
    memory_type: memory.memoryType,
    scope: memory.scope,
    timestamp_ms: memory.timestamp,
    importance: memory.importance,
    metadata: JSON.stringify(memory.metadata),
    provenance: JSON.stringify(memory.provenance),
  };
}

/** A row as LanceDB gives it back (the vector is an Arrow vector). */
export function toMemory(row: Record<string, unknown>): Memory {
  return {
    id: row.id as string,
    content: row.content as string,
    embedding: Array.from(row.vector as Iterable<number>),
    memoryType: row.memory_type as Memory['memoryType'],
    timestamp: row.timestamp_ms as number,
    metadata: JSON.parse(row.metadata as string) as Memory['metadata'],
    importance: row.importance as number,
    scope: row.scope as Memory['scope'],
    provenance: JSON.parse(row.provenance as string) as Memory['provenance'],
  };
}

/** A SQL string literal: quotes doubled (LanceDB's SQL has no backslash escapes). */
export const sqlString = (value: string) => `'${value.replaceAll("'", "''")}'`;

const sqlList = (values: readonly string[]) => values.map(sqlString).join(', ');

export const idsIn = (ids: readonly string[]) => `id IN (${sqlList(ids)})`;

/**
 * The filter as a SQL `where`, or undefined for none. Metadata is JSON text, so a metadata condition
 * becomes a necessary one (the `"key":value` text occurs in the JSON); callers re-check with
 * matchesFilter, which a nested key of the same name could still fail.
 */
export function whereOf(filter: MemoryFilter | undefined): string | undefined {
  if (!filter) return undefined;
  const parts: string[] = [];
  const types = asList(filter.memoryType);
  if (types) parts.push(types.length ? `memory_type IN (${sqlList(types)})` : 'false');
  const scopes = asList(filter.scope);
  if (scopes) parts.push(scopes.length ? `scope IN (${sqlList(scopes)})` : 'false');
  if (filter.since !== undefined) parts.push(`timestamp_ms >= ${sqlNumber(filter.since)}`);
  if (filter.until !== undefined) parts.push(`timestamp_ms < ${sqlNumber(filter.until)}`);
  if (filter.minImportance !== undefined) parts.push(`importance >= ${sqlNumber(filter.minImportance)}`);
  for (const [key, value] of Object.entries(filter.metadata ?? {})) {
    parts.push(`strpos(metadata, ${sqlString(`${JSON.stringify(key)}:${JSON.stringify(value)}`)}) > 0`);
  }
  return parts.length ? parts.join(' AND ') : undefined;
}

function sqlNumber(value: number): string {
  if (!Number.isFinite(value)) throw new RangeError(`memory filter: ${value} is not a finite number`);
  return String(value);
}

export const hasMetadataFilter = (filter: MemoryFilter | undefined) => Object.keys(filter?.metadata ?? {}).length > 0;
