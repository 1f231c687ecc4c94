/**
 * MemoryConfig: where memories are kept and how they are embedded, as plain data (a RunConfig field,
 * CLI flags, extension settings). `openMemory` turns it into a MemoryManager.
 */
import { z } from 'zod';

export const memoryBackends = ['lancedb', 'pgvector', 'state'] as const;
export type MemoryBackend = (typeof memoryBackends)[number];
export const embedderKinds = ['transformers', 'openai', 'hashing'] as const;
export type EmbedderKind = (typeof embedderKinds)[number];

export const memoryConfigSchema = z.strictObject({
  /** A folder (LanceDB), a postgres:// URL (pgvector), or ":memory:" (kept in this process only). */
  store: z.string().trim().min(1, 'must name a folder, a postgres:// URL or ":memory:"'),
  /** Default: from `store`. */
  backend: z.enum(memoryBackends).optional(),
  embedder: z
    .strictObject({
      /** Default: transformers when its model is at hand, otherwise the hashing fallback (reported as such). */
      kind: z.enum(embedderKinds).optional(),
      /** transformers: the model id (default Xenova/all-MiniLM-L6-v2); openai: the model name (default text-embedding-3-small). */
      model: z.string().min(1).optional(),
      /** transformers: a local folder holding <model>/… (offline machines). */
      modelPath: z.string().min(1).optional(),
      /** transformers: where downloaded model files are cached. */
      cacheDir: z.string().min(1).optional(),
      /** transformers: fetch the model from the Hugging Face hub into cacheDir when it is not there (default false). */
      allowDownload: z.boolean().optional(),
      /** openai: the endpoint (default https://api.openai.com/v1). */
      baseUrl: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
      /** openai: the environment variable holding the key (default OPENAI_API_KEY). */
      apiKeyEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name').optional(),
    })
    .optional(),
  /** Where new memories go: "global" (default) or "workspace:<key>"; searches see it and global. */
  scope: z.union([z.literal('global'), z.string().regex(/^workspace:.+/, 'must be "global" or "workspace:<key>"')]).optional(),
  /** Recall memories into the system prompt before the first step (default true). */
  inject: z.boolean().optional(),
  /** The recalled block's budget in tokens (default 800). */
  maxTokens: z.number().int().positive().optional(),
  /** Keep each completed run's prompt and answer as an episodic memory (default false). */
  autoStore: z.boolean().optional(),
});

export type MemoryConfig = z.input<typeof memoryConfigSchema>;

export function backendOf(config: Pick<MemoryConfig, 'store' | 'backend'>): MemoryBackend {
  if (config.backend) return config.backend;
  if (config.store === ':memory:') return 'state';
  return /^postgres(ql)?:\/\//.test(config.store) ? 'pgvector' : 'lancedb';
}
