/**
 * Real PostgreSQL with pgvector for tests, as PGlite runs it (Postgres 17 compiled to WASM, in this
 * process, in memory), served over the wire protocol on 127.0.0.1 so the real `pg` driver runs the
 * real SQL. Debian 12 packages no pgvector, so this is how the pgvector store is tested here.
 *
 * PGlite is one session: pglite-socket's server multiplexes up to MAX_CONNECTIONS connections onto
 * it, running one message at a time and keeping a transaction's messages together. In front of it
 * sits a plain TCP relay, the "server" clients see, so a test can make the server go away (every
 * connection dropped, nothing listening) and come back with its data, also at an exact moment.
 */
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite/vector';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { connect, createServer, type Socket } from 'node:net';
import { freePort } from './postgres';

/** Connections the multiplexer takes at once (a pg Pool opens up to 10). */
export const MAX_CONNECTIONS = 24;

export interface PgliteServer {
  /** With a password, which the server does not check: messages must still never show it. */
  connectionString: string;
  /** Drops every connection and stops listening; the data stays. */
  goAway(): Promise<void>;
  /** Listens again, on the same port. */
  comeBack(): Promise<void>;
  /**
   * The next time a client sends a message containing `text`, every connection is dropped before
   * that message runs (with `stayAway`, the server also stops listening). Resolves when it happened.
   */
  goAwayOn(text: string, options?: { stayAway?: boolean }): Promise<void>;
  /** Connections accepted so far. */
  connections(): number;
  stop(): Promise<void>;
}

export async function startPgliteServer(): Promise<PgliteServer> {
  const db = await PGlite.create({ extensions: { vector } });
  const inner = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: MAX_CONNECTIONS });
  await inner.start();
  const innerPort = Number(inner.getServerConn().split(':').pop());

  const pairs = new Set<[Socket, Socket]>();
  let accepted = 0;
  let trigger: { text: Buffer; stayAway: boolean; fired: () => void } | undefined;
  const dropAll = () => {
    for (const [client, upstream] of pairs) {
      client.destroy();
      upstream.destroy();
    }
    pairs.clear();
  };
  const front = createServer((client) => {
    accepted++;
    const upstream = connect(innerPort, '127.0.0.1');
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    upstream.on('data', (data) => client.write(data));
    client.on('data', (data) => {
      const armed = trigger;
      if (armed && data.includes(armed.text)) {
        trigger = undefined;
        dropAll();
        if (armed.stayAway) front.close();
        armed.fired();
        return;
      }
      upstream.write(data);
    });
  });
  const port = await freePort();
  const listen = () => new Promise<void>((resolve, reject) => front.once('error', reject).listen(port, '127.0.0.1', () => resolve()));
  const goAway = () =>
    new Promise<void>((resolve) => {
      dropAll();
      if (!front.listening) return resolve();
      front.close(() => resolve());
    });
  await listen();

  return {
    connectionString: `postgresql://postgres:pglite-s3cret@127.0.0.1:${port}/postgres`,
    goAway,
    comeBack: listen,
    goAwayOn: (text, options = {}) => new Promise<void>((fired) => (trigger = { text: Buffer.from(text), stayAway: options.stayAway ?? false, fired })),
    connections: () => accepted,
    stop: async () => {
      await goAway();
      await inner.stop();
      await db.close();
    },
  };
}
