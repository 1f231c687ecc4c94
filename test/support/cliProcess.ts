/** Runs the real CLI (or any node entry) in a child process, collecting its output; `onLine` sees stdout lines as they arrive. */
import { spawn, type ChildProcess } from 'node:child_process';

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliProcessOptions {
  env?: NodeJS.ProcessEnv;
  /** The child's working directory (default: this process's). */
  cwd?: string;
  onLine?: (line: string, child: ChildProcess) => void;
}

/** `nodeArgs` start the CLI (e.g. ['--import', 'tsx', 'src/cli/main.ts']); `args` are the user's. */
export function runCliProcess(nodeArgs: string[], args: string[], options: CliProcessOptions = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeArgs, ...args], { cwd: options.cwd, env: { PATH: process.env.PATH, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let pending = '';
    child.stdout.on('data', (data: Buffer) => {
      stdout += data;
      pending += data;
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const line of lines) options.onLine?.(line, child);
    });
    child.stderr.on('data', (data: Buffer) => (stderr += data));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}
