/**
 * Memories as JSON lines, to import and export: `{"content", "type", "metadata", "timestamp",
 * "importance"}` with only content required (what `deep-agent memory import` reads, and what the
 * Memory view exports, with ids, scope and provenance added so a round trip keeps everything).
 */
import { z } from 'zod';
import { checkedContent } from './content';
import { MemoryError } from './errors';
import type { MemoryInput } from './manager';
import { memoryTypes, type Memory } from './types';

const recordSchema = z.strictObject({
  content: z.string(),
  type: z.enum(memoryTypes).optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
  /** Milliseconds since the epoch, or an ISO date. */
  timestamp: z.union([z.number().finite(), z.iso.datetime({ offset: true }), z.iso.date()]).optional(),
  importance: z.number().min(0).max(1).optional(),
  id: z.string().min(1).optional(),
  scope: z.union([z.literal('global'), z.string().regex(/^workspace:.+/)]).optional(),
  provenance: z.looseObject({ source: z.enum(['run', 'user', 'import', 'consolidation']) }).optional(),
});

export type MemoryRecord = z.input<typeof recordSchema>;

/** One line of a JSONL file as a memory to add, checked as MemoryManager.add checks it; `where` names the file and line in the error. */
export function parseMemoryRecord(line: string, where: string): MemoryInput {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    throw new MemoryError(`${where}: not JSON (${(error as Error).message})`);
  }
  const parsed = recordSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new MemoryError(`${where}: ${issue.path.length ? `"${issue.path.join('.')}" ` : ''}${issue.message.replace(/^Invalid input: /, '')}`);
  }
  const r = parsed.data;
  return {
    content: checkedContent(r.content, where),
    id: r.id,
    memoryType: r.type,
    metadata: r.metadata,
    importance: r.importance,
    timestamp: typeof r.timestamp === 'string' ? Date.parse(r.timestamp) : r.timestamp,
    scope: r.scope as MemoryInput['scope'],
    provenance: (r.provenance as MemoryInput['provenance']) ?? { source: 'import' },
  };
}

/** A memory as one JSON line (no vector: it belongs to the embedder, and is made again on import). */
export const memoryRecord = (memory: Memory): string => JSON.stringify(memoryRecordOf(memory));

/** A memory as the record a JSON line holds. */
export function memoryRecordOf(memory: Memory): MemoryRecord {
  return {
    id: memory.id,
    content: memory.content,
    type: memory.memoryType,
    metadata: memory.metadata,
    timestamp: memory.timestamp,
    importance: memory.importance,
    scope: memory.scope,
    provenance: { ...memory.provenance },
  };
}
