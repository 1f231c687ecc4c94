/**
 * The FileBackend contract: the behaviour every FileBackend owes, registered through a ContractSuite
 * so it runs under node:test (test/core/backends.contract.test.ts: StateBackend, FilesystemBackend)
 * and inside VS Code's extension host (test/e2e/backendContract: WorkspaceFsBackend).
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  FileNotFoundError,
  InvalidPatternError,
  IsADirectoryError,
  NotADirectoryError,
  PathEscapeError,
  SearchTimeoutError,
  type FileBackend,
  type SearchSettings,
} from '../../src/core/backends/index';
import type { CaseContext, ContractSuite } from './contractSuite';
import { watchEventLoop } from './eventLoop';
import { hangingRipgrep } from './ripgrep';

export type BackendFactory = (t: CaseContext, files: Record<string, string>, search?: SearchSettings) => Promise<FileBackend>;
/** Which engine matches grep patterns: ripgrep never backtracks; JavaScript can, and is stopped at the deadline. */
export type GrepEngine = 'ripgrep' | 'javascript';

/** The case: forty a's and a b, 42 bytes, and a pattern JavaScript backtracks on for minutes. */
const HOSTILE = { file: 'a'.repeat(40) + 'b\n', pattern: '(a+)+$' };
/** A glob whose regular expression backtracks for seconds on a long file name of a's. */
const HOSTILE_GLOB = '*a'.repeat(9) + '*b';
/**
 * Searches that run until stopped: JavaScript on the hostile file (after some ordinary ones); ripgrep
 * cannot be made slow on purpose, so its stand-in never answers (the test names say so).
 */
const SLOW_FILES = { 'a.txt': 'plain\n', 'b.txt': 'text\n', 'hostile.txt': HOSTILE.file };
const slowSearch = async (t: CaseContext, engine: GrepEngine): Promise<{ pattern: string; search: SearchSettings }> =>
  engine === 'ripgrep' ? { pattern: 'plain', search: { ripgrep: await hangingRipgrep(await tempDir(t, 'daw-rg-')) } } : { pattern: HOSTILE.pattern, search: {} };
const slowly = (engine: GrepEngine) => (engine === 'ripgrep' ? ' (a stand-in ripgrep that never answers)' : '');

/** Generous bounds: far below the minutes a blocked search takes, far above a busy machine's noise. */
const MAX_STALL_MS = 250;
const DEADLINE_SLACK_MS = 3000;

const ESCAPING_PATHS = ['..', '../outside.txt', 'src/../../outside.txt', '/etc/passwd', '/src/a.ts', '/', 'C:\\Windows\\win.ini', 'c:/x', '\\\\server\\share\\x', '//server/share', 'a\0b'];

