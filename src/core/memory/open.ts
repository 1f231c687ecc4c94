/**
 * openMemory: a MemoryConfig in, an open MemoryManager out. Each embedding model gets its own table
 * in the store (tableFor), so vectors of two models are never mixed and switching back finds them.
 */
import { createHash } from 'node:crypto';
import type { Clock, IdSource } from '../clock';
import { backendOf, memoryConfigSchema, type MemoryConfig } from './config';
import { HashingEmbedder } from './embedders/hashing';
import { MemoryError } from './errors';
import { MemoryManager } from './manager';
import { LanceDbMemoryStore } from './stores/lancedb';
import { PgVectorMemoryStore } from './stores/pgvector';
import { StateMemoryStore } from './stores/state';
import type { Embedder, MemoryScope, MemoryStore } from './types';

export interface OpenMemoryHooks {
  /** Where API key variables are read (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Told when memory falls back (no embedding model at hand: the hashing fallback is used). */
  onWarning?: (message: string) => void;
  clock?: Clock;
  ids?: IdSource;
}

export async function openMemory(config: MemoryConfig, hooks: OpenMemoryHooks = {}): Promise<MemoryManager> {
  const parsed = memoryConfigSchema.safeParse(config);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new MemoryError(`memory config: ${issue.path.join('.') || 'the configuration'} ${issue.message.replace(/^Invalid input: /, '')}`);
  }
  const c = parsed.data;
  const embedder = await openEmbedder(c, hooks);
  let store: MemoryStore;
  try {
    store = await openStore(c, embedder.model);
  } catch (error) {
    await embedder.close();
    throw error;
  }
  try {
    return await MemoryManager.open({ store, embedder, scope: c.scope as MemoryScope | undefined, autoStoreInteractions: c.autoStore, clock: hooks.clock, ids: hooks.ids });
  } catch (error) {
    await Promise.allSettled([store.close(), embedder.close()]);
    throw error;
  }
}

async function openEmbedder(c: MemoryConfig, _hooks: OpenMemoryHooks): Promise<Embedder> {
  switch (c.embedder?.kind ?? 'hashing') {
    case 'hashing':
      return new HashingEmbedder();
    default:
      throw new MemoryError(`memory config: embedder.kind "${c.embedder?.kind}" is not available in this build`);
  }
}

async function openStore(c: MemoryConfig, model: string): Promise<MemoryStore> {
  const table = tableFor(model);
  switch (backendOf(c)) {
    case 'state':
      return new StateMemoryStore();
    case 'lancedb':
      return LanceDbMemoryStore.open(c.store, { table });
    case 'pgvector':
      return PgVectorMemoryStore.open(c.store, { table });
  }
}

/** A table per embedding model ("memories_xenova_all_minilm_l6_v2_1a2b3c"): safe in LanceDB and PostgreSQL, unique per model. */
export function tableFor(model: string): string {
  const slug = model.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_|_$/g, '').slice(0, 40);
  return `memories_${slug}_${createHash('sha256').update(model).digest('hex').slice(0, 6)}`;
}
