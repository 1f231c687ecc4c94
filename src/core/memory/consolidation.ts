/**
 * Consolidation: old episodic memories (what happened) summarised by the model into semantic ones
 * (what was learnt). The originals are kept and linked both ways: each new memory lists its sources
 * in `provenance.from`, each source names what it went into in `metadata.consolidatedInto`, and a
 * source already consolidated is not summarised again.
 */
import type { ChatModel } from '../model/types';
import { MemoryError } from './errors';
import type { MemoryManager } from './manager';
import type { Memory } from './types';

export interface ConsolidationOptions {
  model: ChatModel;
  /** Only episodic memories older than this (default 7 days). */
  olderThanMs?: number;
  /** Memories summarised together (default 20). */
  groupSize?: number;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
  now?: number;
}

export interface ConsolidationResult {
  /** Episodic memories summarised. */
  consolidated: number;
  /** Semantic memories made from them. */
  created: Memory[];
}

const DAY_MS = 86_400_000;
const MAX_FACTS_PER_GROUP = 10;

const PROMPT = `You consolidate an agent's memories. Below are episodes from earlier sessions, one per line.
Write the durable facts, decisions and preferences they show, one per line, each understandable on its own.
Leave out what only mattered at the time. Write at most ${MAX_FACTS_PER_GROUP} lines, no numbering, nothing else.`;

export async function consolidateMemories(manager: MemoryManager, options: ConsolidationOptions): Promise<ConsolidationResult> {
  const now = options.now ?? Date.now();
  const until = now - (options.olderThanMs ?? 7 * DAY_MS);
  const groupSize = options.groupSize ?? 20;
  const candidates = (await allEpisodes(manager, until)).filter((m) => m.metadata.consolidatedInto === undefined);
  const created: Memory[] = [];
  let done = 0;
  for (let at = 0; at < candidates.length; at += groupSize) {
    options.signal?.throwIfAborted();
    const group = candidates.slice(at, at + groupSize);
    const facts = await summarise(options.model, group, options.signal);
    const from = group.map((m) => m.id);
    const made = facts.length ? await manager.add(facts.map((content) => ({ content, memoryType: 'semantic', provenance: { source: 'consolidation', from }, metadata: { consolidatedFrom: from } }))) : [];
    const into = made.map((m) => m.id);
    for (const m of group) await manager.update(m.id, { metadata: { ...m.metadata, consolidatedInto: into } });
    created.push(...made);
    done += group.length;
    options.onProgress?.(done, candidates.length);
  }
  return { consolidated: done, created };
}

async function allEpisodes(manager: MemoryManager, until: number): Promise<Memory[]> {
  const filter = { memoryType: 'episodic' as const, until };
  const episodes: Memory[] = [];
  for (;;) {
    const page = await manager.list({ filter, order: 'oldest', offset: episodes.length, limit: 500 });
    episodes.push(...page);
    if (page.length < 500) return episodes;
  }
}

async function summarise(model: ChatModel, group: Memory[], signal?: AbortSignal): Promise<string[]> {
  const episodes = group.map((m) => `- (${new Date(m.timestamp).toISOString().slice(0, 10)}) ${m.content.replace(/\s+/g, ' ')}`).join('\n');
  let text = '';
  try {
    for await (const chunk of model.stream({ model: model.modelName, messages: [{ role: 'system', content: PROMPT }, { role: 'user', content: episodes }] }, { signal })) {
      if (chunk.type === 'text') text += chunk.text;
    }
  } catch (error) {
    throw new MemoryError(`memory consolidation: the model call failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  return text
    .split('\n')
    .map((line) => line.replace(/^\s*(?:[-*•]|\d+[.)])\s*/, '').trim())
    .filter((line) => line.length > 0)
    .slice(0, MAX_FACTS_PER_GROUP);
}
