/** The CLI bundled as `node esbuild.js` bundles it: dist-like cli.js with the search worker beside it. */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';

export async function bundleCli(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'cli-bundle-'));
  const node = { bundle: true, platform: 'node', target: 'node20', format: 'cjs', logLevel: 'error' } as const;
  await Promise.all([
    build({ ...node, entryPoints: [join(__dirname, '../../src/cli/main.ts')], outfile: join(dir, 'cli.js') }),
    build({ ...node, entryPoints: [join(__dirname, '../../src/core/backends/searchWorker.ts')], outfile: join(dir, 'searchWorker.js') }),
  ]);
  return join(dir, 'cli.js');
}
