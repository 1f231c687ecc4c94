/**
 * Memories kept for another embedding model in the same store. Each model has its own table
 * (tableFor), so switching models never mixes vectors, but the memories of the old model are not
 * seen until they are embedded again with the new one: `reembedEarlier` does that, with progress,
 * and keeps the old table as it was.
 */
import { readdir } from 'node:fs/promises';
import { backendOf, type MemoryConfig } from './config';
import type { MemoryManager } from './manager';
import { tableFor } from './open';
import { LanceDbMemoryStore } from './stores/lancedb';
import type { EmbeddingSpace } from './types';

export interface EarlierMemories {
  table: string;
  space: EmbeddingSpace;
  count: number;
}

const TABLE_DIR = /^(memories_.+)\.lance$/;

/** Other models' memories in the store `config` names (LanceDB folders; other stores keep none to find). */
export async function earlierMemories(config: MemoryConfig, model: string): Promise<EarlierMemories[]> {
  if (backendOf(config) !== 'lancedb') return [];
  const current = tableFor(model);
  const tables = (await readdir(config.store).catch(() => [] as string[])).flatMap((name) => TABLE_DIR.exec(name)?.[1] ?? []).filter((t) => t !== current);
  const found: EarlierMemories[] = [];
  for (const table of tables.sort()) {
    const store = await LanceDbMemoryStore.open(config.store, { table });
    try {
      const space = await store.space();
      const count = await store.count();
      if (space && count > 0) found.push({ table, space, count });
    } finally {
      await store.close();
    }
  }
  return found;
}

/** Embeds every earlier model's memories with the manager's model, into its own table; the old tables stay. */
export async function reembedEarlier(
  manager: MemoryManager,
  config: MemoryConfig,
  options: { signal?: AbortSignal; onProgress?: (done: number, total: number) => void } = {},
): Promise<number> {
  const earlier = await earlierMemories(config, manager.embedder.model);
  const total = earlier.reduce((sum, e) => sum + e.count, 0);
  let done = 0;
  for (const { table } of earlier) {
    const source = await LanceDbMemoryStore.open(config.store, { table });
    try {
      const before = done;
      done += await manager.reembedFrom(source, { signal: options.signal, onProgress: (n) => options.onProgress?.(before + n, total) });
    } finally {
      await source.close();
    }
  }
  return done;
}
