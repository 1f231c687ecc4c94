/**
 * LanceDB's native binary (~190 MB) is loaded on first use, never when the store module is imported:
 * a workbench that keeps its memories elsewhere never pays for it.
 */
import { MemoryStoreError } from '../errors';

export interface LanceDbModules {
  lancedb: typeof import('@lancedb/lancedb');
  arrow: typeof import('apache-arrow');
}

let loading: Promise<LanceDbModules> | undefined;

export function loadLanceDb(): Promise<LanceDbModules> {
  loading ??= (async () => {
    try {
      const [lancedb, arrow] = await Promise.all([import('@lancedb/lancedb'), import('apache-arrow')]);
      return { lancedb, arrow };
    } catch (error) {
      loading = undefined;
      const why = error instanceof Error ? error.message.split('\n')[0] : String(error);
      throw new MemoryStoreError(`LanceDB could not be loaded: ${why}`, { cause: error });
    }
  })();
  return loading;
}
