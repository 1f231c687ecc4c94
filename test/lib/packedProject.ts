/**
 * The package as a user gets it: built with esbuild.js (as `npm run build` does) into a staging
 * copy of the repository, packed there with `npm pack` (so .npmignore decides what ships), and
 * installed from the tarball into a new project (test/lib/project) with the npm cache.
 */
import assert from 'node:assert/strict';
import { cpSync, readFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { runCommand, type ExampleRun } from '../docs/readmeExamples';

const root = resolve(__dirname, '..', '..');

export interface PackedProject {
  /** The new project, with the package installed in node_modules. */
  dir: string;
  /** Paths inside the tarball, as `npm pack --json` lists them. */
  packed: string[];
}

/** Not part of a clone: what a build, an install or a test writes. */
const notCopied = new Set(['node_modules', 'dist', '.git', '.tmp', 'out']);

/** Builds, packs and installs under `work` (a temp dir the caller removes). */
export async function packedProject(work: string): Promise<PackedProject> {
  const stage = join(work, 'stage');
  cpSync(root, stage, {
    recursive: true,
    filter: (path) => {
      const top = relative(root, path).split(sep)[0]!;
      return !notCopied.has(top) && !/\.(tgz|vsix)$/.test(top);
    },
  });
  // Not into this checkout's dist/, which an end-to-end test may be loading meanwhile.
  await succeeds(runCommand(root, process.execPath, ['esbuild.js', '--outdir', join(stage, 'dist')], {}), 'node esbuild.js');
  // --ignore-scripts: prepack would build again, in a stage without node_modules.
  const pack = await succeeds(runCommand(stage, 'npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], {}), 'npm pack');
  const [{ filename, files }] = JSON.parse(pack.stdout) as [{ filename: string; files: { path: string }[] }];

  const dir = join(work, 'project');
  cpSync(join(__dirname, 'project'), dir, { recursive: true });
  // @types/node comes with the package (through @types/pg) at whatever version is newest; a project
  // on Node 20 pins it, as this one does, so what is checked does not change with the registry.
  const { devDependencies } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
  const install = ['install', '--prefer-offline', '--no-audit', '--no-fund', join(work, filename), `@types/node@${devDependencies['@types/node']}`];
  await succeeds(runCommand(dir, 'npm', install, {}), 'npm install');
  return { dir, packed: files.map((f) => f.path) };
}

/** The command's output; a failure fails the test with what it printed. */
export async function succeeds(running: Promise<ExampleRun>, what: string): Promise<ExampleRun> {
  const run = await running;
  assert.equal(run.code, 0, `${what} exited with ${run.code}:\n${run.stderr}\n${run.stdout}`);
  return run;
}
