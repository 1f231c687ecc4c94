/**
 * How a contract registers its cases without depending on node:test, so the same contract runs
 * under node:test and inside VS Code's extension host (see test/e2e/backendContract).
 */

/** What a case gets: a place for clean-up, as node:test's TestContext offers it. */
export interface CaseContext {
  after(fn: () => unknown): void;
}

export type CaseBody = (t: CaseContext) => Promise<void>;

export interface ContractSuite {
  describe(name: string, body: () => void): void;
  it(name: string, body: CaseBody): void;
}

export interface CaseResult {
  /** The describe names and the case's, joined with " > ". */
  name: string;
  outcome: 'pass' | 'fail';
  /** Why it failed (the error's stack). */
  detail?: string;
}

/** Collects cases, then runs them one after another, each case's clean-up before the next case. */
export function sequentialSuite(): ContractSuite & { names(): string[]; run(): Promise<CaseResult[]> } {
  const cases: { name: string; body: CaseBody }[] = [];
  const path: string[] = [];
  return {
    describe(name, body) {
      path.push(name);
      try {
        body();
      } finally {
        path.pop();
      }
    },
    it(name, body) {
      cases.push({ name: [...path, name].join(' > '), body });
    },
    names: () => cases.map((c) => c.name),
    async run() {
      const results: CaseResult[] = [];
      for (const { name, body } of cases) {
        const cleanUps: (() => unknown)[] = [];
        try {
          await body({ after: (fn) => void cleanUps.push(fn) });
          results.push({ name, outcome: 'pass' });
        } catch (error) {
          results.push({ name, outcome: 'fail', detail: error instanceof Error ? (error.stack ?? error.message) : String(error) });
        } finally {
          for (const cleanUp of cleanUps.reverse()) await Promise.resolve(cleanUp()).catch(() => undefined);
        }
      }
      return results;
    },
  };
}
