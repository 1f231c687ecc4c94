/** The six file tools, run as the agent loop runs them: parse the model's arguments, then execute. */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { FilesystemBackend, StateBackend, type FileBackend } from '../../src/core/backends/index';
import {
  editFileTool,
  fileTools,
  globTool,
  grepTool,
  lsTool,
  readFileTool,
  writeFileTool,
} from '../../src/core/tools/files';
import { toolSpec, ToolError, type AnyTool, type ToolContext, type ToolServices } from '../../src/core/tools/types';

/** File tools never need per-run services; each stub fails loudly if one is called. */
const unusedServices: ToolServices = {
  readTodos: () => unusedStub('readTodos'),
  writeTodos: () => unusedStub('writeTodos'),
  runSubagent: () => unusedStub('runSubagent'),
  listSubagents: () => unusedStub('listSubagents'),
  loadSkill: () => unusedStub('loadSkill'),
  emitMemoryEvent: () => unusedStub('emitMemoryEvent'),
  startChildRun: () => unusedStub('startChildRun'),
};

function unusedStub(name: string): never {
  throw new Error(`unused stub: file tools must not call services.${name}`);
}

function contextFor(backend: FileBackend): ToolContext {
  return {
    backend,
    signal: new AbortController().signal,
    runId: 'run-test',
    toolCallId: 'call-test',
    reportProgress: () => {},
    services: unusedServices,
  };
}

/** Runs a tool with raw arguments, as the model would send them. */
function run(tool: AnyTool, args: unknown, backend: FileBackend): Promise<string> {
  return tool.execute(tool.parameters.parse(args), contextFor(backend));
}

/** Asserts that the tool fails with a ToolError whose message is exactly `message` (or matches it). */
async function assertToolError(promise: Promise<string>, message: string | RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof ToolError, `expected ToolError, got ${String(error)}`);
    assert.ok(!error.message.includes('\n'), 'a tool error is one line');
    if (typeof message === 'string') assert.equal(error.message, message);
    else assert.match(error.message, message);
    return true;
  });
}

