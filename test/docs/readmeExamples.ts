/** The README's code blocks, and running one the way a user would: example.mts in the repository root, `npx tsx example.mts`. */
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { TestContext } from 'node:test';
import MarkdownIt from 'markdown-it';

export interface CodeBlock {
  /** The fence's language tag ('' when it has none). */
  lang: string;
  /** The nearest heading above it. */
  heading: string;
  /** 1-based line of the fence in the file. */
  line: number;
  code: string;
}

export function readmeBlocks(markdown: string): CodeBlock[] {
  const tokens = new MarkdownIt().parse(markdown, {});
  const blocks: CodeBlock[] = [];
  let heading = '';
  tokens.forEach((token, i) => {
    if (token.type === 'heading_open') heading = tokens[i + 1]!.content;
    if (token.type === 'fence' || token.type === 'code_block') {
      blocks.push({ lang: token.info.trim().split(/\s+/)[0] ?? '', heading, line: (token.map?.[0] ?? 0) + 1, code: token.content });
    }
  });
  return blocks;
}

const root = resolve(__dirname, '..', '..');

/**
 * A fresh copy of what a clone's root holds for the examples (the sources, package.json, the
 * README), with this checkout's node_modules linked in, so an example's files land in the copy.
 * The examples import 'deep-agent-workbench', which from the root resolves to the package itself
 * (a self-reference through package.json `exports`); the copy's `exports` names the sources instead
 * of the built dist/lib, so the examples run through tsx without a build (test/lib/pack.test.ts
 * covers the build).
 */
export function repositoryCopy(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'readme-example-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  for (const entry of ['src', 'tsconfig.json', 'README.md']) cpSync(join(root, entry), join(dir, entry), { recursive: true });
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { exports: unknown };
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ ...pkg, exports: { '.': './src/core/index.ts' } }, null, 2));
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return dir;
}

export interface ExampleRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Writes the code to dir/example.mts and runs `npx tsx example.mts` there. */
export function runExample(dir: string, code: string, env: Record<string, string>): Promise<ExampleRun> {
  writeFileSync(join(dir, 'example.mts'), code);
  return runCommand(dir, 'npx', ['tsx', 'example.mts'], env);
}

/** Runs a command in dir with only these variables besides PATH and HOME (no key of the developer's leaks in). */
export function runCommand(dir: string, command: string, args: string[], env: Record<string, string>): Promise<ExampleRun> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { cwd: dir, env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (data: Buffer) => (stdout += data));
    child.stderr.on('data', (data: Buffer) => (stderr += data));
    child.on('error', reject);
    child.on('close', (exitCode) => resolvePromise({ code: exitCode, stdout, stderr }));
  });
}
