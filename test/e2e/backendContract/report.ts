/** What the contract extension writes and the e2e test reads (no `vscode` here: the test runs in Node). */
import type { CaseResult } from '../../support/contractSuite';

/** The contract's name for the backend, which its cases' names begin with. */
export const SUBJECT = "WorkspaceFsBackend (VS Code's ripgrep)";

/** Where the report lands, in the first workspace folder. */
export const RESULTS_FILE = 'backend-contract-results.json';

export interface ContractReport {
  results?: CaseResult[];
  /** Set when the contract could not run at all. */
  error?: string;
}
