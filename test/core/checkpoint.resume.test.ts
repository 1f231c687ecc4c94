import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createDeepAgent } from '../../src/core/agent/createDeepAgent';
import { FilesystemBackend } from '../../src/core/backends/filesystem';
import { FileCheckpointStore } from '../../src/core/checkpoint/fileStore';
import { CheckpointManager } from '../../src/core/checkpoint/manager';
import { runWithCheckpointing } from '../../src/core/launch/runWithCheckpointing';
import { sequentialIds } from '../../src/core/clock';
import type { RunEvent } from '../../src/core/events';
import { appendLogTool, taskPrompt, taskScript } from '../support/checkpointTask';
import { modelFor, scriptedServer } from '../support/harness';
import type { ScriptedServer } from '../support/scriptedServer';

async function setup(server: ScriptedServer, frequency: 'step' | 'iteration' | 'tool_call' = 'tool_call') {
  const root = await mkdtemp(join(tmpdir(), 'ckpt-'));
  const workspace = join(root, 'ws');
  const { mkdir } = await import('node:fs/promises');
  await mkdir(workspace);
  const store = new FileCheckpointStore(join(root, 'runs'));
  const manager = new CheckpointManager(store, { frequency });
  const agent = createDeepAgent({ model: modelFor(server), tools: [appendLogTool(workspace)] });
  const deps = () => ({ backend: new FilesystemBackend({ root: workspace }), ids: sequentialIds('run') });
  return { root, workspace, store, manager, agent, deps };
}

async function workspaceFiles(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const name of (await readdir(dir)).sort()) out[name] = await readFile(join(dir, name), 'utf8');
  return out;
}

test('an uninterrupted checkpointed run journals every event and takes a checkpoint per tool call', async (t) => {
  const server = await scriptedServer(t, taskScript());
  const s = await setup(server);
  const events: RunEvent[] = [];
  const result = await runWithCheckpointing(s.agent, taskPrompt, { ...s.deps(), onEvent: (e) => events.push(e) }, s.manager);
  assert.equal(result.status, 'completed', result.error?.message);
  const files = await workspaceFiles(s.workspace);
  assert.equal(files['notes.txt'], 'first\nsecond\nthird\nEND\n');
  assert.equal(files['sub.txt'], 'from the subagent\n');
  assert.equal(files['effects.log']!.split('\n').filter(Boolean).length, 2);
  const { events: journal } = await s.store.readJournal(result.runId);
  assert.deepEqual(journal.filter((e) => e.type !== 'llm_chunk' && e.type !== 'progress').map((e) => e.seq + e.runId), events.filter((e) => e.type !== 'llm_chunk' && e.type !== 'progress').map((e) => e.seq + e.runId));
  const checkpoints = await s.manager.listCheckpoints({ runId: result.runId });
  // 9 top-level tool calls; the subagent's own call takes none.
  assert.equal(checkpoints.length, 9);
  assert.equal(s.manager.lastCheckpointId, checkpoints.at(-1)!.checkpointId);
  const cp = await s.manager.load(checkpoints[1]!.checkpointId);
  assert.equal(cp.version, 2);
  assert.deepEqual(cp.todos.map((t) => t.status), ['in_progress', 'pending']);
  // Taken after the step's second call, before its step_end: the step is still pending.
  assert.deepEqual(cp.pendingToolCalls.map((c) => c.state), ['done', 'done']);
  assert.deepEqual(cp.messages.map((m) => m.role), ['user']);
  const afterStep = await s.manager.load(checkpoints[2]!.checkpointId);
  assert.deepEqual(afterStep.pendingToolCalls.map((c) => [c.name, c.state]), [['edit_file', 'done'], ['read_file', 'not_started'], ['append_log', 'not_started']]);
  assert.deepEqual(afterStep.messages.map((m) => m.role), ['user', 'assistant', 'tool', 'tool']);
  const runs = await s.store.listRuns();
  assert.deepEqual(runs.map((r) => [r.runId, r.status]), [[result.runId, 'completed']]);
});

