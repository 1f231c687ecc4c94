import * as lancedb from '@lancedb/lancedb';
import * as arrow from 'apache-arrow';
import { rmSync } from 'node:fs';
import { memorySchema, toRow } from './src/core/memory/stores/lancedbRows';
const vocab = Array.from({ length: 2000 }, (_, i) => 'w' + i.toString(36));
const text = () => Array.from({ length: 20 }, () => vocab[Math.floor(Math.random() ** 2 * vocab.length)]).join(' ');
const m = (id: string) => toRow({ id, content: text(), embedding: [1, 0], memoryType: 'semantic', timestamp: 1, metadata: {}, importance: 0.5, scope: 'global', provenance: { source: 'user' } });
const time = async (label: string, f: () => Promise<unknown>) => { const t0 = performance.now(); await f(); console.log(label, (performance.now() - t0).toFixed(1), 'ms'); };
for (const n of [10_000, 100_000]) {
  const dir = '/tmp/ldbx/d'; rmSync(dir, { recursive: true, force: true });
  const db = await lancedb.connect(dir, { readConsistencyInterval: 0 });
  const t = await db.createEmptyTable('m', memorySchema(arrow, { model: 'x', dimension: 2 }));
  await time(`${n} add`, () => t.add(Array.from({ length: n }, (_, i) => m('n' + i))));
  await time(`${n} fts create`, () => t.createIndex('content', { config: lancedb.Index.fts({ withPosition: false }) }));
  for (let k = 0; k < 3; k++) {
    await time(`${n} mergeInsert 1`, () => t.mergeInsert('id').whenMatchedUpdateAll().whenNotMatchedInsertAll().execute([m('x' + k)]));
    await time(`${n} add 1`, () => t.add([m('y' + k)]));
    await time(`${n} listIndices`, () => t.listIndices());
    await time(`${n} optimize`, () => t.optimize());
    await time(`${n} fts query`, () => t.query().fullTextSearch(new lancedb.MatchQuery('w1 w2 w3', 'content')).limit(10).toArray());
    await time(`${n} fts query`, () => t.query().fullTextSearch(new lancedb.MatchQuery('w1 w2 w3', 'content')).limit(10).toArray());
  }
  await time(`${n} fts replace`, () => t.createIndex('content', { config: lancedb.Index.fts({ withPosition: false }), replace: true }));
}
