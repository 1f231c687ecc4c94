/**
 * Runs the CLI journaled in a workspace folder's `.deep-agent/runs` (`deep-agent demo`, or
 * `deep-agent run --checkpoint-dir .deep-agent/runs`) are copied once into the workbench's own
 * journal folder, so they list, open, resume, fork and export like runs started in VS Code.
 * Copying, rather than listing a second folder, keeps one store behind every command, and keeps
 * the workbench's own journals out of the project.
 */
import { access, copyFile, mkdir, rename, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { FileCheckpointStore, journalFiles, type StoredRun } from '../core';

/** Where in a workspace folder the CLI's runs are looked for. */
export const CLI_RUNS_DIR = join('.deep-agent', 'runs');

interface CliRunsImport {
  /** The copied runs, newest first. */
  imported: StoredRun[];
  /** One line per journal that could not be copied, naming it and why. */
  problems: string[];
}

/**
 * Copies the finished or interrupted runs of each folder's `.deep-agent/runs` that are not in
 * `runsDir` and not in `skip` (imported before, perhaps deleted since). A run the CLI is still
 * writing is left for the next time.
 */
export async function importCliRuns(folders: readonly string[], runsDir: string, skip: ReadonlySet<string>): Promise<CliRunsImport> {
  const result: CliRunsImport = { imported: [], problems: [] };
  // Only journals new here are read: a start-up costs nothing per run brought in before.
  const present = new Set((await journalFiles(runsDir)).map((f) => f.runId));
  for (const folder of folders) {
    const from = new FileCheckpointStore(join(folder, CLI_RUNS_DIR));
    for (const { runId, path: source } of await journalFiles(from.dir)) {
      if (present.has(runId) || skip.has(runId)) continue;
      try {
        const run = await from.storedRun(runId);
        if (!run || run.status === 'running') continue;
        await mkdir(runsDir, { recursive: true });
        if (await copyNew(source, join(runsDir, basename(source)))) result.imported.push(run);
      } catch (error) {
        result.problems.push(`${source} could not be copied: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }
  result.imported.sort((a, b) => b.updatedAt - a.updatedAt);
  return result;
}

/** Copies under a name no listing reads, then renames: a listing never sees half a journal. False when the target exists. */
async function copyNew(source: string, target: string): Promise<boolean> {
  if (await access(target).then(() => true, () => false)) return false;
  const temp = `${target}.${process.pid}.importing`;
  try {
    await copyFile(source, temp);
    await rename(temp, target);
    return true;
  } finally {
    await rm(temp, { force: true });
  }
}
