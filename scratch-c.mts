import * as lancedb from '@lancedb/lancedb';
import * as arrow from 'apache-arrow';
import { rmSync } from 'node:fs';
import { memorySchema, toRow } from './src/core/memory/stores/lancedbRows';
const m = (id: string, content: string) => toRow({ id, content, embedding: [1, 0], memoryType: 'semantic', timestamp: 1, metadata: {}, importance: 0.5, scope: 'global', provenance: { source: 'user' } });
for (const mode of ['flat', 'mixed', 'indexed']) {
  const dir = '/tmp/ldbx/c'; rmSync(dir, { recursive: true, force: true });
  const db = await lancedb.connect(dir);
  const t = await db.createEmptyTable('m', memorySchema(arrow, { model: 'x', dimension: 2 }));
  await t.add(Array.from({ length: 30 }, (_, i) => m('n' + i, 'note number ' + i + ' filler words here')));
  if (mode === 'mixed') await t.createIndex('content', { config: lancedb.Index.fts({ withPosition: false }) });
  await t.add([m('best', 'note note note')]);
  await t.add(Array.from({ length: 30 }, (_, i) => m('k' + i, 'note number ' + i + ' filler words here')));
  if (mode === 'indexed') await t.createIndex('content', { config: lancedb.Index.fts({ withPosition: false }) });
  for (const limit of [2, 10, 100]) {
    const r = await t.query().fullTextSearch(new lancedb.MatchQuery('note', 'content')).limit(limit).toArray();
    const sorted = r.every((x: any, i: number) => i === 0 || r[i - 1]._score >= x._score); const b = r.findIndex((x: any) => x.id === "best");
    console.log(mode, limit, r.length, "sorted", sorted, "best at", b, b >= 0 ? r[b]._score.toFixed(4) : "", "max", Math.max(...r.map((x: any) => x._score)).toFixed(4));
  }
}
