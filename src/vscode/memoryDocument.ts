/**
 * A memory as an editable JSON document: its content, type, importance and metadata. Saving parses
 * it back with zod; a bad edit is refused with one line naming what is wrong, and the memory and the
 * unsaved document both stay as they were. Pure (no `vscode`), so it is tested in Node.
 */
import { z } from 'zod';
import { memoryTypes, type Memory, type MemoryType } from '../core';

const documentSchema = z.strictObject({
  content: z.string().trim().min(1, 'must not be empty'),
  type: z.enum(memoryTypes),
  importance: z.number().min(0).max(1),
  metadata: z.record(z.string(), z.unknown()),
});

export interface MemoryEdit {
  content: string;
  memoryType: MemoryType;
  importance: number;
  metadata: Record<string, unknown>;
}

export function memoryDocument(memory: Memory): string {
  return `${JSON.stringify({ content: memory.content, type: memory.memoryType, importance: memory.importance, metadata: memory.metadata }, null, 2)}\n`;
}

/** The edit a saved document asks for; throws one line naming the memory and what is wrong. */
export function parseMemoryDocument(text: string, id: string): MemoryEdit {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`memory ${id} was not saved: not valid JSON (${(error as Error).message})`);
  }
  const parsed = documentSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.length ? `"${issue.path.join('.')}" ` : '';
    throw new Error(`memory ${id} was not saved: ${where}${issue.message.replace(/^Invalid input: /, '')}`);
  }
  const { content, type, importance, metadata } = parsed.data;
  return { content, memoryType: type, importance, metadata };
}
