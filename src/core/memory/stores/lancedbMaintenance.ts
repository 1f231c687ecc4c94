/**
 * Keeps a LanceDB memory table fast in the background: the full-text index exists, the vector index
 * once the table is big enough, and `optimize()` (compaction + new rows into the indexes) runs in
 * batches, since every write adds a fragment and many small fragments slow queries down. Vector
 * search scans rows not yet indexed exactly, but LanceDB 0.37's full-text search does not rank them
 * right (with no index it cuts at `limit` before ranking; beside an index it scores them with other
 * corpus statistics), so a full-text query first brings the full-text index up to date
 * (catchUpFullText). A failure here (say another process optimizing at the same moment) is retried
 * next time.
 */
import type { Table } from '@lancedb/lancedb';
import type { LanceDbModules } from './lancedbLoad';
import { buildVectorIndex, vectorIndexDue } from './lancedbVectorIndex';

/** Writes after which optimize runs at once; fewer wait for a quiet moment. */
const OPTIMIZE_AFTER_WRITES = 50;
const QUIET_MS = 2_000;

export class TableMaintenance {
  #writes = 0;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> = Promise.resolve();
  #closed = false;
  #vectorIndexed = false;

  constructor(
    private readonly modules: LanceDbModules,
    private readonly table: () => Table | undefined,
    private readonly vectorIndexMinRows: number,
  ) {}

  /** Whether the vector column has an ANN index (queries then tune it, see lancedbVectorIndex.ts). */
  get vectorIndexed(): boolean {
    return this.#vectorIndexed;
  }

  /** Reads which indexes exist (another process may have built them) and whether rows are missing from the full-text one. */
  async refresh(): Promise<{ fullText: boolean; behind: boolean }> {
    const table = this.table();
    const indices = (await table?.listIndices()) ?? [];
    this.#vectorIndexed = indices.some((i) => i.columns.includes('vector'));
    const fts = indices.find((i) => i.columns.includes('content'));
    const behind = fts ? (fts.numUnindexedRows ?? 0) > 0 : table !== undefined && (await table.countRows()) > 0;
    return { fullText: fts !== undefined, behind };
  }

  /** Indexes every row for full-text search before a query (waiting for a run under way). */
  async catchUpFullText(): Promise<void> {
    if ((await this.refresh()).behind) await this.run('fulltext');
  }

  afterWrite(): void {
    this.#writes++;
    if (this.#writes >= OPTIMIZE_AFTER_WRITES) void this.run();
    else this.#schedule();
  }

  #schedule(): void {
    if (this.#closed) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.run(), QUIET_MS);
    this.#timer.unref();
  }

  /** Brings the indexes up to date now (or only the full-text one); one run at a time. Never throws. */
  run(only?: 'fulltext'): Promise<void> {
    if (!only) clearTimeout(this.#timer);
    this.#running = this.#running.then(() => this.#maintain(only).catch(() => undefined));
    return this.#running;
  }

  async #maintain(only?: 'fulltext'): Promise<void> {
    const table = this.table();
    if (!table || this.#closed) return;
    const writes = this.#writes;
    const { fullText, behind } = await this.refresh();
    if (!fullText && behind) {
      // Tokens as words() makes them (lower-cased runs of letters and digits), so BM25 agrees with the other stores.
      const config = this.modules.lancedb.Index.fts({ withPosition: false, language: 'English', stem: true, removeStopWords: true, asciiFolding: true });
      await table.createIndex('content', { config });
    } else if (behind || (writes > 0 && !only)) {
      await table.optimize();
    }
    if (!only) {
      const rows = await table.countRows();
      const due = vectorIndexDue(await table.listIndices(), rows, this.vectorIndexMinRows);
      if (due) {
        // The new index is built beside the old one, so queries keep an index meanwhile.
        await table.createIndex('vector', { config: buildVectorIndex(this.modules.lancedb, rows), name: due.name, replace: false });
        if (due.replaces) await table.dropIndex(due.replaces);
        this.#vectorIndexed = true;
      }
    }
    if (!only) this.#writes -= writes;
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    await this.#running;
  }
}
