/** The CLI bundled as `node esbuild.js` bundles it: dist-like cli.js with the search worker beside it. */
import { mkdir, mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { build, type BuildOptions } from 'esbuild';

const repo = join(__dirname, '../..');

export async function bundleCli(): Promise<string> {
  // Under the repository's node_modules, so the bundle finds LanceDB's native package there, as dist/cli.js does.
  const cache = join(repo, 'node_modules', '.cache');
  await mkdir(cache, { recursive: true });
  const dir = await mkdtemp(join(cache, 'cli-bundle-'));
  const node: BuildOptions = { bundle: true, platform: 'node', target: 'node20', format: 'cjs', logLevel: 'error', external: ['@lancedb/lancedb-*'] };
  await Promise.all([
    build({ ...node, entryPoints: [join(repo, 'src/cli/main.ts')], outfile: join(dir, 'cli.js') }),
    build({ ...node, entryPoints: [join(repo, 'src/core/backends/searchWorker.ts')], outfile: join(dir, 'searchWorker.js') }),
  ]);
  return join(dir, 'cli.js');
}
