/**
 * A child process for test/core/lancedbStore.test.ts: opens the LanceDB memory store in argv[2] and
 * stores argv[4] memories one call at a time, ids prefixed argv[3], as a second VS Code window would.
 */
import { LanceDbMemoryStore } from '../../src/core/memory/stores/lancedb';

const [dir, prefix, count] = process.argv.slice(2) as [string, string, string];
async function main() {
  const store = await LanceDbMemoryStore.open(dir);
  for (let i = 0; i < Number(count); i++) {
    await store.store([
      { id: `${prefix}-${i}`, content: `note ${i} from ${prefix}`, embedding: [1, i % 7, 0, 0].map((x) => x / Math.hypot(1, i % 7)), memoryType: 'episodic', timestamp: i, metadata: {}, importance: 0.5, scope: 'global', provenance: { source: 'user' } },
    ]);
  }
  await store.close();
}

void main();