/** Cuts the journal after `keep` events, as a crash would, and puts the workspace in the matching state. */
async function crashAt(journalPath: string, keep: number, workspace: string, before: Record<string, string>, writeLastIntent: boolean) {
  const lines = (await readFile(journalPath, 'utf8')).split('\n').filter(Boolean);
  const kept = lines.slice(0, keep + 1); // + header
  await writeFile(journalPath, `${kept.join('\n')}\n`);
  const events = kept.slice(1).map((l) => JSON.parse(l) as RunEvent);
  const files = { ...before };
  const intents = events.filter((e) => e.type === 'file_change');
  const ended = new Set(events.filter((e) => e.type === 'tool_end').map((e) => (e as { data: { toolCallId: string } }).data.toolCallId));
  intents.forEach((e, i) => {
    if (e.type !== 'file_change') return;
    const last = i === intents.length - 1 && !ended.has(e.data.toolCallId);
    if (!last || writeLastIntent) files[e.data.path] = e.data.after;
  });
  const logLines = events.filter((e) => e.type === 'tool_end' && e.data.name === 'append_log').map((e) => `${(e as { data: { toolCallId: string } }).data.toolCallId} ${(e as { data: { result: string } }).data.result.replace('logged: ', '')}\n`);
  const { rm } = await import('node:fs/promises');
  for (const name of await readdir(workspace)) await rm(join(workspace, name));
  for (const [name, content] of Object.entries(files)) await writeFile(join(workspace, name), content);
  if (logLines.length) await writeFile(join(workspace, 'effects.log'), logLines.join(''));
}

test('cut after any event, resume finishes with the same messages and workspace, and no write happens twice', async (t) => {
  const server = await scriptedServer(t, taskScript());
  const s = await setup(server);
  const full = await runWithCheckpointing(s.agent, taskPrompt, s.deps(), s.manager);
  assert.equal(full.status, 'completed', full.error?.message);
  const expectedFiles = await workspaceFiles(s.workspace);
  const journalPath = s.store.journalPath(full.runId);
  const original = await readFile(journalPath, 'utf8');
  const count = original.split('\n').filter(Boolean).length - 1;
  for (let keep = 1; keep < count - 1; keep++) {
    for (const writeLastIntent of [false, true]) {
      await writeFile(journalPath, original);
      await crashAt(journalPath, keep, s.workspace, {}, writeLastIntent);
      const requestsBefore = server.requests.length;
      const resumed = await runWithCheckpointing(s.agent, '', s.deps(), s.manager, { resumeFrom: full.runId });
      const where = `cut after event ${keep} (intent ${writeLastIntent ? 'written' : 'not written'})`;
      assert.equal(resumed.status, 'completed', `${where}: ${resumed.error?.message}`);
      assert.deepEqual(resumed.messages, full.messages, where);
      assert.deepEqual(await workspaceFiles(s.workspace), expectedFiles, where);
      assert.ok(server.requests.length - requestsBefore <= 7, where);
    }
  }
});

test('a side-effecting call without recover is reported as unknown to the model, or run again when the user says so', async (t) => {
  const script = (body: { messages: { role: string; content: string | null }[] }) => {
    const turn = body.messages.filter((m) => m.role === 'assistant').length;
    if (turn === 0) return { toolCalls: [{ id: 'd1', name: 'deploy', arguments: { target: 'staging' } }] };
    return { text: `saw: ${body.messages.at(-1)!.content}` };
  };
  const server = await scriptedServer(t, script);
  const root = await mkdtemp(join(tmpdir(), 'ckpt-'));
  const store = new FileCheckpointStore(join(root, 'runs'));
  const manager = new CheckpointManager(store);
  let deploys = 0;
  let crash = true;
  const { z } = await import('zod');
  const { defineTool } = await import('../../src/core/tools/types');
  const deploy = defineTool({
    name: 'deploy',
    description: 'Deploy.',
    parameters: z.object({ target: z.string() }),
    readOnly: false,
    async execute(_args, ctx) {
      deploys++;
      // Stands in for the process dying in the middle of the call: it only ends when the test stops the run.
      if (crash) await new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(new Error('stopped'))));
      return 'deployed';
    },
  });
  const agent = createDeepAgent({ model: modelFor(server), tools: [deploy] });
  const { StateBackend } = await import('../../src/core/backends/state');
  const controller = new AbortController();
  const first = runWithCheckpointing(agent, 'deploy it', { backend: new StateBackend(), signal: controller.signal, runId: 'run-unknown' }, manager);
  // Wait until the call has started (its tool_start is journaled before execute runs).
  while (deploys === 0) await new Promise((r) => setImmediate(r));
  // Cut the journal where a crash would have: after the tool_start, before anything else.
  const path = store.journalPath('run-unknown');
  const atCrash = await readFile(path, 'utf8');
  controller.abort();
  await first;
  await writeFile(path, atCrash);
  crash = false;

  const told = await runWithCheckpointing(agent, '', { backend: new StateBackend() }, manager, { resumeFrom: 'run-unknown' });
  assert.equal(told.status, 'completed', told.error?.message);
  assert.equal(deploys, 1, 'not run again');
  assert.match(told.output, /interrupted while deploy was running, and whether it took effect is unknown \(deploy cannot check/);

  await writeFile(path, atCrash);
  const asked: string[] = [];
  const rerun = await runWithCheckpointing(agent, '', { backend: new StateBackend() }, manager, {
    resumeFrom: 'run-unknown',
    decideInterrupted: async (call) => {
      asked.push(`${call.toolName} ${JSON.stringify(call.args)}`);
      return 'rerun';
    },
  });
  assert.equal(rerun.status, 'completed', rerun.error?.message);
  assert.deepEqual(asked, ['deploy {"target":"staging"}']);
  assert.equal(deploys, 2);
  assert.equal(rerun.output, 'saw: deployed');
});

