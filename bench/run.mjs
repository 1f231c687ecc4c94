// Runs every benchmark (bench/*.bench.ts: agentLoop, agentLoopInProcess, checkpoint, listing, memoryRetrieval, replay, stall, streaming, tracing, vscode) in its own
// process; each prints one JSON object per line. `node bench/run.mjs <prefix> [args…]` runs only the
// benchmarks whose file name starts with the prefix, with the arguments, e.g. `checkpoint c`.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';

const [only, ...args] = process.argv.slice(2);
const files = readdirSync('bench').filter((f) => f.endsWith('.bench.ts') && (!only || f.startsWith(only))).sort();
let failed = false;
for (const file of files) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', `bench/${file}`, ...args], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.status !== 0) {
    console.error(`bench/run.mjs: ${file} exited with ${result.status}`);
    failed = true;
  }
}
process.exit(failed ? 1 : 0);