/** A fresh temp directory, removed when the test ends. */
async function tempDir(t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'daw-tools-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

const numberedLines = (count: number) => Array.from({ length: count }, (_, i) => `line ${i + 1}`).join('\n');

describe('fileTools()', () => {
  it('returns the six tools, read-only exactly where they have no side effects', () => {
    const readOnlyByName = Object.fromEntries(fileTools().map((tool) => [tool.name, tool.readOnly]));
    assert.deepEqual(readOnlyByName, {
      ls: true,
      read_file: true,
      write_file: false,
      edit_file: false,
      glob: true,
      grep: true,
    });
  });

  it('describes every parameter in the JSON schema the model sees', () => {
    for (const tool of fileTools()) {
      const properties = toolSpec(tool).parameters.properties as Record<string, { description?: string }>;
      assert.ok(Object.keys(properties).length > 0, tool.name);
      for (const [name, property] of Object.entries(properties)) {
        assert.ok(property.description && property.description.length > 10, `${tool.name}.${name} has no description`);
      }
    }
  });
});

describe('ls', () => {
  const backend = () => new StateBackend({ 'src/a.ts': '', 'src/lib/b.ts': '', 'README.md': '' });

  it('lists the root, directories with a trailing "/"', async () => {
    assert.equal(await run(lsTool, {}, backend()), 'README.md\nsrc/');
    assert.equal(await run(lsTool, { path: '.' }, backend()), 'README.md\nsrc/');
  });

  it('lists a subdirectory with root-relative paths', async () => {
    assert.equal(await run(lsTool, { path: 'src' }, backend()), 'src/a.ts\nsrc/lib/');
  });

  it('says when a directory is empty', async () => {
    assert.equal(await run(lsTool, {}, new StateBackend()), '(empty directory: .)');
  });

  it('fails with the backend error for a missing directory or a file', async () => {
    await assertToolError(run(lsTool, { path: 'nope' }, backend()), 'no such file or directory: "nope"');
    await assertToolError(run(lsTool, { path: 'README.md' }, backend()), '"README.md" is a file, not a directory');
  });
});

describe('read_file', () => {
  it('numbers lines like cat -n, without a phantom line after the final newline', async () => {
    const backend = new StateBackend({ 'a.txt': 'foo\n  bar\r\n\nbaz\n' });
    assert.equal(await run(readFileTool, { path: 'a.txt' }, backend), '     1\tfoo\n     2\t  bar\n     3\t\n     4\tbaz');
  });

  it('pages with offset (0-based) and limit, saying how to read on', async () => {
    const backend = new StateBackend({ 'a.txt': numberedLines(5) });
    assert.equal(
      await run(readFileTool, { path: 'a.txt', offset: 1, limit: 2 }, backend),
      '     2\tline 2\n     3\tline 3\n… 2 more lines; call again with offset=3',
    );
    assert.equal(await run(readFileTool, { path: 'a.txt', offset: 4 }, backend), '     5\tline 5');
  });

  it('returns 2000 lines by default', async () => {
    const output = await run(readFileTool, { path: 'big.txt' }, new StateBackend({ 'big.txt': numberedLines(3234) }));
    const lines = output.split('\n');
    assert.equal(lines.length, 2001);
    assert.equal(lines[1999], '  2000\tline 2000');
    assert.equal(lines[2000], '… 1234 more lines; call again with offset=2000');
  });

  it('cuts lines longer than 2000 characters', async () => {
    const backend = new StateBackend({ 'min.js': `${'x'.repeat(2500)}\nshort` });
    const [first, second] = (await run(readFileTool, { path: 'min.js' }, backend)).split('\n');
    assert.equal(first, `     1\t${'x'.repeat(2000)}… [line truncated: 2500 characters]`);
    assert.equal(second, '     2\tshort');
  });

  it('says when the file is empty', async () => {
    assert.equal(await run(readFileTool, { path: 'e.txt' }, new StateBackend({ 'e.txt': '' })), '(empty file)');
  });

  it('fails clearly for an offset past the end, a missing file, a directory and an escape', async () => {
    const backend = new StateBackend({ 'src/a.txt': 'one\ntwo\n' });
    await assertToolError(
      run(readFileTool, { path: 'src/a.txt', offset: 2 }, backend),
      'offset 2 is past the end of src/a.txt, which has 2 lines',
    );
    await assertToolError(run(readFileTool, { path: './src/b.txt' }, backend), 'no such file or directory: "src/b.txt"');
    await assertToolError(run(readFileTool, { path: 'src' }, backend), '"src" is a directory, not a file');
    await assertToolError(
      run(readFileTool, { path: '../etc/passwd' }, backend),
      `path "../etc/passwd" is outside the workspace root: '..' leads above the root`,
    );
  });

  it('fails clearly for a binary file on disk', async (t) => {
    const root = await mkdtemp(join(tmpdir(), 'daw-tools-'));
    t.after(() => rm(root, { recursive: true, force: true }));
    await writeFile(join(root, 'logo.png'), Buffer.from([0x89, 0x50, 0x00, 0x1a]));
    await assertToolError(
      run(readFileTool, { path: 'logo.png' }, new FilesystemBackend({ root })),
      '"logo.png" is a binary file (binary data, 4 bytes); only text files can be read',
    );
  });

  it('says what a binary file is and how big, from its first bytes', async (t) => {
    const root = await tempDir(t);
    await writeFile(join(root, 'pic.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]));
    await writeFile(join(root, 'big.bin'), Buffer.concat([Buffer.from([0x1f, 0x8b, 0x08, 0x00]), Buffer.alloc(3 * 1024 * 1024)]));
    const backend = new FilesystemBackend({ root });
    await assertToolError(run(readFileTool, { path: 'pic.png' }, backend), '"pic.png" is a binary file (PNG image, 12 bytes); only text files can be read');
    await assertToolError(run(readFileTool, { path: 'big.bin' }, backend), '"big.bin" is a binary file (gzip archive, 3.0 MB); only text files can be read');
  });
});

describe('read_file on a file too big to read whole', () => {
  /** 120,000 numbered lines, 6,248,895 bytes (6.0 MB). */
  const bigText = Array.from({ length: 120_000 }, (_, i) => `line ${i + 1} ${'x'.repeat(40)}`).join('\n') + '\n';
  const bigLine = (n: number) => `line ${n} ${'x'.repeat(40)}`;

  /** The backend on disk, counting what is read, so a test can tell the file was not read whole. */
  async function bigFileBackend(t: TestContext, files: Record<string, string | Buffer>) {
    const root = await tempDir(t);
    for (const [name, content] of Object.entries(files)) await writeFile(join(root, name), content);
    const disk = new FilesystemBackend({ root });
    const reads = { whole: 0, rangeBytes: 0 };
    const backend: FileBackend = {
      description: disk.description,
      ls: (path) => disk.ls(path),
      readFile: (path) => (reads.whole++, disk.readFile(path)),
      writeFile: (path, content) => disk.writeFile(path, content),
      exists: (path) => disk.exists(path),
      delete: (path) => disk.delete(path),
      glob: (pattern, path) => disk.glob(pattern, path),
      grep: (pattern, options) => disk.grep(pattern, options),
      stat: (path) => disk.stat(path),
      readRange: async (path, start, length) => {
        const bytes = await disk.readRange(path, start, length);
        reads.rangeBytes += bytes.length;
        return bytes;
      },
    };
    return { backend, reads };
  }

  it('answers with its size and the first page of numbered lines, reading only that far', async (t) => {
    const { backend, reads } = await bigFileBackend(t, { 'big.log': bigText });
    const lines = (await run(readFileTool, { path: 'big.log' }, backend)).split('\n');
    assert.equal(lines[0], '(big.log is 6.0 MB, so it is read a page at a time: lines 1–2000)');
    assert.equal(lines[1], `     1\t${bigLine(1)}`);
    assert.equal(lines[2000], `  2000\t${bigLine(2000)}`);
    assert.equal(lines[2001], '… more lines follow; call again with offset=2000');
    assert.equal(lines.length, 2002);
    assert.equal(reads.whole, 0, 'never read whole');
    assert.ok(reads.rangeBytes <= 2 * 1024 * 1024, `read ${reads.rangeBytes} bytes for one page`);
  });

  it('pages on with offset and limit to the last line, and names the line count past the end', async (t) => {
    const { backend } = await bigFileBackend(t, { 'big.log': bigText });
    const lines = (await run(readFileTool, { path: 'big.log', offset: 119_998, limit: 5 }, backend)).split('\n');
    assert.deepEqual(lines, ['(big.log is 6.0 MB, so it is read a page at a time: lines 119999–120000)', `119999\t${bigLine(119_999)}`, `120000\t${bigLine(120_000)}`]);
    const middle = (await run(readFileTool, { path: 'big.log', offset: 60_000, limit: 1 }, backend)).split('\n');
    assert.deepEqual(middle.slice(1), [` 60001\t${bigLine(60_001)}`, '… more lines follow; call again with offset=60001']);
    await assertToolError(run(readFileTool, { path: 'big.log', offset: 120_000 }, backend), 'offset 120000 is past the end of big.log, which has 120000 lines');
  });

  it('holds only the start of an enormous line, and keeps CRLF and a last line without newline as splitLines does', async (t) => {
    const huge = 'y'.repeat(3 * 1024 * 1024);
    const { backend } = await bigFileBackend(t, { 'one-line.txt': `${huge}\r\nsecond\r\nlast` });
    const lines = (await run(readFileTool, { path: 'one-line.txt' }, backend)).split('\n');
    assert.equal(lines[1], `     1\t${'y'.repeat(2000)}… [line truncated: ${huge.length + 1} bytes]`);
    assert.deepEqual(lines.slice(2), ['     2\tsecond', '     3\tlast']);
  });

  it('pages an in-memory file the same way', async () => {
    const lines = (await run(readFileTool, { path: 'big.log', offset: 5, limit: 2 }, new StateBackend({ 'big.log': bigText }))).split('\n');
    assert.deepEqual(lines, ['(big.log is 6.0 MB, so it is read a page at a time: lines 6–7)', `     6\t${bigLine(6)}`, `     7\t${bigLine(7)}`, '… more lines follow; call again with offset=7']);
  });

  it('reads a backend without stat or readRange whole, as before', async () => {
    const state = new StateBackend({ 'a.txt': 'one\ntwo\n' });
    const plain: FileBackend = {
      description: state.description,
      ls: (path) => state.ls(path),
      readFile: (path) => state.readFile(path),
      writeFile: (path, content) => state.writeFile(path, content),
      exists: (path) => state.exists(path),
      delete: (path) => state.delete(path),
      glob: (pattern, path) => state.glob(pattern, path),
      grep: (pattern, options) => state.grep(pattern, options),
    };
    assert.equal(await run(readFileTool, { path: 'a.txt', limit: 1 }, plain), '     1\tone\n… 1 more line; call again with offset=1');
  });

  it('rejects invalid arguments before running', () => {
    assert.throws(() => readFileTool.parameters.parse({ path: 'a.txt', offset: -1 }));
    assert.throws(() => readFileTool.parameters.parse({ path: 'a.txt', limit: 0 }));
    assert.throws(() => readFileTool.parameters.parse({}));
  });
});

describe('write_file', () => {
  it('creates a file with its parent directories and reports the line count', async () => {
    const backend = new StateBackend();
    assert.equal(await run(writeFileTool, { path: './src/new.ts', content: 'a\nb\n' }, backend), 'Wrote 2 lines to src/new.ts');
    assert.deepEqual(backend.snapshot(), { 'src/new.ts': 'a\nb\n' });
  });

  it('overwrites an existing file', async () => {
    const backend = new StateBackend({ 'a.txt': 'old\nold\nold' });
    assert.equal(await run(writeFileTool, { path: 'a.txt', content: 'new' }, backend), 'Wrote 1 line to a.txt');
    assert.equal(await backend.readFile('a.txt'), 'new');
  });

  it('fails for an escaping path and writes nothing', async () => {
    const backend = new StateBackend();
    await assertToolError(run(writeFileTool, { path: '../x.txt', content: 'x' }, backend), /^path "\.\.\/x\.txt" is outside/);
    assert.deepEqual(backend.snapshot(), {});
  });
});

describe('edit_file', () => {
  const source = 'const a = 1;\nconst b = 2;\nconst a2 = a + 1;\n';

  it('replaces a unique occurrence and says so', async () => {
    const backend = new StateBackend({ 'src/a.ts': source });
    const reply = await run(editFileTool, { path: 'src/a.ts', old_string: 'const b = 2;', new_string: 'const b = 3;' }, backend);
    assert.equal(reply, 'Replaced 1 occurrence in src/a.ts');
    assert.equal(await backend.readFile('src/a.ts'), 'const a = 1;\nconst b = 3;\nconst a2 = a + 1;\n');
  });

  it('refuses an ambiguous match unless replace_all is set, then replaces every one', async () => {
    const backend = new StateBackend({ 'src/a.ts': source });
    await assertToolError(
      run(editFileTool, { path: 'src/a.ts', old_string: 'a', new_string: 'x' }, backend),
      'old_string occurs 3 times in src/a.ts; give more context or set replace_all',
    );
    assert.equal(await backend.readFile('src/a.ts'), source);
    const reply = await run(editFileTool, { path: 'src/a.ts', old_string: 'const', new_string: 'let', replace_all: true }, backend);
    assert.equal(reply, 'Replaced 3 occurrences in src/a.ts');
    assert.equal(await backend.readFile('src/a.ts'), 'let a = 1;\nlet b = 2;\nlet a2 = a + 1;\n');
  });

  it('inserts new_string literally, even with "$&" and "$1" in it', async () => {
    const backend = new StateBackend({ 'a.txt': 'price: X\n' });
    await run(editFileTool, { path: 'a.txt', old_string: 'X', new_string: '$& $1 $$' }, backend);
    assert.equal(await backend.readFile('a.txt'), 'price: $& $1 $$\n');
  });

  it("edits a CRLF file with '\\n' in old_string, keeping CRLF endings", async () => {
    const backend = new StateBackend({ 'win.txt': 'one\r\ntwo\r\nthree\r\n' });
    await run(editFileTool, { path: 'win.txt', old_string: 'one\ntwo', new_string: 'uno\ndos' }, backend);
    assert.equal(await backend.readFile('win.txt'), 'uno\r\ndos\r\nthree\r\n');
  });

  it('fails clearly, changing nothing, when old_string is missing, empty or equal to new_string', async () => {
    const backend = new StateBackend({ 'src/a.ts': source });
    await assertToolError(
      run(editFileTool, { path: 'src/a.ts', old_string: 'const c', new_string: 'x' }, backend),
      'old_string not found in src/a.ts',
    );
    await assertToolError(
      run(editFileTool, { path: 'src/a.ts', old_string: 'const a', new_string: 'const a' }, backend),
      'old_string and new_string are the same; nothing to change in src/a.ts',
    );
    await assertToolError(
      run(editFileTool, { path: 'src/a.ts', old_string: '', new_string: 'x' }, backend),
      'old_string is empty; to create or overwrite a file use write_file',
    );
    assert.equal(await backend.readFile('src/a.ts'), source);
  });

  it('fails for a missing file without creating it', async () => {
    const backend = new StateBackend();
    await assertToolError(
      run(editFileTool, { path: 'nope.ts', old_string: 'a', new_string: 'b' }, backend),
      'no such file or directory: "nope.ts"',
    );
    assert.equal(await backend.exists('nope.ts'), false);
  });
});

describe('glob', () => {
  const backend = () => new StateBackend({ 'src/a.ts': '', 'src/lib/b.ts': '', 'src/c.js': '', 'README.md': '' });

  it('lists matching paths, one per line, sorted', async () => {
    assert.equal(await run(globTool, { pattern: '**/*.ts' }, backend()), 'src/a.ts\nsrc/lib/b.ts');
    assert.equal(await run(globTool, { pattern: '*.ts', path: 'src/lib' }, backend()), 'src/lib/b.ts');
  });

  it('says when nothing matches', async () => {
    assert.equal(await run(globTool, { pattern: '**/*.rs' }, backend()), 'No files match "**/*.rs" under .');
    assert.equal(await run(globTool, { pattern: '*.rs', path: './src' }, backend()), 'No files match "*.rs" under src');
  });

  it('fails for a missing directory', async () => {
    await assertToolError(run(globTool, { pattern: '*', path: 'nope' }, backend()), 'no such file or directory: "nope"');
  });

  it('caps very long results with a note', async () => {
    const files = Object.fromEntries(Array.from({ length: 503 }, (_, i) => [`f/${String(i).padStart(3, '0')}.txt`, '']));
    const lines = (await run(globTool, { pattern: '**/*.txt' }, new StateBackend(files))).split('\n');
    assert.equal(lines.length, 501);
    assert.equal(lines[499], 'f/499.txt');
    assert.equal(lines[500], '… 3 more files; narrow the pattern or path');
  });
});

describe('grep', () => {
  it('prints "path:line: text" with the text trimmed', async () => {
    const backend = new StateBackend({ 'src/a.ts': 'import x;\n    export function load() {}\n', 'b.ts': 'load()' });
    assert.equal(
      await run(grepTool, { pattern: 'load\\(' }, backend),
      'b.ts:1: load()\nsrc/a.ts:2: export function load() {}',
    );
  });

  it('cuts long matching lines to about 200 characters', async () => {
    const backend = new StateBackend({ 'min.js': `needle${'x'.repeat(500)}` });
    const output = await run(grepTool, { pattern: 'needle' }, backend);
    assert.equal(output, `min.js:1: needle${'x'.repeat(194)}…`);
  });

  it('passes path, glob, ignore_case and literal through', async () => {
    const backend = new StateBackend({ 'src/a.ts': 'Value(1)', 'src/b.js': 'value(1)', 'test/c.ts': 'value(1)' });
    const options = { pattern: 'value(1)', path: 'src', glob: '*.ts', ignore_case: true, literal: true };
    assert.equal(await run(grepTool, options, backend), 'src/a.ts:1: Value(1)');
  });

  it('says when nothing matches, naming where it looked', async () => {
    const backend = new StateBackend({ 'a.ts': 'x' });
    assert.equal(await run(grepTool, { pattern: 'zzz' }, backend), 'No matches for "zzz" under .');
    assert.equal(
      await run(grepTool, { pattern: 'zzz', path: './src/', glob: '*.md' }, new StateBackend({ 'src/a.md': 'x' })),
      'No matches for "zzz" under src in files matching "*.md"',
    );
  });

  it('shows at most 200 matches and notes the cap only when there were more', async () => {
    const exactly200 = new StateBackend({ 'a.txt': Array(200).fill('hit').join('\n') });
    const output200 = (await run(grepTool, { pattern: 'hit' }, exactly200)).split('\n');
    assert.equal(output200.length, 200);
    assert.equal(output200[199], 'a.txt:200: hit');

    const over = new StateBackend({ 'a.txt': Array(450).fill('hit').join('\n') });
    const lines = (await run(grepTool, { pattern: 'hit' }, over)).split('\n');
    assert.equal(lines.length, 201);
    assert.equal(lines[199], 'a.txt:200: hit');
    assert.match(lines[200], /^\(showing the first 200 matches; narrow the search/);
  });

  it('reports an invalid regular expression', async () => {
    await assertToolError(
      run(grepTool, { pattern: '(' }, new StateBackend({ 'a.ts': '(' })),
      'invalid regular expression "(": Unterminated group',
    );
  });
});
