/** The orders a listing can have; ties break by id so pages never overlap. */
import type { Memory, MemoryOrder } from './types';

export function orderMemories(memories: Memory[], order: MemoryOrder = 'newest'): Memory[] {
  const byId = (a: Memory, b: Memory) => a.id.localeCompare(b.id);
  const compare: Record<MemoryOrder, (a: Memory, b: Memory) => number> = {
    newest: (a, b) => b.timestamp - a.timestamp || byId(a, b),
    oldest: (a, b) => a.timestamp - b.timestamp || byId(a, b),
    importance: (a, b) => b.importance - a.importance || b.timestamp - a.timestamp || byId(a, b),
  };
  return memories.sort(compare[order]);
}
