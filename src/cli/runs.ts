/** `deep-agent runs`: the runs checkpointed in a directory — list them, their checkpoints, fork one, restore files. */
import type { Command } from 'commander';
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  CheckpointManager,
  checkpointStore,
  FileCheckpointStore,
  FilesystemBackend,
  isPostgresUrl,
  journalFiles,
  shownLocation,
  type CheckpointInfo,
  type CheckpointStore,
  type StoredRun,
} from '../core';
import { shellWord } from './checkpointing';
import { UsageError } from './options';
import { localTime, oneLine, table } from './table';
import type { CliIO } from './runTask';

interface DirOptions {
  checkpointDir: string;
}

export function registerRunsCommand(program: Command, io: CliIO, setExitCode: (code: number) => void): void {
  const runs = program.command('runs').description('list, inspect, fork and restore the runs in a checkpoint directory');
  const withDir = (command: Command) => command.requiredOption('--checkpoint-dir <dir>', 'the directory (or PostgreSQL URL) the runs were checkpointed in (run --checkpoint-dir)');

  withDir(runs.command('list'))
    .description('list the runs, newest first, with their status')
    .option('--json', 'print a JSON array instead of a table', false)
    .action(async (options: DirOptions & { json: boolean }) => setExitCode(await listRuns(options, io)));

  withDir(runs.command('checkpoints'))
    .description("list a run's checkpoints")
    .argument('<runId>', 'the run')
    .option('--json', 'print a JSON array instead of a table', false)
    .action(async (runId: string, options: DirOptions & { json: boolean }) => setExitCode(await listCheckpoints(runId, options, io)));

  withDir(runs.command('fork'))
    .description('start a new run from a checkpoint (the old run stays as it was); prints the new run id')
    .argument('<checkpointId>', 'the checkpoint, <runId>@<seq>')
    .action(async (checkpointId: string, options: DirOptions) => setExitCode(await forkRun(checkpointId, options, io)));

  withDir(runs.command('restore'))
    .description('put the files the run changed after a checkpoint back as they were then')
    .argument('<checkpointId>', 'the checkpoint, <runId>@<seq>')
    .requiredOption('--workspace <dir>', 'the workspace the run worked in')
    .option('--force', 'also restore files changed since the run wrote them', false)
    .option('--dry-run', 'only show what would change', false)
    .action(async (checkpointId: string, options: DirOptions & { workspace: string; force: boolean; dryRun: boolean }) =>
      setExitCode(await restoreFiles(checkpointId, options, io)),
    );
}

/** `missingOk`: a directory nothing was written to yet is fine (it holds no runs). */
function existingDir(dir: string, flag: string, { missingOk = false } = {}): string {
  const path = resolve(dir);
  if (!existsSync(path)) {
    if (missingOk) return path;
    throw new UsageError(`${flag} ${path} does not exist`);
  }
  if (!statSync(path).isDirectory()) throw new UsageError(`${flag} ${path} is not a directory`);
  return path;
}

interface Opened {
  dir: string;
  store: CheckpointStore;
  manager: CheckpointManager;
}

function managerFor(options: DirOptions, { missingOk = false } = {}): Opened {
  const dir = isPostgresUrl(options.checkpointDir) ? options.checkpointDir : existingDir(options.checkpointDir, '--checkpoint-dir', { missingOk });
  const store = checkpointStore(dir);
  return { dir, store, manager: new CheckpointManager(store) };
}

async function listRuns(options: DirOptions & { json: boolean }, io: CliIO): Promise<number> {
  const { dir, store } = managerFor(options, { missingOk: true });
  try {
    const runs = await store.listRuns();
    // The store skips what is not a run; say which files those were and why.
    if (store instanceof FileCheckpointStore) for (const { file, reason } of await unlistedJournals(store, dir, runs)) io.err.write(`deep-agent: warning: skipped ${file}: ${reason}\n`);
    if (options.json) io.out.write(`${JSON.stringify(runs, null, 2)}\n`);
    else if (runs.length === 0) io.out.write(`no runs in ${shownLocation(dir)}\n`);
    else {
      io.out.write(
        table(
          ['RUN', 'STATUS', 'STARTED', 'SIZE', 'TASK'],
          runs.map((r) => [r.runId, r.status, localTime(r.startedAt), size(r.bytes), (r.forkedFrom ? `(fork of ${r.forkedFrom.checkpointId}) ` : '') + oneLine(r.prompt, 60)]),
        ),
      );
    }
    return 0;
  } finally {
    // A PostgreSQL pool would keep the process alive.
    await store.close();
  }
}

