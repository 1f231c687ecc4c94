/**
 * Where memories are kept and how they are embedded, from flags into a MemoryConfig. The `memory`
 * commands say --store/--url, --backend, --scope, --base-url, --api-key-env; `run` already means its
 * model by --base-url and --api-key-env, so there they are --memory, --memory-backend,
 * --memory-scope, --embedding-base-url and --embedding-api-key-env.
 */
import { Option, type Command } from 'commander';
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { backendOf, embedderKinds, memoryBackends, type EmbedderKind, type MemoryBackend, type MemoryConfig } from '../core';
import { oneOf, url, UsageError, type RunOptions } from './options';

interface StoreFlags {
  location?: string;
  backend?: MemoryBackend;
  scope?: string;
}

interface EmbedderFlags {
  embedder?: EmbedderKind;
  modelPath?: string;
  embeddingModel?: string;
  baseUrl?: string;
  apiKeyEnv?: string;
}

/** How the command at hand spells the flags whose names differ, for errors that name them. */
interface FlagNames {
  store: string;
  backend: string;
  scope: string;
  baseUrl: string;
  apiKeyEnv: string;
}

/** The options every `memory` subcommand takes. */
export interface MemoryCommandOptions extends EmbedderFlags {
  store?: string;
  url?: string;
  backend?: MemoryBackend;
  scope?: string;
}

const commandNames: FlagNames = { store: '--store', backend: '--backend', scope: '--scope', baseUrl: '--base-url', apiKeyEnv: '--api-key-env' };
const runNames: FlagNames = { store: '--memory', backend: '--memory-backend', scope: '--memory-scope', baseUrl: '--embedding-base-url', apiKeyEnv: '--embedding-api-key-env' };

const embedderHelp = `how memories are embedded: ${embedderKinds.join(' | ')} (default: transformers when its model is at hand, otherwise the hashing fallback, said on stderr)`;
const scopeHelp = 'where new memories go: "global" (default) or "workspace:<key>"; searches see it and global';

function withEmbedderOptions(command: Command, names: FlagNames): Command {
  return command
    .option('--embedder <kind>', embedderHelp, oneOf('--embedder', embedderKinds))
    .option('--model-path <dir>', 'transformers: a local folder holding the model (nothing is downloaded)')
    .option('--embedding-model <name>', 'transformers: the model id (default Xenova/all-MiniLM-L6-v2); openai: the model name (default text-embedding-3-small)')
    .option(`${names.baseUrl} <url>`, 'openai: the embeddings endpoint (default https://api.openai.com/v1)', url(names.baseUrl))
    .option(`${names.apiKeyEnv} <name>`, 'openai: the environment variable holding the key (default OPENAI_API_KEY)');
}

export function withMemoryCommandOptions(command: Command): Command {
  command
    .option('--store <dir>', 'where memories are kept: a folder (LanceDB), a postgres:// URL (pgvector), or :memory: (this process only)')
    .option('--url <url>', 'a PostgreSQL URL for pgvector (the same as --store URL)')
    .addOption(new Option('--backend <kind>', `${memoryBackends.join(' | ')} (default: from --store)`).argParser(oneOf('--backend', memoryBackends)))
    .option('--scope <scope>', scopeHelp);
  return withEmbedderOptions(command, commandNames);
}

export function withRunMemoryOptions(command: Command): Command {
  command
    .option('--memory <dir>', 'long-term memory: a folder (LanceDB) or postgres:// URL; memories are recalled into the prompt and the run gets remember, recall and forget')
    .addOption(new Option('--memory-backend <kind>', `with --memory: ${memoryBackends.join(' | ')} (default: from --memory)`).argParser(oneOf('--memory-backend', memoryBackends)))
    .option('--memory-scope <scope>', `with --memory: ${scopeHelp}`)
    .option('--no-memory-inject', 'with --memory: do not recall memories into the prompt (the tools stay)')
    .option('--memory-auto-store', 'with --memory: keep the task and its answer as an episodic memory');
  return withEmbedderOptions(command, runNames);
}

export function memoryCommandConfig(o: MemoryCommandOptions): MemoryConfig {
  if (o.url !== undefined && backendOf({ store: o.url }) !== 'pgvector') throw new UsageError(`--url must be a postgres:// URL, got "${o.url}"`);
  if (o.url !== undefined && o.store !== undefined && o.url !== o.store) throw new UsageError('--store and --url name two different stores; give one');
  return memoryConfig({ location: o.store ?? o.url, backend: o.backend, scope: o.scope }, o, commandNames);
}