export function backendContract({ describe, it }: ContractSuite, name: string, create: BackendFactory, engine: GrepEngine): void {
  describe(`FileBackend contract: ${name}`, () => {
    describe('read and write', () => {
      it('reads back what was written, unicode included, and overwrites', async (t) => {
        const backend = await create(t, {});
        await backend.writeFile('notes.md', 'héllo ✓\nline 2\n');
        assert.equal(await backend.readFile('notes.md'), 'héllo ✓\nline 2\n');
        await backend.writeFile('notes.md', 'short');
        assert.equal(await backend.readFile('notes.md'), 'short');
      });

      it('reads initial files and writes empty files', async (t) => {
        const backend = await create(t, { 'src/a.ts': 'export const a = 1;\n' });
        assert.equal(await backend.readFile('src/a.ts'), 'export const a = 1;\n');
        await backend.writeFile('empty.txt', '');
        assert.equal(await backend.readFile('empty.txt'), '');
        assert.equal(await backend.exists('empty.txt'), true);
      });

      it('deletes a file, says false for a missing one, and refuses a directory or a path outside', async (t) => {
        const backend = await create(t, { 'src/a.ts': 'a', 'src/b.ts': 'b' });
        assert.equal(await backend.delete('src/a.ts'), true);
        assert.equal(await backend.exists('src/a.ts'), false);
        assert.equal(await backend.readFile('src/b.ts'), 'b');
        assert.equal(await backend.delete('src/a.ts'), false);
        await assert.rejects(backend.delete('src'), IsADirectoryError);
        await assert.rejects(backend.delete('../x.ts'), PathEscapeError);
      });

      it('creates parent directories when writing', async (t) => {
        const backend = await create(t, {});
        await backend.writeFile('a/b/c/deep.txt', 'deep');
        assert.equal(await backend.readFile('a/b/c/deep.txt'), 'deep');
        assert.deepEqual(await types(backend, 'a'), { 'a/b': 'dir' });
      });

      it('refuses to read a directory, to write over one, or to write the root', async (t) => {
        const backend = await create(t, { 'src/a.ts': 'a' });
        await assert.rejects(backend.readFile('src'), IsADirectoryError);
        await assert.rejects(backend.writeFile('src', 'x'), IsADirectoryError);
        await assert.rejects(backend.writeFile('', 'x'), IsADirectoryError);
        assert.equal(await backend.readFile('src/a.ts'), 'a');
      });

      it('refuses to write under a path that is a file, naming that file', async (t) => {
        const backend = await create(t, { 'a.txt': 'a' });
        await assert.rejects(backend.writeFile('a.txt/b/c.txt', 'x'), (error: unknown) => {
          assert.ok(error instanceof NotADirectoryError);
          assert.equal(error.path, 'a.txt');
          return true;
        });
        assert.equal(await backend.readFile('a.txt'), 'a');
      });
    });

    describe('paths', () => {
      it('treats "./", "//" inside and ".." that stays inside as the same file', async (t) => {
        const backend = await create(t, {});
        await backend.writeFile('./src/a.ts', 'A');
        for (const spelling of ['src/a.ts', './src/a.ts', 'src//a.ts', 'src/x/../a.ts', 'src/a.ts/', 'src\\a.ts']) {
          assert.equal(await backend.readFile(spelling), 'A', spelling);
        }
      });

      it('treats "" and "." as the root', async (t) => {
        const backend = await create(t, { 'a.txt': 'a', 'd/b.txt': 'b' });
        const expected = [
          { path: 'a.txt', type: 'file' },
          { path: 'd', type: 'dir' },
        ];
        for (const root of ['', '.']) {
          assert.deepEqual((await backend.ls(root)).map(({ path, type }) => ({ path, type })), expected, `ls("${root}")`);
          assert.equal(await backend.exists(root), true);
        }
      });

      for (const escaping of ESCAPING_PATHS) {
        it(`refuses ${JSON.stringify(escaping)} everywhere with PathEscapeError naming it`, async (t) => {
          const backend = await create(t, { 'src/a.ts': 'a' });
          const isEscape = (error: unknown): boolean => {
            assert.ok(error instanceof PathEscapeError, `expected PathEscapeError, got ${String(error)}`);
            assert.equal(error.path, escaping);
            assert.ok(error.message.includes(escaping));
            return true;
          };
          await assert.rejects(backend.readFile(escaping), isEscape);
          await assert.rejects(backend.writeFile(escaping, 'x'), isEscape);
          await assert.rejects(backend.ls(escaping), isEscape);
          await assert.rejects(backend.exists(escaping), isEscape);
          await assert.rejects(backend.glob('**/*', escaping), isEscape);
          await assert.rejects(backend.grep('a', { path: escaping }), isEscape);
        });
      }
    });

    describe('missing files', () => {
      it('reports missing paths as FileNotFoundError naming the path', async (t) => {
        const backend = await create(t, { 'src/a.ts': 'a' });
        const notFound = (path: string) => (error: unknown) => {
          assert.ok(error instanceof FileNotFoundError, `expected FileNotFoundError, got ${String(error)}`);
          assert.equal(error.path, path);
          return true;
        };
        await assert.rejects(backend.readFile('./src/nope.ts'), notFound('src/nope.ts'));
        await assert.rejects(backend.readFile('src/a.ts/inner'), notFound('src/a.ts/inner'));
        await assert.rejects(backend.ls('nope'), notFound('nope'));
        await assert.rejects(backend.glob('**/*', 'nope'), notFound('nope'));
        await assert.rejects(backend.grep('a', { path: 'nope' }), notFound('nope'));
      });

      it('exists is true for files, directories and the root, false otherwise', async (t) => {
        const backend = await create(t, { 'src/a.ts': 'a' });
        assert.equal(await backend.exists('src/a.ts'), true);
        assert.equal(await backend.exists('src'), true);
        assert.equal(await backend.exists(''), true);
        assert.equal(await backend.exists('src/b.ts'), false);
        assert.equal(await backend.exists('sr'), false);
        assert.equal(await backend.exists('src/a.ts/x'), false);
      });
    });

    describe('ls', () => {
      it('lists one directory level, sorted, with root-relative paths, types and file sizes', async (t) => {
        const backend = await create(t, {
          'src/z.ts': 'z',
          'src/a.ts': 'héllo',
          'src/lib/deep/x.ts': 'x',
          'src/B.md': 'b',
          'other.txt': 'o',
        });
        const entries = await backend.ls('src');
        assert.deepEqual(
          entries.map(({ path, type, size }) => ({ path, type, size })),
          [
            { path: 'src/B.md', type: 'file', size: 1 },
            { path: 'src/a.ts', type: 'file', size: 6 }, // bytes, not characters
            { path: 'src/lib', type: 'dir', size: undefined },
            { path: 'src/z.ts', type: 'file', size: 1 },
          ],
        );
      });

      it('refuses to list a file', async (t) => {
        const backend = await create(t, { 'a.txt': 'a' });
        await assert.rejects(backend.ls('a.txt'), NotADirectoryError);
      });
    });

    describe('glob', () => {
      const tree = {
        'README.md': '',
        'src/index.ts': '',
        'src/util.js': '',
        'src/lib/deep.ts': '',
        'src/lib/deep.test.ts': '',
        'src/.hidden.ts': '',
        '.github/workflows/ci.yml': '',
        'node_modules/pkg/index.ts': '',
        '.git/config': '',
      };

      it('matches "**" at any depth (top level included), sorted, skipping dot files, node_modules and .git', async (t) => {
        const backend = await create(t, tree);
        assert.deepEqual(await backend.glob('**/*.ts'), ['src/index.ts', 'src/lib/deep.test.ts', 'src/lib/deep.ts']);
        assert.deepEqual(await backend.glob('**/*'), [
          'README.md',
          'src/index.ts',
          'src/lib/deep.test.ts',
          'src/lib/deep.ts',
          'src/util.js',
        ]);
      });

      it('keeps "*" within one directory and supports braces', async (t) => {
        const backend = await create(t, tree);
        assert.deepEqual(await backend.glob('*.md'), ['README.md']);
        assert.deepEqual(await backend.glob('src/*.{ts,js}'), ['src/index.ts', 'src/util.js']);
      });

      it('matches dot files, node_modules and .git when the pattern names them', async (t) => {
        const backend = await create(t, tree);
        assert.deepEqual(await backend.glob('.github/**/*.yml'), ['.github/workflows/ci.yml']);
        assert.deepEqual(await backend.glob('**/.hidden.ts'), ['src/.hidden.ts']);
        assert.deepEqual(await backend.glob('node_modules/**/*.ts'), ['node_modules/pkg/index.ts']);
        assert.deepEqual(await backend.glob('.git/*'), ['.git/config']);
      });

      it('matches relative to `path` and returns root-relative paths', async (t) => {
        const backend = await create(t, tree);
        assert.deepEqual(await backend.glob('*.ts', 'src/lib'), ['src/lib/deep.test.ts', 'src/lib/deep.ts']);
        assert.deepEqual(await backend.glob('lib/*.ts', './src'), ['src/lib/deep.test.ts', 'src/lib/deep.ts']);
        assert.deepEqual(await backend.glob('/src/*.ts'), ['src/index.ts']);
      });

      it('returns [] when nothing matches and refuses a file as `path`', async (t) => {
        const backend = await create(t, tree);
        assert.deepEqual(await backend.glob('**/*.rs'), []);
        await assert.rejects(backend.glob('*', 'README.md'), NotADirectoryError);
      });
    });

    describe('grep', () => {
      it('returns per-line matches with 1-based lines, sorted by path then line', async (t) => {
        const backend = await create(t, {
          'b.txt': 'needle one\nhay\nneedle two\n',
          'a/z.txt': 'needle in a/z\n',
          'a.txt': 'hay\nhay\nneedle\n',
        });
        assert.deepEqual(await backend.grep('needle'), [
          { path: 'a.txt', line: 3, text: 'needle' },
          { path: 'a/z.txt', line: 1, text: 'needle in a/z' },
          { path: 'b.txt', line: 1, text: 'needle one' },
          { path: 'b.txt', line: 3, text: 'needle two' },
        ]);
      });

      it('treats the pattern as a regular expression, or literally when asked', async (t) => {
        const backend = await create(t, { 'code.ts': 'function load(a) {}\nconst x = load(1);\nfunctionality\n' });
        assert.deepEqual(
          (await backend.grep('^function\\s+\\w+\\(')).map((m) => m.line),
          [1],
        );
        assert.deepEqual((await backend.grep('load(1)', { literal: true })).map((m) => m.line), [2]);
        // As a regex, "load(1)" is "load1" with a group: no line has that.
        assert.deepEqual(await backend.grep('load(1)'), []);
      });

      it('honours ignoreCase', async (t) => {
        const backend = await create(t, { 'a.txt': 'Hello\nhello\nHELLO\n' });
        assert.deepEqual((await backend.grep('hello')).map((m) => m.line), [2]);
        assert.deepEqual((await backend.grep('hello', { ignoreCase: true })).map((m) => m.line), [1, 2, 3]);
      });

      it('reports an invalid regular expression with the pattern and the reason', async (t) => {
        const backend = await create(t, { 'a.txt': 'a' });
        await assert.rejects(backend.grep('('), (error: unknown) => {
          assert.ok(error instanceof InvalidPatternError);
          assert.equal(error.message, 'invalid regular expression "(": Unterminated group');
          return true;
        });
        assert.deepEqual(await backend.grep('(', { literal: true }), []);
      });

      it('searches under `path`, which may be a directory or one file', async (t) => {
        const backend = await create(t, { 'src/a.ts': 'x', 'src/lib/b.ts': 'x', 'test/c.ts': 'x' });
        assert.deepEqual((await backend.grep('x', { path: './src' })).map((m) => m.path), ['src/a.ts', 'src/lib/b.ts']);
        assert.deepEqual((await backend.grep('x', { path: 'src/lib/b.ts' })).map((m) => m.path), ['src/lib/b.ts']);
      });

      it('filters by glob: file names at any depth without "/", paths under `path` with "/"', async (t) => {
        const backend = await create(t, { 'a.ts': 'x', 'src/b.ts': 'x', 'src/c.js': 'x', 'src/lib/d.ts': 'x', '.config/e.ts': 'x' });
        assert.deepEqual((await backend.grep('x', { glob: '*.ts' })).map((m) => m.path), [
          '.config/e.ts',
          'a.ts',
          'src/b.ts',
          'src/lib/d.ts',
        ]);
        assert.deepEqual((await backend.grep('x', { glob: 'src/*.{js,ts}' })).map((m) => m.path), ['src/b.ts', 'src/c.js']);
        assert.deepEqual((await backend.grep('x', { glob: 'lib/*.ts', path: 'src' })).map((m) => m.path), ['src/lib/d.ts']);
      });

      it('skips node_modules and .git unless the glob or path names them, and binary files', async (t) => {
        const backend = await create(t, {
          'src/a.ts': 'token',
          'node_modules/pkg/index.js': 'token',
          '.git/config': 'token',
          'data.bin': 'token\0binary',
        });
        assert.deepEqual((await backend.grep('token')).map((m) => m.path), ['src/a.ts']);
        assert.deepEqual((await backend.grep('token', { glob: 'node_modules/**' })).map((m) => m.path), ['node_modules/pkg/index.js']);
        assert.deepEqual((await backend.grep('token', { path: 'node_modules/pkg' })).map((m) => m.path), ['node_modules/pkg/index.js']);
      });

      it("skips .deep-agent (the agent's own run journals) unless the glob or path names it", async (t) => {
        const backend = await create(t, { 'src/a.ts': 'token', '.deep-agent/runs/run-1.jsonl': '{"prompt":"token"}' });
        assert.deepEqual((await backend.grep('token')).map((m) => m.path), ['src/a.ts']);
        assert.deepEqual(await backend.glob('**/*.jsonl'), []);
        assert.deepEqual((await backend.grep('token', { path: '.deep-agent/runs' })).map((m) => m.path), ['.deep-agent/runs/run-1.jsonl']);
      });

      it('skips files over 1 MB', async (t) => {
        const big = `token\n${'x'.repeat(1024 * 1024)}\n`;
        const backend = await create(t, { 'big.txt': big, 'small.txt': 'token\n' });
        assert.deepEqual((await backend.grep('token')).map((m) => m.path), ['small.txt']);
      });

      it('stops at maxResults (default 200), keeping the first matches in order', async (t) => {
        const lines = Array.from({ length: 250 }, (_, i) => `match ${i + 1}`).join('\n');
        const backend = await create(t, { 'a.txt': 'match a\nmatch b\n', 'b.txt': lines });
        const capped = await backend.grep('match', { maxResults: 3 });
        assert.deepEqual(capped.map((m) => `${m.path}:${m.line}`), ['a.txt:1', 'a.txt:2', 'b.txt:1']);
        const byDefault = await backend.grep('match');
        assert.equal(byDefault.length, 200);
        assert.deepEqual(byDefault.at(-1), { path: 'b.txt', line: 198, text: 'match 198' });
      });

      it('drops CR from CRLF lines and counts no line after a final newline', async (t) => {
        const backend = await create(t, { 'win.txt': 'one\r\ntwo\r\n', 'gaps.txt': 'a\n\nb\n' });
        assert.deepEqual(await backend.grep('two$'), [{ path: 'win.txt', line: 2, text: 'two' }]);
        assert.deepEqual(await backend.grep('^$'), [{ path: 'gaps.txt', line: 2, text: '' }]);
      });
    });

    describe('stat and readRange', () => {
      it('stats files (size in bytes) and directories, and names what is missing', async (t) => {
        const backend = await create(t, { 'src/a.ts': 'héllo' });
        const file = await backend.stat!('./src/a.ts');
        assert.deepEqual({ path: file.path, type: file.type, size: file.size }, { path: 'src/a.ts', type: 'file', size: 6 });
        assert.equal((await backend.stat!('src')).type, 'dir');
        assert.equal((await backend.stat!('')).type, 'dir');
        await assert.rejects(backend.stat!('src/b.ts'), (e: unknown) => e instanceof FileNotFoundError && e.path === 'src/b.ts');
        await assert.rejects(backend.stat!('../x'), PathEscapeError);
      });

      it('reads a byte range, shorter at the end of the file, empty past it', async (t) => {
        const backend = await create(t, { 'a.txt': '0123456789', 'u.txt': 'é!' });
        assert.equal(Buffer.from(await backend.readRange!('a.txt', 2, 3)).toString(), '234');
        assert.equal(Buffer.from(await backend.readRange!('a.txt', 8, 100)).toString(), '89');
        assert.equal((await backend.readRange!('a.txt', 10, 5)).length, 0);
        assert.deepEqual([...(await backend.readRange!('u.txt', 0, 2))], [0xc3, 0xa9]); // bytes, not characters
        await assert.rejects(backend.readRange!('nope.txt', 0, 1), FileNotFoundError);
        await assert.rejects(backend.readRange!('', 0, 1), IsADirectoryError);
      });
    });

    describe('deadlines and cancellation', () => {
      it(`greps "${HOSTILE.pattern}" on forty a's and a b without blocking the event loop, ${engine === 'ripgrep' ? 'finding nothing at once' : 'stopped at the deadline'}`, async (t) => {
        const backend = await create(t, { 'hostile.txt': HOSTILE.file }, { timeoutMs: 2000 });
        const loop = watchEventLoop();
        const started = performance.now();
        if (engine === 'ripgrep') {
          assert.deepEqual(await backend.grep(HOSTILE.pattern), []);
        } else {
          await assert.rejects(backend.grep(HOSTILE.pattern), (error: unknown) => {
            assert.ok(error instanceof SearchTimeoutError, `expected SearchTimeoutError, got ${String(error)}`);
            assert.equal(
              error.message,
              'grep timed out after 2 s in hostile.txt: the pattern "(a+)+$" may backtrack catastrophically; simplify it or narrow path/glob',
            );
            return true;
          });
        }
        assert.ok(performance.now() - started < 2000 + DEADLINE_SLACK_MS, 'ends within its deadline');
        assert.ok(loop.stop() < MAX_STALL_MS, 'the event loop kept turning');
      });

      it('stops a glob whose pattern backtracks at its deadline, naming the pattern', async (t) => {
        const backend = await create(t, { [`${'a'.repeat(40)}.txt`]: '', 'b.txt': '' }, { timeoutMs: 1000 });
        const loop = watchEventLoop();
        await assert.rejects(backend.glob(HOSTILE_GLOB), (error: unknown) => {
          assert.ok(error instanceof SearchTimeoutError, `expected SearchTimeoutError, got ${String(error)}`);
          assert.equal(error.message, `glob timed out after 1 s matching "${HOSTILE_GLOB}" against 2 paths; simplify the pattern or narrow path`);
          return true;
        });
        assert.ok(loop.stop() < MAX_STALL_MS, 'the event loop kept turning');
      });

      it(`stops a grep when its signal fires, with the signal's reason, while other calls go on${slowly(engine)}`, async (t) => {
        const slow = await slowSearch(t, engine);
        const backend = await create(t, { ...SLOW_FILES, 'other.txt': 'other\n' }, { timeoutMs: 60_000, ...slow.search });
        const controller = new AbortController();
        const reason = new Error('the run was cancelled');
        const rejected = assert.rejects(backend.grep(slow.pattern, { signal: controller.signal }), (error: unknown) => error === reason);
        // Another call is answered while the search runs; then the run is cancelled.
        assert.equal(await backend.readFile('other.txt'), 'other\n');
        setTimeout(() => controller.abort(reason), 100);
        const started = performance.now();
        await rejected;
        assert.ok(performance.now() - started < DEADLINE_SLACK_MS, 'stops at once, not at the 60 s deadline');
        await assert.rejects(backend.grep('x', { signal: AbortSignal.abort(reason) }), (error: unknown) => error === reason);
        await assert.rejects(backend.glob('**', '', { signal: AbortSignal.abort(reason) }), (error: unknown) => error === reason);
      });

      it(`stops a search at its deadline, saying what to change${slowly(engine)}`, async (t) => {
        const slow = await slowSearch(t, engine);
        const backend = await create(t, SLOW_FILES, { timeoutMs: 300, ...slow.search });
        const started = performance.now();
        await assert.rejects(backend.grep(slow.pattern), (error: unknown) => {
          assert.ok(error instanceof SearchTimeoutError, `expected SearchTimeoutError, got ${String(error)}`);
          assert.match(error.message, /^grep timed out after 0\.3 s (searching 3 files; narrow path or glob|having searched \d of 3 files|in hostile\.txt: )/);
          return true;
        });
        assert.ok(performance.now() - started < 300 + DEADLINE_SLACK_MS);
      });

      it('finds matches as usual after a search was stopped', async (t) => {
        const backend = await create(t, { 'hostile.txt': HOSTILE.file, 'code.ts': 'const x = 1;\n' }, { timeoutMs: 1000 });
        await backend.grep(HOSTILE.pattern).catch(() => undefined);
        assert.deepEqual(await backend.grep('const'), [{ path: 'code.ts', line: 1, text: 'const x = 1;' }]);
        assert.deepEqual(await backend.glob('*.ts'), ['code.ts']);
      });
    });
  });
}

export async function types(backend: FileBackend, dir: string): Promise<Record<string, string>> {
  return Object.fromEntries((await backend.ls(dir)).map((entry) => [entry.path, entry.type]));
}

/** A fresh temp directory, removed when the test ends. */
export async function tempDir(t: CaseContext, prefix = 'daw-backend-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

export async function writeTree(root: string, files: Record<string, string>): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), content);
  }
}
