/**
 * Approvals in the editor: a proposed write opens in VS Code's diff editor, and the panel's
 * Approve / Reject buttons answer it. A rejection's reason is told to the model.
 */
import * as vscode from 'vscode';
import type { ApprovalDecision, ApprovalPolicy, ApprovalRequest, Approvals } from '../core';

const SCHEME = 'deep-agent-proposed';

export class WorkbenchApprovals implements vscode.Disposable {
  readonly #pending = new Map<string, { resolve: (d: ApprovalDecision) => void; uris: vscode.Uri[] }>();
  readonly #contents = new Map<string, string>();
  readonly #registration: vscode.Disposable;

  /** `panelColumn`: where the panel is, so the diff opens beside it rather than over it. */
  constructor(private readonly panelColumn: () => vscode.ViewColumn | undefined) {
    this.#registration = vscode.workspace.registerTextDocumentContentProvider(SCHEME, {
      provideTextDocumentContent: (uri) => this.#contents.get(uri.toString()) ?? '',
    });
  }

  /** The Approvals a run gets, with the policy of the moment. */
  forRun(policy: ApprovalPolicy): Approvals {
    return { policy, decide: (request) => this.decide(request) };
  }

  /** Called by the panel's buttons. */
  answer(toolCallId: string, decision: ApprovalDecision): boolean {
    const pending = this.#pending.get(toolCallId);
    if (!pending) return false;
    pending.resolve(decision);
    return true;
  }

  dispose(): void {
    for (const pending of this.#pending.values()) pending.resolve({ approved: false, reason: 'the editor was closed' });
    this.#registration.dispose();
  }

  private async decide(request: ApprovalRequest): Promise<ApprovalDecision> {
    const uris: vscode.Uri[] = [];
    if (request.change) {
      const { path, before, after } = request.change;
      const left = vscode.Uri.from({ scheme: SCHEME, path: `/${path}`, query: `before=${request.toolCallId}` });
      const right = vscode.Uri.from({ scheme: SCHEME, path: `/${path}`, query: `after=${request.toolCallId}` });
      this.#contents.set(left.toString(), before ?? '');
      this.#contents.set(right.toString(), after);
      uris.push(left, right);
      const title = `${path}: proposed by Deep Agent${before === undefined ? ' (new file)' : ''}`;
      const viewColumn = this.panelColumn() === vscode.ViewColumn.One ? vscode.ViewColumn.Two : vscode.ViewColumn.One;
      await vscode.commands.executeCommand('vscode.diff', left, right, title, { preview: true, preserveFocus: true, viewColumn });
    }
    const decision = await new Promise<ApprovalDecision>((resolve) => {
      this.#pending.set(request.toolCallId, { resolve, uris });
      request.signal.addEventListener('abort', () => resolve({ approved: false, reason: 'the run was cancelled' }), { once: true });
    });
    this.#pending.delete(request.toolCallId);
    for (const uri of uris) this.#contents.delete(uri.toString());
    await closeTabsShowing(uris);
    return decision;
  }
}

async function closeTabsShowing(uris: vscode.Uri[]): Promise<void> {
  if (!uris.length) return;
  const shown = new Set(uris.map((u) => u.toString()));
  const tabs = vscode.window.tabGroups.all
    .flatMap((g) => g.tabs)
    .filter((tab) => tab.input instanceof vscode.TabInputTextDiff && shown.has(tab.input.modified.toString()));
  if (tabs.length) await vscode.window.tabGroups.close(tabs);
}