test('a journal that cannot be written stops the run before the side effect it would not know of', async (t) => {
  const server = await scriptedServer(t, taskScript());
  const root = await mkdtemp(join(tmpdir(), 'ckpt-'));
  const { mkdir } = await import('node:fs/promises');
  await mkdir(join(root, 'ws'));
  const files = new FileCheckpointStore(join(root, 'runs'));
  // A stand-in for a full disk: a store whose journal writes fail (the real failure cannot be made as root).
  const failing = Object.assign(Object.create(files) as FileCheckpointStore, {
    openJournal: async () => ({
      append() {},
      flush: async () => {
        const { CheckpointError } = await import('../../src/core/checkpoint/store');
        throw new CheckpointError('cannot write the journal: no space left on device');
      },
      close: async () => {},
    }),
  });
  const agent = createDeepAgent({ model: modelFor(server), tools: [appendLogTool(join(root, 'ws'))] });
  const result = await runWithCheckpointing(agent, taskPrompt, { backend: new FilesystemBackend({ root: join(root, 'ws') }) }, new CheckpointManager(failing));
  assert.equal(result.status, 'failed');
  assert.match(result.error!.message, /no space left on device/);
  assert.deepEqual(await readdir(join(root, 'ws')), [], 'no file was written');
});

test('a run resumed in a new process is traced from its run_resumed: run, step and tool spans', async (t) => {
  const server = await scriptedServer(t, taskScript());
  const s = await setup(server);
  const full = await runWithCheckpointing(s.agent, taskPrompt, s.deps(), s.manager);
  const path = s.store.journalPath(full.runId);
  const lines = (await readFile(path, 'utf8')).split('\n').filter(Boolean);
  // Cut after the second step_start: the rest is done by the resumed run.
  const cut = lines.findIndex((l, i) => l.includes('"type":"step_start"') && lines.slice(0, i).some((k) => k.includes('"type":"step_start"')));
  await crashAt(path, cut, s.workspace, {}, false);
  const { MemoryTraceExporter } = await import('../../src/core/tracing/exporters/memory');
  const { Tracer } = await import('../../src/core/tracing/tracer');
  const exporter = new MemoryTraceExporter();
  const tracer = new Tracer({ exporters: [exporter] });
  const resumed = await runWithCheckpointing(s.agent, '', { ...s.deps(), tracer }, s.manager, { resumeFrom: full.runId });
  await tracer.shutdown();
  assert.equal(resumed.status, 'completed');
  const runs = exporter.byKind('run');
  assert.deepEqual(runs.map((r) => r.name).sort(), ['invoke_agent deep-agent', 'invoke_agent general-purpose']);
  assert.ok(exporter.byKind('tool_call').length >= 6, `${exporter.byKind('tool_call').length} tool spans`);
  assert.ok(exporter.byKind('step').length >= 4);
});
