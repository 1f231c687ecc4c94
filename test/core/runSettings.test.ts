/**
 * RunSettings in run_start (and run_resumed): the workspace, endpoint, key variable, sampling,
 * skills and budgets a run was started with, recorded without secrets, read back by the fold that
 * resume uses; journals written before them still load.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createDeepAgent } from '../../src/core/agent/createDeepAgent';
import { FilesystemBackend } from '../../src/core/backends/filesystem';
import { StateBackend } from '../../src/core/backends/state';
import { parseEvent } from '../../src/core/checkpoint/eventSchema';
import { FileCheckpointStore } from '../../src/core/checkpoint/fileStore';
import { CheckpointManager } from '../../src/core/checkpoint/manager';
import { foldJournal } from '../../src/core/runState';
import { runWithCheckpointing } from '../../src/core/launch/runWithCheckpointing';
import { sequentialIds } from '../../src/core/clock';
import type { RunEvent, RunEventOf } from '../../src/core/events';
import { GuardrailManager } from '../../src/core/guardrails/manager';
import { createGuardrailManager } from '../../src/core/guardrails/presets';
import { OpenAICompatibleModel } from '../../src/core/model/openai';
import { withoutSecrets } from '../../src/core/model/endpointUrl';
import { eventLog, modelFor, scriptedServer } from '../support/harness';

const starts = (events: RunEvent[]) => events.filter((e): e is RunEventOf<'run_start'> => e.type === 'run_start');

test('run_start records the workspace root, endpoint, key variable, sampling, skills and budgets, and never the key', async (t) => {
  const server = await scriptedServer(t, [
    { toolCalls: [{ name: 'task', arguments: { subagent_type: 'general-purpose', description: 'Say hi' } }] },
    { text: 'hi' },
    { text: 'Done.' },
  ]);
  const root = await mkdtemp(join(tmpdir(), 'settings-'));
  const skills = join(root, 'skills');
  await mkdir(join(skills, 'notes'), { recursive: true });
  await writeFile(join(skills, 'notes', 'SKILL.md'), '---\nname: notes\ndescription: Keep notes\n---\nWrite notes.\n');
  const model = new OpenAICompatibleModel({ baseURL: server.url, model: 'scripted-model', apiKey: 'sk-secret-value', apiKeyEnv: 'MY_KEY' });
  const agent = createDeepAgent({ model, temperature: 0.2, maxTokens: 900, maxIterations: 7 });
  const log = eventLog();
  await agent.run('delegate', {
    backend: new FilesystemBackend({ root }),
    skillsDirs: [skills],
    guardrails: createGuardrailManager({ maxCostUsd: 0.5, timeoutMs: 60_000, mode: 'permissive' }),
    onEvent: log.onEvent,
  });

  const [top, sub] = starts(log.events);
  assert.deepEqual(top!.data.settings, {
    workspace: root,
    endpoint: { provider: 'openai-compatible', baseUrl: server.url, apiKeyEnv: 'MY_KEY' },
    sampling: { temperature: 0.2, maxTokens: 900 },
    skillsDirs: [skills],
    budgets: { maxCostUsd: 0.5, timeoutMs: 60_000, mode: 'permissive' },
  });
  assert.equal(top!.data.maxIterations, 7);
  assert.equal(sub!.parentRunId, top!.runId);
  assert.equal(sub!.data.settings, undefined, 'a subagent goes on with its parent');
  assert.doesNotMatch(JSON.stringify(log.events), /sk-secret-value/);
});

test('an in-memory backend records no workspace; guardrails not made from budget options record no budgets', async (t) => {
  const server = await scriptedServer(t, [{ text: 'ok' }]);
  const log = eventLog();
  await createDeepAgent({ model: modelFor(server) }).run('hi', { backend: new StateBackend(), guardrails: new GuardrailManager([]), onEvent: log.onEvent });
  assert.deepEqual(starts(log.events)[0]!.data.settings, { endpoint: { provider: 'openai-compatible', baseUrl: server.url } });
});

test('a base URL is recorded without a password or key-like query parameters', () => {
  assert.equal(withoutSecrets('https://team:s3cret@llm.example/v1?api-version=2024&api_key=sk-x&token=t'), 'https://llm.example/v1?api-version=2024');
  assert.equal(withoutSecrets('http://127.0.0.1:11434/v1'), 'http://127.0.0.1:11434/v1', 'a URL without secrets is kept as written');
});

test('journals without settings still load; damaged settings make run_start unreadable rather than misleading', () => {
  const start = { runId: 'r', seq: 0, ts: 1, type: 'run_start', data: { agentName: 'a', prompt: 'p', model: 'm', maxIterations: 5, depth: 0 } };
  const old = parseEvent(start);
  assert.ok(old, 'a run_start from before settings');
  assert.equal(foldJournal([old]).root?.settings, undefined);
  assert.equal(parseEvent({ ...start, data: { ...start.data, settings: { workspace: 5 } } }), undefined);
  assert.ok(parseEvent({ ...start, data: { ...start.data, settings: { workspace: '/w', fromANewerVersion: true } } }), 'unknown fields pass');
});

test('a resume records what it goes on with: run_resumed settings, model and limit replace those of run_start in the fold', async (t) => {
  const server = await scriptedServer(t, (body) =>
    body.messages.some((m) => m.role === 'tool') ? { text: 'Done.' } : { toolCalls: [{ name: 'write_file', arguments: { path: 'a.txt', content: 'a' } }] },
  );
  const root = await mkdtemp(join(tmpdir(), 'settings-'));
  const manager = new CheckpointManager(new FileCheckpointStore(join(root, 'runs')), { frequency: 'tool_call' });
  const backend = new FilesystemBackend({ root: join(root, 'ws') });
  const controller = new AbortController();
  const first = await runWithCheckpointing(createDeepAgent({ model: modelFor(server) }), 'write a', {
    backend,
    ids: sequentialIds('run'),
    signal: controller.signal,
    onEvent: (e) => e.type === 'tool_end' && controller.abort(),
  }, manager);
  assert.equal(first.status, 'cancelled');

  const other = new OpenAICompatibleModel({ baseURL: server.url, model: 'other-model', apiKeyEnv: 'OTHER_KEY' });
  const second = await runWithCheckpointing(createDeepAgent({ model: other, maxIterations: 9 }), '', { backend }, manager, { resumeFrom: first.runId });
  assert.equal(second.status, 'completed', second.error?.message);
  const { root: state } = foldJournal((await manager.store.readJournal(first.runId)).events);
  assert.equal(state!.model, 'other-model');
  assert.equal(state!.maxIterations, 9);
  assert.deepEqual(state!.settings?.endpoint, { provider: 'openai-compatible', baseUrl: server.url, apiKeyEnv: 'OTHER_KEY' });
  assert.equal(state!.settings?.workspace, join(root, 'ws'));
});
