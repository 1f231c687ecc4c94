/** How `run --resume` merges the options a run recorded with the flags given again (the CLI's end-to-end behaviour is in checkpoint.cli.test.ts). */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { RunOptions } from '../../src/cli/options';
import { withRecordedOptions } from '../../src/cli/resumeOptions';
import { foldJournal, type RunState } from '../../src/core/runState';
import type { RunEventData } from '../../src/core/events';

const flags = (cwd: string): RunOptions => ({ workspace: cwd, apiKeyEnv: 'OPENAI_API_KEY', events: false, strict: false, skills: [], traceConsole: false, permissive: false });

function recorded(data: Partial<RunEventData['run_start']>): RunState {
  const start = { agentName: 'deep-agent', prompt: 'p', model: 'm1', maxIterations: 50, depth: 0, ...data };
  return foldJournal([{ runId: 'r1', seq: 0, ts: 1, type: 'run_start', data: start }]).root!;
}

test('a run without recorded settings goes on with the options given, and a note says so', () => {
  const lines: string[] = [];
  const options = { ...flags('/here'), model: 'given' };
  assert.equal(withRecordedOptions(options, new Set(['model']), recorded({}), (l) => lines.push(l)), options);
  assert.deepEqual(lines, ['note: run r1 has no recorded settings (journaled by an older deep-agent?); it goes on with the options given']);
});

test('recorded settings fill every flag not given; the workspace skills folder is not counted as a --skills folder', async () => {
  const workspace = await mkdtemp(join(tmpdir(), 'resume-opts-'));
  const own = join(workspace, '.deep-agent', 'skills');
  await mkdir(own, { recursive: true });
  const state = recorded({
    model: 'm1',
    maxIterations: 12,
    settings: {
      workspace,
      endpoint: { provider: 'openai-compatible', baseUrl: 'http://127.0.0.1:9/v1', apiKeyEnv: 'TEAM_KEY' },
      sampling: { temperature: 0 },
      skillsDirs: ['/shared/skills', own],
      budgets: { maxTokens: 1000, timeoutMs: 90_000, mode: 'permissive' },
    },
  });
  const lines: string[] = [];
  // Given again unchanged: no warning.
  const merged = withRecordedOptions({ ...flags('/elsewhere'), skills: ['/shared/skills'] }, new Set(['skills']), state, (l) => lines.push(l));
  assert.deepEqual(lines, []);
  assert.deepEqual(
    { ...merged },
    { ...flags(workspace), baseUrl: 'http://127.0.0.1:9/v1', model: 'm1', apiKeyEnv: 'TEAM_KEY', maxIterations: 12, maxTokens: 1000, maxCost: undefined, timeout: 90, permissive: true, skills: ['/shared/skills'], sampling: { temperature: 0 } },
  );
});

test('an endpoint the CLI cannot speak to is not taken as a base URL', () => {
  const state = recorded({ settings: { endpoint: { provider: 'vscode-lm', baseUrl: 'vscode://lm' } } });
  assert.equal(withRecordedOptions(flags('/here'), new Set(), state, () => {}).baseUrl, undefined);
});
