/** The `run` command's options, checked once at the edge: a bad value is a one-line error naming the flag. */
import { accessSync, constants } from 'node:fs';
import { resolve } from 'node:path';
import type { CheckpointFrequency, EmbedderKind, MemoryBackend, RunSettings } from '../core';

export interface RunOptions {
  workspace: string;
  baseUrl?: string;
  model?: string;
  apiKeyEnv: string;
  events: boolean;
  record?: string;
  replay?: string;
  strict: boolean;
  maxIterations?: number;
  maxTokens?: number;
  maxCost?: number;
  timeout?: number;
  skills: string[];
  trace?: string;
  traceConsole: boolean;
  otlp?: string;
  permissive: boolean;
  /** Journal the run and take checkpoints in this directory. */
  checkpointDir?: string;
  /** With checkpointDir: go on with this run ('latest', a run id or a checkpoint id). */
  resume?: string;
  checkpointEvery?: CheckpointFrequency;
  /** No flag sets these; a resume takes them from the run's recorded settings. */
  sampling?: RunSettings['sampling'];
  /** Seconds a grep or glob may run. */
  searchTimeout?: number;
  /** Long-term memory (memoryOptions.ts): a folder or postgres:// URL, and how it is embedded. */
  memory?: string;
  memoryBackend?: MemoryBackend;
  memoryScope?: string;
  /** false with --no-memory-inject. */
  memoryInject?: boolean;
  memoryAutoStore?: boolean;
  embedder?: EmbedderKind;
  modelPath?: string;
  embeddingModel?: string;
  embeddingBaseUrl?: string;
  embeddingApiKeyEnv?: string;
}

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export const positiveInteger = (flag: string) => wholeNumber(flag, 1);
export const nonNegativeInteger = (flag: string) => wholeNumber(flag, 0);

function wholeNumber(flag: string, min: 0 | 1) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) throw new UsageError(`${flag} must be a whole number ${min === 1 ? 'above 0' : 'of 0 or more'}, got "${value}"`);
    return n;
  };
}

export function positiveNumber(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${flag} must be a number above 0, got "${value}"`);
    return n;
  };
}

export function url(flag: string) {
  return (value: string): string => {
    try {
      const parsed = new URL(value);
      if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error();
    } catch {
      throw new UsageError(`${flag} must be an http(s) URL, got "${value}"`);
    }
    return value.replace(/\/+$/, '');
  };
}

export function oneOf<T extends string>(flag: string, allowed: readonly T[]) {
  return (value: string): T => {
    if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`${flag} must be one of ${allowed.join(', ')}, got "${value}"`);
    return value as T;
  };
}

export const collect = (value: string, previous: string[]): string[] => [...previous, resolve(value)];

/** Reads a key from the named variable; an empty variable counts as unset. */
export function apiKeyFrom(env: NodeJS.ProcessEnv, name: string): string | undefined {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new UsageError(`--api-key-env must be an environment variable name, got "${name}"`);
  return env[name] || undefined;
}

/** DEEP_AGENT_RIPGREP: the ripgrep grep runs, or "off" for the built-in worker thread (default: `rg` on the PATH). */
export function ripgrepFrom(env: NodeJS.ProcessEnv): string | false | undefined {
  const value = env.DEEP_AGENT_RIPGREP;
  if (!value) return undefined;
  if (value === 'off') return false;
  try {
    accessSync(value, constants.X_OK);
  } catch {
    throw new UsageError(`DEEP_AGENT_RIPGREP must be "off" or a ripgrep executable, got "${value}", which is not executable`);
  }
  return value;
}
