/**
 * A test-only extension (bundled by backendContract.e2e.test.ts): on start-up it runs the FileBackend
 * contract against WorkspaceFsBackend over the real vscode.workspace.fs, each case on a fresh temp
 * folder (given as the backend's workspace folder), with the ripgrep VS Code ships, as the extension
 * searches; every case applies, the stand-in ripgrep that never answers included. It writes each
 * case's outcome as JSON into the workspace for the test to read.
 */
import { rename, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import * as vscode from 'vscode';
import { ripgrepUnder } from '../../../src/vscode/ripgrepPath';
import { WorkspaceFsBackend } from '../../../src/vscode/workspaceBackend';
import { backendContract, tempDir, writeTree } from '../../support/backendContract';
import { sequentialSuite } from '../../support/contractSuite';
import { RESULTS_FILE, SUBJECT, type ContractReport } from './report';

export function activate(): void {
  // Off activation's path: the host goes on starting while the contract runs.
  void runContract();
}

async function runContract(): Promise<void> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) return;
  let report: ContractReport;
  try {
    const ripgrep = ripgrepUnder(vscode.env.appRoot);
    if (!ripgrep) throw new Error(`no ripgrep under VS Code's app root ${vscode.env.appRoot}`);
    const suite = sequentialSuite();
    backendContract(
      suite,
      SUBJECT,
      async (t, files, search) => {
        const root = await tempDir(t, 'daw-workspace-');
        await writeTree(root, files);
        const workspaceFolder: vscode.WorkspaceFolder = { uri: vscode.Uri.file(root), name: basename(root), index: 0 };
        return new WorkspaceFsBackend([workspaceFolder], { ripgrep, ...search });
      },
      'ripgrep',
    );
    report = { results: await suite.run() };
  } catch (error) {
    report = { error: error instanceof Error ? (error.stack ?? error.message) : String(error) };
  }
  // Written whole, then renamed, so the test never reads half a report.
  const path = join(folder.uri.fsPath, RESULTS_FILE);
  await writeFile(`${path}.tmp`, JSON.stringify(report, null, 2));
  await rename(`${path}.tmp`, path);
}
