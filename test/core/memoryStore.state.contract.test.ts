/** The MemoryStore contract (test/support/memoryStoreContract.ts) against the in-memory StateMemoryStore. */
import { describe, it } from 'node:test';
import { StateMemoryStore } from '../../src/core/memory/stores/state';
import type { ContractSuite } from '../support/contractSuite';
import { memoryStoreContract } from '../support/memoryStoreContract';

const suite: ContractSuite = { describe: (name, body) => void describe(name, body), it: (name, body) => void it(name, body) };

memoryStoreContract(suite, 'StateMemoryStore', async () => ({ store: new StateMemoryStore() }));