/** `run`'s memory, or undefined without --memory (then a memory flag is a usage error). */
export function runMemoryConfig(o: RunOptions): MemoryConfig | undefined {
  const embedder: EmbedderFlags = { embedder: o.embedder, modelPath: o.modelPath, embeddingModel: o.embeddingModel, baseUrl: o.embeddingBaseUrl, apiKeyEnv: o.embeddingApiKeyEnv };
  if (o.memory === undefined) {
    const given = {
      '--memory-backend': o.memoryBackend,
      '--memory-scope': o.memoryScope,
      '--no-memory-inject': o.memoryInject === false || undefined,
      '--memory-auto-store': o.memoryAutoStore || undefined,
      '--embedder': o.embedder,
      '--model-path': o.modelPath,
      '--embedding-model': o.embeddingModel,
      '--embedding-base-url': o.embeddingBaseUrl,
      '--embedding-api-key-env': o.embeddingApiKeyEnv,
    };
    const flag = Object.entries(given).find(([, value]) => value !== undefined)?.[0];
    if (flag) throw new UsageError(`${flag} needs --memory DIR`);
    return undefined;
  }
  const config = memoryConfig({ location: o.memory, backend: o.memoryBackend, scope: o.memoryScope }, embedder, runNames);
  return { ...config, inject: o.memoryInject !== false, autoStore: o.memoryAutoStore === true };
}

function memoryConfig(where: StoreFlags, embedder: EmbedderFlags, names: FlagNames): MemoryConfig {
  return { ...storeConfig(where, names), embedder: embedderConfig(embedder, names), scope: checkedScope(where.scope, names.scope) };
}

function storeConfig({ location, backend }: StoreFlags, names: FlagNames): Pick<MemoryConfig, 'store' | 'backend'> {
  if (location === undefined || !location.trim()) {
    if (backend === 'state') return { store: ':memory:', backend };
    throw new UsageError(`${names.store} is ${location === undefined ? 'missing' : 'empty'}: give a folder (LanceDB), a postgres:// URL (pgvector) or :memory:`);
  }
  const implied = backendOf({ store: location });
  const kind = backend ?? implied;
  if (kind !== implied) {
    const wants = { lancedb: 'a folder', pgvector: 'a postgres:// URL', state: ':memory: (it keeps memories in this process only)' }[kind];
    throw new UsageError(`${names.backend} ${kind} needs ${names.store} ${wants}, got "${location}"`);
  }
  if (kind !== 'lancedb') return { store: location, backend };
  const folder = resolve(location);
  if (existsSync(folder) && !statSync(folder).isDirectory()) throw new UsageError(`${names.store} ${folder} is not a folder`);
  return { store: folder, backend };
}

function embedderConfig(e: EmbedderFlags, names: FlagNames): MemoryConfig['embedder'] {
  const onlyFor = (flag: string, kinds: EmbedderKind[], value: string | undefined) => {
    if (value === undefined) return;
    // Without --embedder the kind is chosen at run time; an openai-only flag must not depend on that.
    if (kinds.length === 1 ? e.embedder !== kinds[0] : e.embedder !== undefined && !kinds.includes(e.embedder)) {
      throw new UsageError(`${flag} is for --embedder ${kinds.join(' or ')}${e.embedder ? `, not ${e.embedder}` : ''}`);
    }
  };
  onlyFor('--model-path', ['transformers'], e.modelPath);
  onlyFor('--embedding-model', ['transformers', 'openai'], e.embeddingModel);
  onlyFor(names.baseUrl, ['openai'], e.baseUrl);
  onlyFor(names.apiKeyEnv, ['openai'], e.apiKeyEnv);
  if (e.apiKeyEnv !== undefined && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(e.apiKeyEnv)) throw new UsageError(`${names.apiKeyEnv} must be an environment variable name, got "${e.apiKeyEnv}"`);
  const modelPath = e.modelPath === undefined ? undefined : resolve(e.modelPath);
  if (modelPath !== undefined && !(existsSync(modelPath) && statSync(modelPath).isDirectory())) throw new UsageError(`--model-path ${modelPath} is not a folder`);
  const config = { kind: e.embedder, model: e.embeddingModel, modelPath, baseUrl: e.baseUrl, apiKeyEnv: e.apiKeyEnv };
  return Object.values(config).some((value) => value !== undefined) ? config : undefined;
}

function checkedScope(scope: string | undefined, flag: string): MemoryConfig['scope'] {
  if (scope === undefined || scope === 'global' || /^workspace:.+/.test(scope)) return scope;
  throw new UsageError(`${flag} must be "global" or "workspace:<key>", got "${scope}"`);
}
