/**
 * The memory tools a run is offered when memory is on (and only then): remember, recall, forget.
 * Each says what it did in the run's event stream (memory_store, memory_recall, memory_forget).
 */
import { z } from 'zod';
import { defineTool, ToolError, type AnyTool } from '../tools/types';
import type { RecalledMemory } from '../events';
import { MemoryError } from './errors';
import type { MemoryManager } from './manager';
import { memoryTypes, type ScoredMemory } from './types';

export const recalled = (m: ScoredMemory): RecalledMemory => ({ id: m.id, content: m.content, memoryType: m.memoryType, scope: m.scope, timestamp: m.timestamp, score: Number(m.relevanceScore.toFixed(4)) });

/** Memory errors are the model's to read (an empty text, a bad type); anything else fails the call as usual. */
async function told<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof MemoryError) throw new ToolError(error.message);
    throw error;
  }
}

export function memoryTools(manager: MemoryManager): AnyTool[] {
  const remember = defineTool({
    name: 'remember',
    description:
      'Keep something worth knowing in later sessions: a fact about the project, a decision and its reason, a preference of the user. One self-contained statement per call.',
    parameters: z.object({
      content: z.string().describe('The statement to remember, understandable without this conversation'),
      type: z.enum(memoryTypes).optional().describe('semantic (a fact, the default), long_term (a lasting preference or rule), episodic (something that happened)'),
      importance: z.number().min(0).max(1).optional().describe('0 to 1 (default 0.5); 1 for what must never be forgotten'),
    }),
    readOnly: false,
    async execute({ content, type, importance }, ctx) {
      // The id comes from the call, so a call run again after a crash replaces its memory instead of adding another.
      const stored = await told(() =>
        manager.add([{ id: `${ctx.runId}.${ctx.toolCallId}`, content, memoryType: type, importance, provenance: { source: 'run', runId: ctx.runId, toolCallId: ctx.toolCallId } }]),
      );
      ctx.services.emitMemoryEvent({
        type: 'memory_store',
        data: { source: 'tool', toolCallId: ctx.toolCallId, memories: stored.map((m) => ({ id: m.id, content: m.content, memoryType: m.memoryType })) },
      });
      return `Remembered as ${stored.map((m) => m.id).join(', ')}.`;
    },
    recover: async () => ({ outcome: 'rerun' }),
  });

  const recall = defineTool({
    name: 'recall',
    description: 'Search long-term memory (by meaning and by keywords) for what earlier sessions learnt. Returns the best matches with their ids.',
    parameters: z.object({
      query: z.string().describe('What to look for'),
      limit: z.number().int().min(1).max(50).optional().describe('How many memories (default 5)'),
      type: z.enum(memoryTypes).optional().describe('Only memories of this type'),
    }),
    readOnly: true,
    async execute({ query, limit, type }, ctx) {
      const found = await told(() => manager.retrieveRelevant(query, { limit: limit ?? 5, memoryType: type }));
      ctx.services.emitMemoryEvent({
        type: 'memory_recall',
        data: { source: 'tool', toolCallId: ctx.toolCallId, query, memories: found.map(recalled), embedder: manager.embedder.model, fallback: manager.embedder.fallback },
      });
      if (found.length === 0) return 'No memories match.';
      return found.map((m) => `[${m.id}] (${m.memoryType}, ${new Date(m.timestamp).toISOString().slice(0, 10)}, score ${m.relevanceScore.toFixed(2)}) ${m.content}`).join('\n');
    },
  });

  const forget = defineTool({
    name: 'forget',
    description: 'Delete memories that are wrong or out of date, by the ids recall showed.',
    parameters: z.object({ ids: z.array(z.string().min(1)).min(1).describe('Ids of the memories to delete') }),
    readOnly: false,
    async execute({ ids }, ctx) {
      const deleted = await told(() => manager.forget(ids));
      ctx.services.emitMemoryEvent({ type: 'memory_forget', data: { toolCallId: ctx.toolCallId, ids, deleted } });
      return deleted === ids.length ? `Forgot ${deleted} ${deleted === 1 ? 'memory' : 'memories'}.` : `Forgot ${deleted} of ${ids.length}; the others did not exist.`;
    },
    recover: async () => ({ outcome: 'rerun' }),
  });

  return [remember, recall, forget];
}
