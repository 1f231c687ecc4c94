/**
 * The PostgreSQL store: a row per run and a row per event, in tables of their own schema. A writer
 * batches events in memory and inserts each batch with one statement, chained so batches land in
 * order; the run never waits for the server except at `flush`, which waits for the commits.
 *
 * Which process writes a run: the writer holds a session-level advisory lock on the run for as long
 * as it is open. When its process dies the server drops the connection and the lock with it, so a
 * run whose lock is free is not live, with no lock rows to go stale.
 *
 * `pg` is loaded on first use, so the extension does not load it unless this store is chosen.
 */
import type { Pool, PoolClient } from 'pg';
import type { RunEvent } from '../events';
import { compactEvents } from './compaction';
import { parseJsonOrUndefined } from '../json';
import { parseEvent } from './eventSchema';
import { describeServer, schemaPattern, scrubbedReason, withClient } from '../postgres';
import { CheckpointError, isValidRunId, RunNotFoundError, type CheckpointStore, type CompactionStats, type JournalRead, type JournalWriter, type StoredRun } from './store';
import { summarizeRun } from './summary';

export interface PgCheckpointStoreOptions {
  /** e.g. postgresql://user:password@host:5432/db; the PG* environment variables fill in what is missing. */
  connectionString?: string;
  /** A pool owned by the caller (not ended by `close`); it should have an 'error' listener. */
  pool?: Pool;
  /** Default `deep_agent`; created when missing. */
  schema?: string;
  /** Prepended to the table names, for several stores in one schema. */
  tablePrefix?: string;
}

/** The tables' version, kept in the meta table; a database written by a newer version is refused. */
const PG_SCHEMA_VERSION = 1;

// Spliced into SQL like the schema name, so only plain ones are allowed.
const prefixPattern = /^[A-Za-z0-9_]{0,16}$/;

export class PgCheckpointStore implements CheckpointStore {
  readonly description: string;
  readonly #options: PgCheckpointStoreOptions;
  readonly #password: string | undefined;
  readonly #schema: string;
  readonly #tables: Tables;
  /** Advisory lock keys are per database: this names the schema and prefix, the run id follows. */
  readonly #lockPrefix: string;
  #ownPool: Pool | undefined;
  #ready: Promise<Pool> | undefined;
  readonly #writers = new Set<PgJournalWriter>();

  constructor(options: PgCheckpointStoreOptions = {}) {
    const schema = options.schema ?? 'deep_agent';
    const prefix = options.tablePrefix ?? '';
    if (!schemaPattern.test(schema)) throw new CheckpointError(`"${schema}" is not a valid schema name for runs (letters, digits and _)`);
    if (!prefixPattern.test(prefix)) throw new CheckpointError(`"${prefix}" is not a valid table prefix for runs (letters, digits and _)`);
    this.#options = options;
    this.#schema = schema;
    const table = (name: string) => `"${schema}"."${prefix}${name}"`;
    this.#tables = { meta: table('meta'), runs: table('runs'), events: table('events') };
    this.#lockPrefix = `deep-agent:${schema}.${prefix}:`;
    const server = describeServer(options);
    this.#password = server.password;
    this.description = `PostgreSQL at ${server.name} (schema ${schema})`;
  }

  async openJournal(runId: string): Promise<JournalWriter> {
    checkRunId(runId);
    const pool = await this.#pool();
    let client: PoolClient | undefined;
    const ignore = () => {}; // the query in flight reports a dropped connection
    try {
      client = await pool.connect();
      client.on('error', ignore);
      const { rows } = await client.query<{ taken: boolean }>('select pg_try_advisory_lock(hashtextextended($1, 0)) as taken', [this.#lockKey(runId)]);
      if (!rows[0]!.taken) throw new CheckpointError(`run ${runId} is being written by another live process (${this.description})`);
      await client.query(`insert into ${this.#tables.runs} (run_id) values ($1) on conflict (run_id) do nothing`, [runId]);
      const next = await client.query<{ idx: number }>(`select coalesce(max(idx) + 1, 0)::float8 as idx from ${this.#tables.events} where run_id = $1`, [runId]);
      const writer: PgJournalWriter = new PgJournalWriter(client, this.#tables, runId, this.#lockKey(runId), next.rows[0]!.idx, {
        fail: (cause, doing) => this.#error(cause, doing),
        closed: () => this.#writers.delete(writer),
      });
      client.off('error', ignore);
      this.#writers.add(writer);
      return writer;
    } catch (error) {
      client?.off('error', ignore);
      // Dropping the connection also drops the lock, if it was taken.
      client?.release(true);
      throw this.#error(error, `opening run ${runId}`);
    }
  }

  async readJournal(runId: string): Promise<JournalRead> {
    checkRunId(runId);
    const rows = await this.#query<{ event: string | null }>(
      `reading run ${runId}`,
      `select e.event::text as event from ${this.#tables.runs} r left join ${this.#tables.events} e on e.run_id = r.run_id where r.run_id = $1 order by e.idx`,
      [runId],
    );
    if (rows.length === 0) throw new RunNotFoundError(runId, this.description);
    const events: RunEvent[] = [];
    let skippedLines = 0;
    for (const { event } of rows) {
      if (event === null) continue; // a run opened but not yet written to
      const parsed = parseEvent(parseJsonOrUndefined(event));
      if (parsed) events.push(parsed);
      else skippedLines++;
    }
    return { events, skippedLines };
  }

