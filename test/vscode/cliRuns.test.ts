/**
 * The workbench brings in the runs the CLI journaled in a workspace's .deep-agent/runs: journals
 * written by the real CLI (`deep-agent demo`) and by the real file store, copied into the
 * workbench's journal folder where its own store lists them.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { demoPrompt } from '../../src/cli/demo/workspace';
import { FileCheckpointStore } from '../../src/core/checkpoint/fileStore';
import { CLI_RUNS_DIR, importCliRuns } from '../../src/vscode/cliRuns';
import { runCliProcess } from '../support/cliProcess';

function tempDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'cli-runs-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A run the CLI began and never ended (killed, say): a journal with its run_start only. */
async function interruptedRun(folder: string, runId: string): Promise<void> {
  const journal = await new FileCheckpointStore(join(folder, CLI_RUNS_DIR)).openJournal(runId);
  journal.append({ runId, seq: 0, ts: Date.now(), type: 'run_start', data: { agentName: 'deep-agent', prompt: 'half done', model: 'm', maxIterations: 5, depth: 0 } });
  await journal.close();
}

test("the demo's run is copied into the workbench's journal folder, where the store lists it completed", async (t) => {
  const root = tempDir(t);
  const workspace = join(root, 'demo');
  const demo = await runCliProcess(['--import', 'tsx', join(__dirname, '../../src/cli/main.ts')], ['demo', '--workspace', workspace]);
  assert.equal(demo.code, 0, demo.stderr);
  const runsDir = join(root, 'storage', 'runs');

  const { imported, problems } = await importCliRuns([workspace], runsDir, new Set());
  assert.deepEqual(problems, []);
  assert.equal(imported.length, 1);
  const [listed] = await new FileCheckpointStore(runsDir).listRuns();
  assert.equal(listed?.runId, imported[0]!.runId);
  assert.equal(listed?.status, 'completed');
  assert.equal(listed?.prompt, demoPrompt);
  const [journal] = readdirSync(join(workspace, CLI_RUNS_DIR));
  assert.equal(readFileSync(join(runsDir, journal!), 'utf8'), readFileSync(join(workspace, CLI_RUNS_DIR, journal!), 'utf8'));

  const again = await importCliRuns([workspace], runsDir, new Set());
  assert.deepEqual(again.imported, [], 'a run already there is not copied again');
  assert.deepEqual(readdirSync(runsDir), [journal], 'no temp file is left behind');
});

test('interrupted runs come in, newest first; runs being written, runs skipped and files that are not journals do not', async (t) => {
  const folder = tempDir(t);
  const runsDir = join(tempDir(t), 'runs');
  await interruptedRun(folder, 'run-old');
  await interruptedRun(folder, 'run-new');
  await interruptedRun(folder, 'run-deleted-in-vscode');
  writeFileSync(join(folder, CLI_RUNS_DIR, 'notes.jsonl'), 'not a journal\n');
  const hourAgo = new Date(Date.now() - 3_600_000);
  utimesSync(join(folder, CLI_RUNS_DIR, 'run-old.jsonl'), hourAgo, hourAgo);
  const live = await new FileCheckpointStore(join(folder, CLI_RUNS_DIR)).openJournal('run-live');
  t.after(() => live.close());
  assert.ok(readdirSync(join(folder, CLI_RUNS_DIR)).includes('run-live.jsonl'), 'the live run has its journal on disk');

  const { imported, problems } = await importCliRuns([folder], runsDir, new Set(['run-deleted-in-vscode']));
  assert.deepEqual(problems, []);
  assert.deepEqual(imported.map((r) => [r.runId, r.status]), [['run-new', 'interrupted'], ['run-old', 'interrupted']]);
  assert.deepEqual(readdirSync(runsDir).sort(), ['run-new.jsonl', 'run-old.jsonl']);
});

test('a journal that cannot be copied is one line naming it; the others still come in', async (t) => {
  const folders = [tempDir(t), tempDir(t)];
  await interruptedRun(folders[0]!, 'run-a');
  await interruptedRun(folders[1]!, 'run-b');
  const runsDir = join(tempDir(t), 'runs');
  mkdirSync(join(runsDir, 'run-a.jsonl.' + process.pid + '.importing'), { recursive: true }); // in the way of the copy

  const { imported, problems } = await importCliRuns(folders, runsDir, new Set());
  assert.deepEqual(imported.map((r) => r.runId), ['run-b']);
  assert.equal(problems.length, 1);
  assert.match(problems[0]!, new RegExp(`^${join(folders[0]!, CLI_RUNS_DIR, 'run-a.jsonl').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} could not be copied: `));
  assert.ok(!problems[0]!.includes('\n'));
});

test('a folder without .deep-agent/runs brings in nothing', async (t) => {
  const result = await importCliRuns([tempDir(t)], join(tempDir(t), 'runs'), new Set());
  assert.deepEqual(result, { imported: [], problems: [] });
});
