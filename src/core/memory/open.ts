/**
 * openMemory: a MemoryConfig in, an open MemoryManager out. Each embedding model gets its own table
 * or folder in the store (`<store>/<model>`), so vectors of two models are never mixed; switching
 * models finds the old memories (`previous`) to re-embed from.
 */
import { join } from 'node:path';
import type { Clock, IdSource } from '../clock';
import { backendOf, memoryConfigSchema, type MemoryConfig } from './config';
import { HashingEmbedder } from './embedders/hashing';
import { MemoryError } from './errors';
import { MemoryManager } from './manager';
import { LanceDbMemoryStore } from './stores/lancedb';
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
  switch (backendOf(c)) {
    case 'state':
      return new StateMemoryStore();
    case 'lancedb':
      return LanceDbMemoryStore.open(join(c.store, modelFolder(model)));
    default:
      throw new MemoryError(`memory config: backend "${backendOf(c)}" is not available in this build`);
  }
}

/** A model's folder in the store: its name with anything a file name cannot hold replaced ("Xenova/all-MiniLM-L6-v2" → "Xenova_all-MiniLM-L6-v2"). */
const modelFolder = (model: string) => model.replace(/[^A-Za-z0-9._-]/g, '_');
