/**
 * Importing a memory file: its records, each with where it is (`file:line`, or `file: item n`), then
 * added in batches. Every good record is kept; each bad one is named by where it is. No `vscode`:
 * tested in Node against a real MemoryManager (memoryTransfer.ts adds the dialogs and progress).
 */
import { MemoryError, parseMemoryRecord, type MemoryInput, type MemoryManager } from '../core';

/** Records parsed and added at a time: the extension host gets its turn between batches. */
const BATCH = 200;

export interface ImportResult {
  imported: number;
  /** One line per bad record, naming where it is and what is wrong. */
  problems: string[];
}

/** A .json file's array items, or JSON lines (blank lines skipped). */
export function recordsOf(text: string, file: string): { text: string; where: string }[] {
  const trimmed = text.trimStart();
  if (file.endsWith('.json') && trimmed.startsWith('[')) {
    let items: unknown[];
    try {
      items = JSON.parse(trimmed) as unknown[];
    } catch (error) {
      throw new Error(`${file}: not a JSON array (${(error as Error).message})`);
    }
    return items.map((item, i) => ({ text: JSON.stringify(item), where: `${file}: item ${i + 1}` }));
  }
  return text.split(/\r?\n/).flatMap((line, i) => (line.trim() ? [{ text: line, where: `${file}:${i + 1}` }] : []));
}

export async function importRecords(
  manager: MemoryManager,
  records: readonly { text: string; where: string }[],
  options: { signal?: AbortSignal; onProgress?: (done: number, total: number) => void } = {},
): Promise<ImportResult> {
  const result: ImportResult = { imported: 0, problems: [] };
  for (let at = 0; at < records.length && !options.signal?.aborted; at += BATCH) {
    const batch: { input: MemoryInput; where: string }[] = [];
    for (const record of records.slice(at, at + BATCH)) {
      try {
        batch.push({ input: parseMemoryRecord(record.text, record.where), where: record.where });
      } catch (error) {
        result.problems.push(messageOf(error));
      }
    }
    result.imported += await addBatch(manager, batch, result.problems, options.signal);
    options.onProgress?.(Math.min(at + BATCH, records.length), records.length);
  }
  return result;
}

/**
 * Adds a batch at once; when the manager refuses one of its records (an empty content, say), each is
 * added on its own, so the good ones are kept and the bad one is named by where it is.
 */
async function addBatch(manager: MemoryManager, batch: { input: MemoryInput; where: string }[], problems: string[], signal?: AbortSignal): Promise<number> {
  if (batch.length === 0) return 0;
  try {
    await manager.add(batch.map((b) => b.input), { signal });
    return batch.length;
  } catch (error) {
    if (!(error instanceof MemoryError)) throw error;
  }
  let added = 0;
  for (const { input, where } of batch) {
    try {
      await manager.add([input], { signal });
      added++;
    } catch (error) {
      if (!(error instanceof MemoryError)) throw error;
      problems.push(`${where}: ${messageOf(error).replace(/^memory: /, '')}`);
    }
  }
  return added;
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));
