/** The MemoryStore contract (test/support/memoryStoreContract.ts) against PgVectorMemoryStore, on PGlite with pgvector (test/support/pglite.ts). */
import { after, before, describe, it } from 'node:test';
import { PgVectorMemoryStore } from '../../src/core/memory/stores/pgvector';
import type { ContractSuite } from '../support/contractSuite';
import { memoryStoreContract } from '../support/memoryStoreContract';
import { startPgliteServer, type PgliteServer } from '../support/pglite';

const suite: ContractSuite = { describe: (name, body) => void describe(name, body), it: (name, body) => void it(name, body) };

describe('PgVectorMemoryStore on PGlite', () => {
  let server: PgliteServer;
  let tables = 0;
  before(async () => {
    server = await startPgliteServer();
  });
  after(() => server.stop());

  memoryStoreContract(suite, 'PgVectorMemoryStore', async () => {
    // A table of its own for every case: each starts empty.
    const options = { schema: 'contract', table: `memories_${++tables}` };
    return {
      store: await PgVectorMemoryStore.open(server.connectionString, options),
      reopen: () => PgVectorMemoryStore.open(server.connectionString, options),
    };
  });
});