  async listRuns(filter: { agentName?: string } = {}): Promise<StoredRun[]> {
    // A run is live while its advisory lock is held: read from pg_locks (a bigint key shows as
    // classid and objid halves), rather than trying every lock, which would fill the lock table.
    // The three events a listing needs (summary.ts), each one step of an index scan on (run_id, idx).
    // json operators fail on a \u0000 anywhere in the event; replaced by another escape of the same
    // shape, the text stays valid JSON and its runId the same.
    const rows = await this.#query<{ run_id: string; updated_at: number; bytes: string; live: boolean; start: string | null; last_end: string | null; totals: string | null }>(
      'listing runs',
      `with held as (
         select (l.classid::bigint << 32) | l.objid::bigint as key
         from pg_locks l join pg_database d on d.oid = l.database
         where l.locktype = 'advisory' and l.objsubid = 1 and l.granted and d.datname = current_database()
       )
       select r.run_id, extract(epoch from r.updated_at)::float8 * 1000 as updated_at, r.bytes,
         exists (select 1 from held where held.key = hashtextextended($1 || r.run_id, 0)) as live,
         (select e.event::text from ${this.#tables.events} e where e.run_id = r.run_id and e.type = 'run_start' order by e.idx limit 1) as start,
         (select case when e.type = 'run_end' then e.event::text end from ${this.#tables.events} e where e.run_id = r.run_id order by e.idx desc limit 1) as last_end,
         (select e.event::text from ${this.#tables.events} e
           where e.run_id = r.run_id and e.type in ('progress', 'run_end') and replace(e.event::text, '\\u0000', '\\u0020')::json ->> 'runId' = r.run_id
           order by e.idx desc limit 1) as totals
       from ${this.#tables.runs} r`,
      [this.#lockPrefix],
    );
    const runs: StoredRun[] = [];
    const event = (text: string | null) => (text === null ? undefined : parseEvent(parseJsonOrUndefined(text)));
    for (const row of rows) {
      // Only whether the last event is the run's own run_end matters; anything else reads as "not ended".
      const listed = { start: event(row.start), last: event(row.last_end), totals: event(row.totals) };
      const run = summarizeRun(row.run_id, listed, { bytes: Number(row.bytes), updatedAt: row.updated_at, live: row.live });
      if (run && (!filter.agentName || run.agentName === filter.agentName)) runs.push(run);
    }
    return runs.sort((a, b) => b.startedAt - a.startedAt);
  }