async function unlistedJournals(store: FileCheckpointStore, dir: string, runs: StoredRun[]): Promise<{ file: string; reason: string }[]> {
  const listed = new Set(runs.map((r) => r.runId));
  const out: { file: string; reason: string }[] = [];
  const unlisted = (await journalFiles(dir)).filter((f) => !listed.has(f.runId)).sort((a, b) => (a.path < b.path ? -1 : 1));
  for (const { runId, path } of unlisted) {
    let reason = 'it has no run_start event (the run was stopped before it began)';
    try {
      await store.readJournal(runId);
    } catch (error) {
      reason = (error instanceof Error ? error.message : String(error)).replace(`${path}: `, '');
    }
    out.push({ file: path, reason });
  }
  return out;
}

async function listCheckpoints(runId: string, options: DirOptions & { json: boolean }, io: CliIO): Promise<number> {
  const { manager, store } = managerFor(options);
  try {
    const checkpoints = await manager.listCheckpoints({ runId });
    if (options.json) io.out.write(`${JSON.stringify(checkpoints, null, 2)}\n`);
    else if (checkpoints.length === 0) io.out.write(`run ${runId} has no checkpoints\n`);
    else io.out.write(table(['CHECKPOINT', 'REASON', 'STEP', 'MODEL CALLS', 'TOKENS', 'TIME'], checkpoints.map(checkpointRow)));
    return 0;
  } finally {
    // A PostgreSQL pool would keep the process alive.
    await store.close();
  }
}

const checkpointRow = (c: CheckpointInfo) => [c.checkpointId, c.label ? `${c.reason} (${c.label})` : c.reason, String(c.step), String(c.iteration), c.totalTokens.toLocaleString('en-US'), localTime(c.timestamp)];

async function forkRun(checkpointId: string, options: DirOptions, io: CliIO): Promise<number> {
  const { dir, manager, store } = managerFor(options);
  try {
    const runId = await manager.fork(checkpointId);
    io.out.write(`${runId}\n`);
    io.err.write(`deep-agent: forked run ${runId} from ${checkpointId}; go on with it: deep-agent run --checkpoint-dir ${shellWord(shownLocation(dir))} --resume ${runId}\n`);
    return 0;
  } finally {
    // A PostgreSQL pool would keep the process alive.
    await store.close();
  }
}

async function restoreFiles(checkpointId: string, options: DirOptions & { workspace: string; force: boolean; dryRun: boolean }, io: CliIO): Promise<number> {
  const { manager, store } = managerFor(options);
  try {
    const backend = new FilesystemBackend({ root: existingDir(options.workspace, '--workspace') });
    const plan = await manager.planRestore(checkpointId, backend);
    if (plan.length === 0) {
      io.out.write(`nothing to restore: the files are as they were at ${checkpointId}\n`);
      return 0;
    }
    const deleting = new Set(plan.filter((f) => f.target === null).map((f) => f.path));
    if (options.dryRun) {
      for (const f of plan) {
        const what = f.conflict && !options.force ? 'would skip (changed since the run wrote it)' : f.target === null ? 'would delete' : 'would restore';
        io.out.write(`${what} ${f.path}\n`);
      }
      return 0;
    }
    const result = await manager.restoreFiles(checkpointId, backend, { force: options.force });
    for (const path of result.restored) io.out.write(`${deleting.has(path) ? 'deleted' : 'restored'} ${path}\n`);
    for (const path of result.skipped) io.err.write(`deep-agent: skipped ${path}: changed since the run wrote it (--force restores it anyway)\n`);
    return result.skipped.length ? 1 : 0;
  } finally {
    // A PostgreSQL pool would keep the process alive.
    await store.close();
  }
}

function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
