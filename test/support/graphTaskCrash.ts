/**
 * The graph-task scenario (graphTask.ts) in a process killed with SIGKILL at the first streamed
 * chunk of task B, then resumed: how the core test and the e2e suite get real journals of a parent
 * whose children were journaled on their own, killed and resumed.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import type { RunEvent } from '../../src/core';
import { taskPrompts } from './graphTask';

/** The child process, bundled (a bundled script starts faster than one through tsx); `dispose` removes it. */
export async function bundleGraphTaskChild(): Promise<{ script: string; dispose(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'graph-task-child-'));
  const script = join(dir, 'graphTaskChild.cjs');
  await build({ entryPoints: [join(__dirname, 'graphTaskChild.ts')], outfile: script, bundle: true, platform: 'node', target: 'node20', format: 'cjs', logLevel: 'error', external: ['@lancedb/lancedb-*'] });
  return { script, dispose: () => rm(dir, { recursive: true, force: true }) };
}

/** Runs the parent in a process and kills it with SIGKILL at the first streamed chunk of task B; resolves with the parent's run id. */
export function runUntilTaskBStreams(script: string, args: string[]): Promise<{ parentRunId: string; events: RunEvent[] }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const events: RunEvent[] = [];
    let buffered = '';
    let stderr = '';
    let killed = false;
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (data: Buffer) => {
      buffered += data.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) {
        const event = JSON.parse(line) as RunEvent;
        events.push(event);
        const start = events.find((e) => e.type === 'run_start' && e.data.prompt === taskPrompts.b);
        if (!killed && start && event.runId === start.runId && event.type === 'llm_chunk') {
          killed = true;
          child.kill('SIGKILL');
        }
      }
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (signal !== 'SIGKILL') return reject(new Error(`the run ended (${code}) before task B streamed: ${stderr}`));
      resolve({ parentRunId: events.find((e) => e.type === 'run_start' && !e.parentRunId)!.runId, events });
    });
  });
}