  async deleteRun(runId: string): Promise<boolean> {
    checkRunId(runId);
    return this.#holdingRun(runId, `deleting run ${runId}`, `run ${runId} is still running; stop it before deleting it`, async (client) => {
      const { rowCount } = await client.query(`delete from ${this.#tables.runs} where run_id = $1`, [runId]);
      return (rowCount ?? 0) > 0;
    });
  }

  async compact(runId: string): Promise<CompactionStats> {
    checkRunId(runId);
    return this.#holdingRun(runId, `compacting run ${runId}`, `run ${runId} is being written; it is compacted when it closes`, async (client) => {
      const { rowCount } = await client.query(`select 1 from ${this.#tables.runs} where run_id = $1`, [runId]);
      if (!rowCount) throw new CheckpointError(`no run ${runId} in ${this.description}`);
      return compactRun(client, this.#tables, runId);
    });
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.#writers].map((writer) => writer.close()));
    const pool = this.#ownPool;
    this.#ownPool = undefined;
    this.#ready = undefined;
    await pool?.end();
  }

  /** A clear one-line CheckpointError naming the server (never the password). */
  #error(error: unknown, doing: string): CheckpointError {
    if (error instanceof CheckpointError) return error;
    return new CheckpointError(`${this.description}: ${doing}: ${scrubbedReason(error, this.#password)}`);
  }

  #lockKey(runId: string): string {
    return this.#lockPrefix + runId;
  }

  /** The pool, once the tables are there; a failure is retried on the next call (the server may come up). */
  #pool(): Promise<Pool> {
    this.#ready ??= this.#connect().catch((error: unknown) => {
      this.#ready = undefined;
      throw this.#error(error, 'connecting');
    });
    return this.#ready;
  }

  async #connect(): Promise<Pool> {
    let pool = this.#options.pool;
    if (!pool) {
      if (!this.#ownPool) {
        const { default: pg } = await import('pg');
        // Without a timeout, a server that does not answer would hang the run forever.
        this.#ownPool = new pg.Pool({ connectionString: this.#options.connectionString, connectionTimeoutMillis: 10_000 });
        // An idle connection the server drops is replaced on next use; unheard, it would crash the process.
        this.#ownPool.on('error', () => {});
      }
      pool = this.#ownPool;
    }
    let version = await this.#schemaVersion(pool);
    if (version === undefined) {
      await withClient(pool, async (client) => {
        await client.query('begin');
        // Two processes creating the tables at once would collide in the catalogs: one goes first.
        await client.query('select pg_advisory_xact_lock(hashtextextended($1, 0))', [`${this.#lockPrefix}tables`]);
        await client.query(`create schema if not exists "${this.#schema}"`);
        await client.query(`create table if not exists ${this.#tables.meta} (key text primary key, value text not null)`);
        await client.query(`create table if not exists ${this.#tables.runs} (
          run_id text primary key,
          updated_at timestamptz not null default now(),
          bytes bigint not null default 0)`);
        // json, not jsonb: jsonb cannot hold \u0000, which model output may contain. `type` is a
        // column because operators on json fail on such strings.
        await client.query(`create table if not exists ${this.#tables.events} (
          run_id text not null references ${this.#tables.runs} (run_id) on delete cascade,
          idx bigint not null,
          type text not null,
          event json not null,
          primary key (run_id, idx))`);
        await client.query(`insert into ${this.#tables.meta} (key, value) values ('schema_version', $1) on conflict (key) do nothing`, [String(PG_SCHEMA_VERSION)]);
        await client.query('commit');
      });
      version = await this.#schemaVersion(pool);
    }
    if (!Number.isInteger(version) || version! < 1) throw new CheckpointError(`${this.description}: ${this.#tables.meta} holds no valid schema version`);
    if (version! > PG_SCHEMA_VERSION) {
      throw new CheckpointError(`${this.description}: written by a newer Deep Agent (schema version ${version}; this one knows up to ${PG_SCHEMA_VERSION})`);
    }
    return pool;
  }

  /** The version in the meta table; undefined when the tables are not there yet. */
  async #schemaVersion(pool: Pool): Promise<number | undefined> {
    try {
      const { rows } = await pool.query<{ value: string }>(`select value from ${this.#tables.meta} where key = 'schema_version'`);
      return rows[0] ? Number(rows[0].value) : undefined;
    } catch (error) {
      // 3F000: no such schema; 42P01: no such table.
      if (['3F000', '42P01'].includes((error as { code?: string }).code ?? '')) return undefined;
      throw error;
    }
  }

  async #query<R extends object>(doing: string, sql: string, params: unknown[]): Promise<R[]> {
    const pool = await this.#pool();
    try {
      return (await pool.query<R>(sql, params)).rows;
    } catch (error) {
      throw this.#error(error, doing);
    }
  }

  /** Runs `action` in a transaction that holds the run, so no writer can open it meanwhile; refused while one is open. */
  async #holdingRun<T>(runId: string, doing: string, refusal: string, action: (client: PoolClient) => Promise<T>): Promise<T> {
    const pool = await this.#pool();
    try {
      return await withClient(pool, async (client) => {
        await client.query('begin');
        const { rows } = await client.query<{ free: boolean }>('select pg_try_advisory_xact_lock(hashtextextended($1, 0)) as free', [this.#lockKey(runId)]);
        if (!rows[0]!.free) throw new CheckpointError(refusal);
        const result = await action(client);
        await client.query('commit');
        return result;
      });
    } catch (error) {
      throw this.#error(error, doing);
    }
  }
}

