/**
 * What the PostgreSQL stores (runs, memories) share: naming the server in messages without its
 * password, one-line reasons, checked-out clients, and retrying a connection the server dropped.
 * Only types come from `pg` here, so importing this never loads the driver.
 */
import type { Pool, PoolClient, PoolConfig } from 'pg';

/** Names are spliced into SQL (identifiers cannot be parameters), so only plain ones are allowed. */
export const schemaPattern = /^[A-Za-z_][A-Za-z0-9_]{0,47}$/;

/** "host:port/database" for messages, and the password to keep out of them. */
export function describeServer({ connectionString, pool }: { connectionString?: string; pool?: Pool }): { name: string; password?: string } {
  const config: PoolConfig = pool?.options ?? {};
  let host = config.host;
  let port = config.port === undefined ? undefined : String(config.port);
  let database = config.database;
  let password = typeof config.password === 'string' ? config.password : undefined;
  const url = connectionString ?? config.connectionString;
  if (url) {
    try {
      const parsed = new URL(url);
      host = parsed.searchParams.get('host') ?? (decodeURIComponent(parsed.hostname) || host);
      port = parsed.searchParams.get('port') ?? (parsed.port || port);
      database = decodeURIComponent(parsed.pathname.slice(1)) || database;
      password = decodeURIComponent(parsed.password) || password;
    } catch {
      // Not a URL (e.g. a socket path): the environment's defaults below.
    }
  }
  const { PGHOST, PGPORT, PGDATABASE, PGUSER } = process.env;
  return { name: `${host || PGHOST || 'localhost'}:${port || PGPORT || 5432}/${database || PGDATABASE || PGUSER || ''}`, password: password || undefined };
}

/** A one-line reason; connecting to "localhost" fails with an AggregateError that has no message of its own. */
export function reasonOf(error: unknown): string {
  const e = error as { message?: string; code?: string; errors?: unknown[] } | undefined;
  const text = e?.message || (Array.isArray(e?.errors) ? e.errors.map(reasonOf).join('; ') : '') || e?.code || String(error);
  return text.replace(/\s+/g, ' ').trim();
}

/** The reason with the password, if any, masked. */
export function scrubbedReason(error: unknown, password: string | undefined): string {
  const reason = reasonOf(error);
  return password ? reason.split(password).join('***') : reason;
}

/** Checks out a client for a few queries; on failure it is dropped, which also rolls back and unlocks. */
export async function withClient<T>(pool: Pool, use: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  // A dropped connection fails the query in flight, which reports it; the emitted error must not crash.
  const ignore = () => {};
  client.on('error', ignore);
  let broken = true;
  try {
    const result = await use(client);
    broken = false;
    return result;
  } finally {
    client.off('error', ignore);
    client.release(broken);
  }
}

/** `use` in one transaction on one client: committed whole, or (on any failure) not at all. */
export function inTransaction<T>(pool: Pool, use: (client: PoolClient) => Promise<T>): Promise<T> {
  return withClient(pool, async (client) => {
    await client.query('begin');
    const result = await use(client);
    await client.query('commit');
    return result;
  });
}

const lostConnectionCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTCONN', '57P01', '57P02', '57P03']);

/** Whether the server went away (refused, dropped or shut down the connection), as opposed to refusing the SQL. */
export function isConnectionLost(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown; errors?: unknown[] } | undefined;
  if (Array.isArray(e?.errors) && e.errors.some(isConnectionLost)) return true;
  const code = typeof e?.code === 'string' ? e.code : '';
  if (lostConnectionCodes.has(code) || code.startsWith('08')) return true;
  return typeof e?.message === 'string' && /Connection terminated|connection error and is not queryable|timeout exceeded when trying to connect/i.test(e.message);
}

export interface ReconnectPolicy {
  /** Tries in all, the first included. */
  attempts: number;
  /** The wait before the second try; each later wait doubles. */
  baseDelayMs: number;
}

export const defaultReconnectPolicy: ReconnectPolicy = { attempts: 4, baseDelayMs: 150 };

/**
 * Runs `attempt` again, after a growing pause, while the server is unreachable; any other failure,
 * or the last try's, is thrown as it is. `attempt` must be safe to repeat (a whole transaction).
 */
export async function retryingLostConnections<T>(attempt: () => Promise<T>, policy: ReconnectPolicy = defaultReconnectPolicy): Promise<T> {
  for (let tries = 1; ; tries++) {
    try {
      return await attempt();
    } catch (error) {
      if (tries >= policy.attempts || !isConnectionLost(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, policy.baseDelayMs * 2 ** (tries - 1)));
    }
  }
}
