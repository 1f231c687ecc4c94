/**
 * Temp files of atomic writes killed before their rename: removed when their folder is next written
 * to — only those no live writer can hold (its process is gone, or the file is over an hour old).
 * Leftovers are planted with the pids of real processes, one that has exited and one still running.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, readdir, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { STALE_TEMP_FILE_MS } from '../../src/core/backends/atomicWrite';
import { FilesystemBackend } from '../../src/core/backends/filesystem';
import { FileCheckpointStore } from '../../src/core/checkpoint/fileStore';

/** A process that has exited: its pid names no live writer. */
async function exitedPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await once(child, 'exit');
  return child.pid!;
}

async function plant(dir: string, name: string, ageMs = 0): Promise<void> {
  await writeFile(join(dir, name), 'half a write');
  const at = (Date.now() - ageMs) / 1000;
  await utimes(join(dir, name), at, at);
}

const temps = async (dir: string) => (await readdir(dir)).filter((n) => n.endsWith('.dawtmp')).sort();

test('a write removes the stale temp files in its folder and keeps those a live writer may hold', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'atomic-'));
  await mkdir(join(root, 'other'));
  const running = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)']);
  t.after(() => running.kill());
  const dead = await exitedPid();
  const hour = STALE_TEMP_FILE_MS;

  await plant(root, `.a.txt.${dead}-0123456789ab.dawtmp`);
  await plant(root, `.b.txt.${running.pid}-0123456789ab.dawtmp`);
  await plant(root, `.c.txt.${running.pid}-0123456789ab.dawtmp`, hour + 60_000);
  await plant(root, `.d.txt.${process.pid}-0123456789ab.dawtmp`);
  await plant(root, '.e.txt.0123456789ab.dawtmp');
  await plant(root, '.f.txt.0123456789ab.dawtmp', hour + 60_000);
  await plant(join(root, 'other'), `.g.txt.${dead}-0123456789ab.dawtmp`);

  const backend = new FilesystemBackend({ root });
  await backend.writeFile('new.txt', 'whole');
  assert.deepEqual(await temps(root), [
    `.b.txt.${running.pid}-0123456789ab.dawtmp`, // a running process's, fresh: maybe mid-write
    `.d.txt.${process.pid}-0123456789ab.dawtmp`, // this process's own, fresh
    '.e.txt.0123456789ab.dawtmp', // no pid (an older version's), fresh
  ]);
  assert.deepEqual(await temps(join(root, 'other')), [`.g.txt.${dead}-0123456789ab.dawtmp`], 'a folder not written to is left alone');
  assert.equal(await backend.readFile('new.txt'), 'whole');

  await backend.writeFile('other/x.txt', 'x');
  assert.deepEqual(await temps(join(root, 'other')), []);
});

test('opening a journal removes the temp files a killed compaction left in the checkpoint directory', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'atomic-runs-'));
  const dead = await exitedPid();
  await plant(dir, `.run-1.jsonl.${dead}-0123456789ab.dawtmp`);
  const journal = await new FileCheckpointStore(dir).openJournal('run-2');
  await journal.close();
  assert.deepEqual(await temps(dir), []);
});
