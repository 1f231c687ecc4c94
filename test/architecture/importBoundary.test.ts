/**
 * The layering ARCHITECTURE.md asks for, checked on every import of every source file: the shells
 * (src/cli, src/vscode, src/extension.ts), the panel protocol (src/webview) and the webview (media/) reach the core only through its
 * public entry point; the core never imports `vscode`, the shells or media/; agent/ and checkpoint/
 * do not import each other.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import ts from 'typescript';

const root = resolve(__dirname, '..', '..');
const core = join(root, 'src', 'core');
const coreEntry = join(core, 'index');

interface Import {
  file: string;
  specifier: string;
  /** The absolute path a relative import points at (without extension); undefined for packages. */
  target?: string;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

function importsOf(file: string): Import[] {
  const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  return info.importedFiles.map(({ fileName: specifier }) => ({
    file: relative(root, file),
    specifier,
    target: specifier.startsWith('.') ? resolve(dirname(file), specifier).replace(/\.(ts|js)$/, '').replace(/[\\/]index$/, '') : undefined,
  }));
}

const within = (path: string | undefined, dir: string) => path !== undefined && (path === dir || path.startsWith(dir + '/') || path.startsWith(dir + '\\'));
const shown = (found: Import[]) => found.map((i) => `${i.file} imports '${i.specifier}'`).join('\n');

const shellFiles = [...sourceFiles(join(root, 'src', 'cli')), ...sourceFiles(join(root, 'src', 'vscode')), ...sourceFiles(join(root, 'src', 'webview')), join(root, 'src', 'extension.ts'), ...sourceFiles(join(root, 'media'))];
const coreFiles = sourceFiles(core);

test('the shells and the webview reach the core only through src/core/index.ts', () => {
  const past = shellFiles.flatMap(importsOf).filter((i) => within(i.target, core) && i.target !== core && i.target !== coreEntry.replace(/[\\/]index$/, ''));
  assert.equal(shellFiles.length > 20, true, 'the shells were found');
  assert.deepEqual(past, [], `imports past the core's entry point:\n${shown(past)}`);
});

test('the core imports neither vscode nor the shells nor the webview', () => {
  const outward = coreFiles
    .flatMap(importsOf)
    .filter((i) => i.specifier === 'vscode' || ['src/cli', 'src/vscode', 'src/webview', 'src/extension', 'media'].some((dir) => within(i.target, join(root, dir))));
  assert.deepEqual(outward, [], `the core reaches outward:\n${shown(outward)}`);
});

test('agent/ and checkpoint/ do not import each other', () => {
  const agent = join(core, 'agent');
  const checkpoint = join(core, 'checkpoint');
  const crossing = coreFiles.flatMap(importsOf).filter((i) => (within(join(root, i.file), agent) && within(i.target, checkpoint)) || (within(join(root, i.file), checkpoint) && within(i.target, agent)));
  assert.deepEqual(crossing, [], `agent/ and checkpoint/ import each other:\n${shown(crossing)}`);
});
