/** A MemoryManager as a run uses it (RunMemory): recall into the prompt, keep interactions, offer the tools. */
import type { RunMemory } from '../agent/types';
import type { MemoryManager } from './manager';
import { memoryTools, recalled } from './tools';

export interface RunMemoryOptions {
  /** Recall memories into the system prompt before the first step (default true). */
  inject?: boolean;
  /** The recalled block's budget (default 800 tokens). */
  maxTokens?: number;
  /** Memories considered for the block (default 8). */
  limit?: number;
}

export function runMemory(manager: MemoryManager, options: RunMemoryOptions = {}): RunMemory {
  return {
    tools: memoryTools(manager),
    async recall(prompt) {
      if (options.inject === false) return undefined;
      const context = await manager.getContextForAgent(prompt, options.maxTokens ?? 800, { limit: options.limit ?? 8 });
      if (!context) return undefined;
      return { query: prompt, memories: context.memories.map(recalled), context: context.text, embedder: manager.embedder.model, fallback: manager.embedder.fallback };
    },
    storeInteraction: manager.autoStoreInteractions
      ? async (prompt, output, runId) => {
          const stored = await manager.storeInteraction(prompt, output, runId);
          return { source: 'interaction', memories: stored.map((m) => ({ id: m.id, content: m.content, memoryType: m.memoryType })) };
        }
      : undefined,
  };
}
