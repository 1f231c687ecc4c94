/** Whether a memory passes a MemoryFilter: the rule every store follows (the in-memory one runs it directly). */
import type { Memory, MemoryFilter } from './types';

export const asList = <T>(value: T | T[] | undefined): T[] | undefined => (value === undefined ? undefined : Array.isArray(value) ? value : [value]);

export function matchesFilter(memory: Memory, filter: MemoryFilter | undefined): boolean {
  if (!filter) return true;
  const types = asList(filter.memoryType);
  if (types && !types.includes(memory.memoryType)) return false;
  const scopes = asList(filter.scope);
  if (scopes && !scopes.includes(memory.scope)) return false;
  if (filter.since !== undefined && memory.timestamp < filter.since) return false;
  if (filter.until !== undefined && memory.timestamp >= filter.until) return false;
  if (filter.minImportance !== undefined && memory.importance < filter.minImportance) return false;
  for (const [key, value] of Object.entries(filter.metadata ?? {})) if (memory.metadata[key] !== value) return false;
  return true;
}
