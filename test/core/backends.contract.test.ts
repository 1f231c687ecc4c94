/**
 * The FileBackend contract (test/support/backendContract.ts) against the in-memory StateBackend and
 * the FilesystemBackend (on a fresh temp dir per test); WorkspaceFsBackend runs it inside a real
 * VS Code (test/e2e/backendContract.e2e.test.ts). FilesystemBackend-only behaviour (symlinks, atomic
 * writes, binary files) is tested after the contract.
 */
import assert from 'node:assert/strict';
import { chmod, readdir, readFile, stat, symlink, writeFile, lstat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { FilesystemBackend, PathEscapeError, StateBackend, BinaryFileError } from '../../src/core/backends/index';
import { backendContract, tempDir, types, writeTree } from '../support/backendContract';
import type { ContractSuite } from '../support/contractSuite';
import { ripgrepPath } from '../support/ripgrep';

const suite: ContractSuite = { describe: (name, body) => void describe(name, body), it: (name, body) => void it(name, body) };

const RIPGREP = ripgrepPath();

backendContract(suite, 'StateBackend', async (_t, files, search) => new StateBackend(files, search), 'javascript');

backendContract(
  suite,
  'FilesystemBackend with ripgrep',
  async (t, files, search) => {
    const root = await tempDir(t);
    await writeTree(root, files);
    return new FilesystemBackend({ root, search: { ripgrep: RIPGREP, ...search } });
  },
  'ripgrep',
);

backendContract(
  suite,
  'FilesystemBackend without ripgrep (worker thread)',
  async (t, files, search) => {
    const root = await tempDir(t);
    await writeTree(root, files);
    return new FilesystemBackend({ root, search: { ripgrep: false, ...search } });
  },
  'javascript',
);

describe('FilesystemBackend only', () => {
  /** A workspace root and, beside it, an outside directory holding a secret. */
  async function rootWithOutside(t: TestContext) {
    const base = await tempDir(t);
    const root = join(base, 'root');
    const outside = join(base, 'outside');
    await writeTree(root, { 'real/inside.txt': 'inside' });
    await writeTree(outside, { 'secret.txt': 'secret' });
    return { root, outside, backend: new FilesystemBackend({ root }) };
  }

  it('never lists a temp file that a killed writer left behind', async (t) => {
    const { root, backend } = await rootWithOutside(t);
    await writeFile(join(root, 'real', '.inside.txt.0a1b2c3d4e5f.dawtmp'), 'half');
    assert.deepEqual((await backend.ls('real')).map((f) => f.path), ['real/inside.txt']);
    assert.deepEqual(await backend.glob('**/*'), ['real/inside.txt']);
    assert.deepEqual((await backend.grep('half')).length, 0);
  });

  it('accepts an absolute path inside the root as the same file, and refuses one outside it', async (t) => {
    const { root, outside, backend } = await rootWithOutside(t);
    assert.equal(await backend.readFile(join(root, 'real/inside.txt')), 'inside');
    await backend.writeFile(join(root, 'real/new.txt'), 'new');
    assert.equal(await backend.readFile('real/new.txt'), 'new');
    assert.deepEqual((await backend.ls(root)).map((f) => f.path), ['real']);
    assert.deepEqual(await backend.glob('*.txt', join(root, 'real')), ['real/inside.txt', 'real/new.txt']);
    assert.deepEqual((await backend.grep('new', { path: join(root, 'real') })).map((m) => m.path), ['real/new.txt']);
    await assert.rejects(backend.readFile(join(outside, 'secret.txt')), (e: unknown) => e instanceof PathEscapeError && e.message.includes(join(outside, 'secret.txt')));
    await assert.rejects(backend.writeFile(`${root}-sibling/x.txt`, 'x'), PathEscapeError);
  });

  it('refuses to read through a symlink (file or directory) that leads outside the root', async (t) => {
    const { root, outside, backend } = await rootWithOutside(t);
    await symlink(outside, join(root, 'out-dir'));
    await symlink(join(outside, 'secret.txt'), join(root, 'out-file.txt'));
    await assert.rejects(backend.readFile('out-dir/secret.txt'), PathEscapeError);
    await assert.rejects(backend.readFile('out-file.txt'), PathEscapeError);
    await assert.rejects(backend.ls('out-dir'), PathEscapeError);
    await assert.rejects(backend.exists('out-dir/secret.txt'), PathEscapeError);
    // Searches neither list nor read through them.
    assert.deepEqual(
      (await backend.ls('')).map((entry) => entry.path),
      ['real'],
    );
    assert.deepEqual(await backend.glob('**/*'), ['real/inside.txt']);
    assert.deepEqual(await backend.grep('secret'), []);
  });

  it('refuses to write through a symlinked directory that points outside, creating nothing there', async (t) => {
    const { root, outside, backend } = await rootWithOutside(t);
    await symlink(outside, join(root, 'link'));
    await assert.rejects(backend.writeFile('link/new.txt', 'x'), PathEscapeError);
    await assert.rejects(backend.writeFile('link/deeper/new.txt', 'x'), PathEscapeError);
    await assert.rejects(backend.writeFile('link/secret.txt', 'overwritten'), PathEscapeError);
    assert.deepEqual((await readdir(outside)).sort(), ['secret.txt']);
    assert.equal(await readFile(join(outside, 'secret.txt'), 'utf8'), 'secret');
  });

  it('refuses a broken symlink, whose target cannot be checked', async (t) => {
    const { root, outside, backend } = await rootWithOutside(t);
    await symlink(join(outside, 'missing-dir'), join(root, 'dangling'));
    await assert.rejects(backend.writeFile('dangling/new.txt', 'x'), PathEscapeError);
    await assert.rejects(backend.writeFile('dangling', 'x'), PathEscapeError);
    assert.deepEqual(await readdir(outside), ['secret.txt']);
  });

  it('follows symlinks that stay inside the root, writing to the target and keeping the link', async (t) => {
    const { root, backend } = await rootWithOutside(t);
    await symlink(join(root, 'real'), join(root, 'alias'));
    await symlink(join(root, 'real', 'inside.txt'), join(root, 'inside-link.txt'));
    assert.equal(await backend.readFile('alias/inside.txt'), 'inside');
    await backend.writeFile('alias/new.txt', 'via alias');
    assert.equal(await readFile(join(root, 'real', 'new.txt'), 'utf8'), 'via alias');
    await backend.writeFile('inside-link.txt', 'updated');
    assert.equal(await readFile(join(root, 'real', 'inside.txt'), 'utf8'), 'updated');
    assert.ok((await lstat(join(root, 'inside-link.txt'))).isSymbolicLink());
    assert.deepEqual(await types(backend, ''), { alias: 'dir', 'inside-link.txt': 'file', real: 'dir' });
  });

  it('accepts a root that is itself reached through a symlink', async (t) => {
    const { root } = await rootWithOutside(t);
    const linkedRoot = join(dirname(root), 'root-link');
    await symlink(root, linkedRoot);
    const backend = new FilesystemBackend({ root: linkedRoot });
    assert.equal(await backend.readFile('real/inside.txt'), 'inside');
    await backend.writeFile('real/more.txt', 'more');
    assert.equal(await readFile(join(root, 'real', 'more.txt'), 'utf8'), 'more');
  });

  it('walks a symlink loop once instead of forever', async (t) => {
    const { root, backend } = await rootWithOutside(t);
    await symlink(join(root, 'real'), join(root, 'real', 'loop'));
    assert.deepEqual(await backend.glob('**/*.txt'), ['real/inside.txt']);
  });

  it('writes atomically: no temp files left, the file mode kept, concurrent readers never see half a file', async (t) => {
    const root = await tempDir(t);
    const backend = new FilesystemBackend({ root });
    await writeTree(root, { 'script.sh': '#!/bin/sh\n' });
    await chmod(join(root, 'script.sh'), 0o751);
    const before = 'a'.repeat(4 * 1024 * 1024);
    const after = 'b'.repeat(4 * 1024 * 1024);
    await backend.writeFile('script.sh', before);

    const seen = new Set<string>();
    let writing = true;
    const reader = (async () => {
      while (writing) {
        const content = await readFile(join(root, 'script.sh'), 'utf8');
        seen.add(content === before ? 'before' : content === after ? 'after' : `partial (${content.length} chars)`);
      }
    })();
    for (let i = 0; i < 6; i++) await backend.writeFile('script.sh', i % 2 === 0 ? after : before);
    writing = false;
    await reader;

    assert.deepEqual([...seen].filter((kind) => kind.startsWith('partial')), []);
    assert.deepEqual(await readdir(root), ['script.sh']);
    assert.equal((await stat(join(root, 'script.sh'))).mode & 0o777, 0o751);
  });

  it('refuses to read a binary file but still lists it', async (t) => {
    const root = await tempDir(t);
    await writeFile(join(root, 'image.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01, 0x02]));
    const backend = new FilesystemBackend({ root });
    await assert.rejects(backend.readFile('image.png'), (error: unknown) => {
      assert.ok(error instanceof BinaryFileError);
      assert.match(error.message, /"image\.png" is a binary file/);
      return true;
    });
    assert.deepEqual(await backend.glob('*'), ['image.png']);
  });

  it('says clearly when the root does not exist', async (t) => {
    const base = await tempDir(t);
    const backend = new FilesystemBackend({ root: join(base, 'missing') });
    await assert.rejects(backend.readFile('a.txt'), /workspace root .*missing is not available: ENOENT/);
    assert.equal(backend.description, `filesystem at ${join(base, 'missing')}`);
  });
});
