/** The MemoryStore contract (test/support/memoryStoreContract.ts) against LanceDbMemoryStore, a temp folder per case. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { LanceDbMemoryStore } from '../../src/core/memory/stores/lancedb';
import type { ContractSuite } from '../support/contractSuite';
import { memoryStoreContract } from '../support/memoryStoreContract';

const suite: ContractSuite = { describe: (name, body) => void describe(name, body), it: (name, body) => void it(name, body) };

memoryStoreContract(suite, 'LanceDbMemoryStore', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'lancedb-contract-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return { store: await LanceDbMemoryStore.open(dir), reopen: () => LanceDbMemoryStore.open(dir) };
});