class PgJournalWriter implements JournalWriter {
  #batch: RunEvent[] = [];
  #inserts: Promise<void> = Promise.resolve();
  /** The first failed insert; nothing after it is written, so the journal has no gap. */
  #failure: CheckpointError | undefined;
  /** Why the connection dropped, if it did (the lock went with it). */
  #lost: Error | undefined;
  #closing: Promise<void> | undefined;
  readonly #onError = (error: Error) => {
    this.#lost ??= error;
  };

  constructor(
    private readonly client: PoolClient,
    private readonly tables: Tables,
    private readonly runId: string,
    private readonly lockKey: string,
    /** Where the next event goes: after the run's last one, when it is resumed. */
    private nextIdx: number,
    private readonly context: { fail(cause: unknown, doing: string): CheckpointError; closed(): void },
  ) {
    // An error between queries is emitted, not thrown: heard here, it fails the next insert instead of the process.
    client.on('error', this.#onError);
  }

  /** Like the file store: events after close (a window closing mid-run) are dropped, the run stays interrupted. */
  append(event: RunEvent): void {
    if (this.#closing) return;
    this.#batch.push(event);
    // The first event of a batch queues its insert behind the ones before; what is appended while
    // they run joins the batch.
    if (this.#batch.length === 1) this.#inserts = this.#inserts.then(() => this.#insertBatch());
  }

  async flush(): Promise<void> {
    await this.#inserts;
    if (this.#failure) throw this.#failure;
  }

  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #insertBatch(): Promise<void> {
    const events = this.#batch;
    this.#batch = [];
    if (this.#failure) return;
    try {
      if (this.#lost) throw this.#lost;
      await insertEvents(this.client, this.tables, this.runId, this.nextIdx, events, events.map((e) => JSON.stringify(e)));
      this.nextIdx += events.length;
    } catch (error) {
      this.#failure = this.context.fail(this.#lost ?? error, `writing run ${this.runId}`);
    }
  }

  async #close(): Promise<void> {
    await this.#inserts;
    let broken = true;
    try {
      if (this.#failure) throw this.#failure;
      // Like the file store, a closed run keeps its text, not a row per streamed token.
      await this.client.query('begin');
      await compactRun(this.client, this.tables, this.runId);
      await this.client.query('commit');
      await this.client.query('select pg_advisory_unlock(hashtextextended($1, 0))', [this.lockKey]);
      broken = false;
    } catch (error) {
      // Everything appended was committed when only the tidying up failed on a dropped connection.
      if (this.#failure || !this.#lost) throw this.context.fail(error, `closing run ${this.runId}`);
    } finally {
      this.client.off('error', this.#onError);
      // A broken connection is dropped rather than pooled; the server releases its lock.
      this.client.release(broken);
      this.context.closed();
    }
  }
}

/** Quoted, schema-qualified table names. */
interface Tables {
  meta: string;
  runs: string;
  events: string;
}

/** One statement per batch: the rows, in order from `firstIdx`, and the run's size and time. */
async function insertEvents(client: PoolClient, tables: Tables, runId: string, firstIdx: number, events: readonly RunEvent[], json: readonly string[]): Promise<void> {
  const bytes = json.reduce((sum, text) => sum + Buffer.byteLength(text), 0);
  await client.query(
    `with added as (
       insert into ${tables.events} (run_id, idx, type, event)
       select $1, $2 + t.n - 1, ($4::text[])[t.n], t.event from json_array_elements($3::json) with ordinality as t(event, n)
     )
     update ${tables.runs} set bytes = bytes + $5, updated_at = now() where run_id = $1`,
    [runId, firstIdx, `[${json.join(',')}]`, events.map((e) => e.type), bytes],
  );
}

/**
 * Merges a run's streamed chunks (the file store's compaction, so both keep the same events),
 * inside the caller's transaction while the caller holds the run.
 */
async function compactRun(client: PoolClient, tables: Tables, runId: string): Promise<CompactionStats> {
  const { rows } = await client.query<{ event: string }>(`select event::text as event from ${tables.events} where run_id = $1 order by idx`, [runId]);
  const events = rows.map((row) => parseEvent(parseJsonOrUndefined(row.event))).filter((e) => e !== undefined);
  const kept = compactEvents(events);
  const keptJson = kept.map((e) => JSON.stringify(e));
  const stats: CompactionStats = {
    eventsBefore: events.length,
    eventsAfter: kept.length,
    bytesBefore: rows.reduce((sum, row) => sum + Buffer.byteLength(row.event), 0),
    bytesAfter: keptJson.reduce((sum, json) => sum + Buffer.byteLength(json), 0),
  };
  if (kept.length < events.length) {
    await client.query(`delete from ${tables.events} where run_id = $1`, [runId]);
    await client.query(`update ${tables.runs} set bytes = 0 where run_id = $1`, [runId]);
    await insertEvents(client, tables, runId, 0, kept, keptJson);
  }
  return stats;
}

function checkRunId(runId: string): void {
  if (!isValidRunId(runId)) throw new CheckpointError(`"${runId}" is not a valid run id`);
}
