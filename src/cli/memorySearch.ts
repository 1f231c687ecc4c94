/**
 * `memory search "<query>"`, or `--queries FILE` for many queries in one process (one a line; blank
 * lines are skipped, and every result carries its query's 0-based line number as `query`).
 */
import { MemoryError, type MemoryManager, type MemoryType, type RetrievalMode, type ScoredMemory } from '../core';
import { existingFile, fileLines } from './fileLines';
import { resultJson, resultTable } from './memoryOutput';
import { UsageError } from './options';
import type { CliIO } from './runTask';

export const retrievalModes = ['hybrid', 'vector', 'fulltext'] as const satisfies readonly RetrievalMode[];

export interface SearchOptions {
  limit: number;
  type?: MemoryType;
  mode: RetrievalMode;
  json: boolean;
  queries?: string;
}

export async function searchMemories(query: string | undefined, manager: MemoryManager, options: SearchOptions, io: CliIO): Promise<number> {
  const search = (text: string) => manager.retrieveRelevant(text, { limit: options.limit, memoryType: options.type, mode: options.mode });
  if (options.queries === undefined) {
    write(await search(query!), options.json, io);
    return 0;
  }
  for await (const line of fileLines(options.queries)) {
    const where = `${options.queries}:${line.number}`;
    if ('error' in line) throw new MemoryError(`${where}: ${line.error}`);
    if (!line.text.trim()) continue;
    const results = await search(line.text).catch((error: Error) => {
      throw new MemoryError(`${where}: ${error.message}`);
    });
    write(results, options.json, io, { index: line.number - 1, text: line.text });
  }
  return 0;
}

/** `query`: the query's line in a --queries file. */
function write(results: ScoredMemory[], json: boolean, io: CliIO, query?: { index: number; text: string }): void {
  if (json) {
    for (const result of results) io.out.write(`${resultJson(result, query?.index)}\n`);
    return;
  }
  if (query) io.out.write(`query ${query.index}: ${query.text}\n`);
  io.out.write(results.length ? resultTable(results) : 'no memories match\n');
  if (query) io.out.write('\n');
}

/** Exactly one of a query argument and --queries FILE. */
export function checkedQuery(query: string | undefined, queries: string | undefined): void {
  if (query !== undefined && queries !== undefined) throw new UsageError('give a query or --queries FILE, not both');
  if (queries !== undefined) existingFile(queries, '--queries');
  else if (query === undefined) throw new UsageError('the query is missing: deep-agent memory search "<query>", or --queries FILE');
  else if (!query.trim()) throw new UsageError('the query is empty');
}
