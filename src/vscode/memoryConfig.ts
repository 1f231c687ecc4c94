/**
 * The memory settings as the core's MemoryConfig. Pure (no `vscode`), so it is tested in Node.
 * Memories live under the extension's global storage, not the workspace's, so they follow the user;
 * each workspace's own memories carry its scope, and searches see those and the global ones.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { MemoryConfig, MemoryScope } from '../core';
import type { MemorySettings } from './settings';

/** The variable the OpenAI embedder reads its key from: set only in the env handed to openMemory, from SecretStorage. */
export const MEMORY_KEY_ENV = 'DEEP_AGENT_MEMORY_API_KEY';

/** `workspace:<hash of the first folder's URI>`, or global in a window without a folder. */
export function workspaceScope(firstFolderUri: string | undefined): MemoryScope {
  if (!firstFolderUri) return 'global';
  return `workspace:${createHash('sha256').update(firstFolderUri).digest('hex').slice(0, 16)}`;
}

export interface MemoryPlace {
  /** The extension's global storage folder. */
  globalStorage: string;
  scope: MemoryScope;
  /** The OpenAI-compatible endpoint the chat uses: the openai embedder asks it too. */
  endpoint: string;
}

export function memoryConfigOf(s: MemorySettings, place: MemoryPlace): MemoryConfig {
  const embedder: NonNullable<MemoryConfig['embedder']> = {};
  if (s.embedder !== 'auto') embedder.kind = s.embedder;
  if (s.modelPath.trim()) embedder.modelPath = s.modelPath.trim();
  // A language model is fetched once into the global storage and used offline after that; where it
  // cannot be fetched (no network), `auto` falls back to hashing and says so.
  else if (s.embedder !== 'hashing' && s.embedder !== 'openai') Object.assign(embedder, { cacheDir: join(place.globalStorage, 'models'), allowDownload: true });
  if (s.embedder === 'openai') Object.assign(embedder, { baseUrl: place.endpoint, apiKeyEnv: MEMORY_KEY_ENV });
  return {
    store: s.store.trim() || join(place.globalStorage, 'memory'),
    ...(s.store.trim() ? {} : { backend: 'lancedb' as const }),
    embedder,
    scope: place.scope,
    inject: s.inject,
    maxTokens: s.maxTokens,
    autoStore: s.autoStore,
  };
}
