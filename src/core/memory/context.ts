/** The "recalled" block a run's system prompt gets: the best memories that fit a token budget. */
import type { ScoredMemory } from './types';

/** A rough count (4 characters a token), enough to keep a block inside its budget. */
export const estimateTokens = (text: string): number => Math.ceil(text.length / 4);

const HEADER = 'Memories recalled for this task (from earlier sessions; they may be out of date — check before relying on them):';

export interface MemoryContext {
  text: string;
  memories: ScoredMemory[];
  tokens: number;
}

/** The memories, best first, that fit in `maxTokens` with the header; undefined when none fits. */
export function memoryContext(memories: ScoredMemory[], maxTokens: number): MemoryContext | undefined {
  const lines: string[] = [];
  const used: ScoredMemory[] = [];
  let tokens = estimateTokens(HEADER);
  for (const memory of memories) {
    const line = `- [${memory.memoryType}, ${new Date(memory.timestamp).toISOString().slice(0, 10)}] ${memory.content.replace(/\s+/g, ' ')}`;
    const cost = estimateTokens(line) + 1;
    if (tokens + cost > maxTokens) continue;
    lines.push(line);
    used.push(memory);
    tokens += cost;
  }
  if (used.length === 0) return undefined;
  return { text: [HEADER, ...lines].join('\n'), memories: used, tokens };
}
