/**
 * `run --resume` goes on with the options the run recorded (RunSettings in its run_start): the
 * workspace, endpoint, model, key variable, limits, budgets and skills. A flag given again wins,
 * with a warning when it differs — except --workspace: a run's journal describes the files of its
 * own workspace, so another one is refused while the recorded one is still there.
 */
import { existsSync, realpathSync } from 'node:fs';
import type { RunState } from '../core';
import { UsageError, type RunOptions } from './options';
import { workspaceSkillsDir } from './runTask';

/** The flags a run records, by option name. */
const recordedFlags = {
  baseUrl: '--base-url',
  model: '--model',
  apiKeyEnv: '--api-key-env',
  maxIterations: '--max-iterations',
  maxTokens: '--max-tokens',
  maxCost: '--max-cost',
  timeout: '--timeout',
  permissive: '--permissive',
  skills: '--skills',
} as const satisfies Partial<Record<keyof RunOptions, string>>;

type RecordedKey = keyof typeof recordedFlags;

/**
 * The options to go on with. `given` names the options set on the command line (commander's
 * option value source 'cli'); `warn` gets each difference as one line.
 */
export function withRecordedOptions(options: RunOptions, given: ReadonlySet<string>, state: RunState, warn: (line: string) => void): RunOptions {
  const settings = state.settings;
  if (!settings) {
    warn(`note: run ${state.runId} has no recorded settings (journaled by an older deep-agent?); it goes on with the options given`);
    return options;
  }
  const workspace = settings.workspace === undefined ? options.workspace : recordedWorkspace(settings.workspace, options.workspace, given.has('workspace'), state.runId, warn);
  const recorded: Pick<RunOptions, RecordedKey> = {
    // The CLI speaks to OpenAI-compatible endpoints only.
    baseUrl: settings.endpoint?.provider === 'openai-compatible' ? settings.endpoint.baseUrl : undefined,
    model: state.model,
    apiKeyEnv: settings.endpoint?.apiKeyEnv ?? options.apiKeyEnv,
    maxIterations: state.maxIterations,
    maxTokens: settings.budgets?.maxTokens,
    maxCost: settings.budgets?.maxCostUsd,
    timeout: settings.budgets?.timeoutMs === undefined ? undefined : settings.budgets.timeoutMs / 1000,
    permissive: settings.budgets?.mode === 'permissive',
    // The workspace's own skills are added anyway; only the folders given with --skills compare.
    skills: (settings.skillsDirs ?? []).filter((dir) => settings.workspace === undefined || dir !== workspaceSkillsDir(settings.workspace)),
  };
  const merged: RunOptions = { ...options, workspace, sampling: settings.sampling };
  for (const key of Object.keys(recordedFlags) as RecordedKey[]) {
    if (!given.has(key)) {
      Object.assign(merged, { [key]: recorded[key] });
      continue;
    }
    const [was, now] = [shown(recorded[key]), shown(options[key])];
    if (was !== now) warn(`warning: ${recordedFlags[key]} ${now} differs from what run ${state.runId} recorded (${was}); going on with ${now}`);
  }
  return merged;
}

function recordedWorkspace(recorded: string, flag: string, isGiven: boolean, runId: string, warn: (line: string) => void): string {
  if (!existsSync(recorded)) {
    if (!isGiven) throw new UsageError(`run ${runId} worked in ${recorded}, which does not exist any more; give --workspace DIR to go on where its files are now`);
    warn(`warning: run ${runId} worked in ${recorded}, which does not exist any more; going on in --workspace ${flag}`);
    return flag;
  }
  if (isGiven && !samePath(recorded, flag)) {
    throw new UsageError(`--workspace ${flag} differs from ${recorded}, where run ${runId} worked; leave --workspace out to go on there`);
  }
  return recorded;
}

const samePath = (a: string, b: string) => a === b || (existsSync(b) && realpathSync(a) === realpathSync(b));

function shown(value: unknown): string {
  if (typeof value === 'boolean') return value ? 'on' : 'off';
  if (value === undefined || (Array.isArray(value) && value.length === 0)) return 'none';
  return Array.isArray(value) ? value.join(', ') : String(value);
}
