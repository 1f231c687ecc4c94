/**
 * The panel: a webview showing one run's transcript as it streams. Events are batched to about one
 * postMessage per animation frame so a long answer never floods the webview. The webview's requests
 * (src/webview/protocol.ts) are answered by the handler table below; a failure goes back as the
 * request's error, which the panel shows. After a window reload VS Code hands the panel back to
 * `restore` (the serializer in extension.ts), with the run it showed.
 */
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { z } from 'zod';
import { isResumable, type RunEvent } from '../core';
import { answerRequest, type ModelState, type RequestHandlers, type ToWebview } from '../webview/protocol';
import type { WorkbenchApprovals } from './approvals';
import { didStart, type Launched, type RunManager } from './runManager';

/** What the webview saved with setState: it comes back from the webview, so it is checked. */
const savedState = z.object({ runId: z.string().min(1).optional() }).catch({});

const FRAME_MS = 16;

export class Panel implements vscode.Disposable {
  static readonly viewType = 'deepAgent.panel';
  #panel: vscode.WebviewPanel | undefined;
  #shownRunId: string | undefined;
  #queue: RunEvent[] = [];
  #timer: NodeJS.Timeout | undefined;
  readonly #subscriptions: vscode.Disposable[] = [];

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly runs: RunManager,
    private readonly modelState: () => Promise<ModelState>,
    private readonly approvals: WorkbenchApprovals,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.#subscriptions.push(
      runs.onEvent((event) => {
        // A new or resumed top-level run takes over the panel; events of other runs are not shown.
        if ((event.type === 'run_start' || event.type === 'run_resumed') && !event.parentRunId) void this.show(event.runId);
        else if (this.isShown(event)) this.enqueue(event);
      }),
      runs.onRunsChanged(() => void this.postState()),
    );
  }

  /** The run the panel shows, while it is open. */
  get shownRunId(): string | undefined {
    return this.#panel ? this.#shownRunId : undefined;
  }

  /** The editor column the panel is in, while it is open. */
  get viewColumn(): vscode.ViewColumn | undefined {
    return this.#panel?.viewColumn;
  }

  /**
   * Opens the panel (or brings it forward) showing a run: the given one, the running one, or the
   * latest. A child run (a subagent, a graph task) shows on its own, as the top run.
   */
  async show(runId?: string): Promise<void> {
    if (!this.#panel) this.#panel = this.create();
    else this.#panel.reveal(undefined, true);
    await this.present(runId);
  }

  /** The panel VS Code brought back after a window reload, with the state its webview saved (the run it showed). */
  restore(panel: vscode.WebviewPanel, state: unknown): void {
    if (this.#panel) {
      // Already opened by a command since the reload: one panel is enough.
      panel.dispose();
      return;
    }
    this.#shownRunId = savedState.parse(state ?? {}).runId;
    this.log.info(`panel restored after a reload, showing ${this.#shownRunId ? `run ${this.#shownRunId}` : 'the latest run'}`);
    this.#panel = this.setUp(panel);
    // The webview asks for its run with `ready` once it has loaded.
  }

  private async present(runId: string | undefined): Promise<void> {
    const target = runId ?? this.runs.running()?.summary.runId ?? (await this.runs.list())[0]?.summary.runId;
    this.#shownRunId = target;
    const home = target ? await this.runs.journalOf(target) : undefined;
    const record = home ? await this.runs.get(home) : undefined;
    const events = record ? await this.runs.familyEvents(record.summary.runId) : [];
    this.#queue = [];
    // A child run is shown as the top run by naming it: a subagent within its parent's journal, or a
    // child journaled on its own (whose parent is not shown).
    const focus = record && (target !== record.summary.runId || record.parentRunId) ? target : undefined;
    this.post({ kind: 'show', run: record && { ...record.summary, resumable: isResumable(record.summary.status) }, focus, events });
    await this.postState();
  }

  dispose(): void {
    this.#panel?.dispose();
    for (const s of this.#subscriptions) s.dispose();
  }

  private isShown(event: RunEvent): boolean {
    if (!this.#panel || !this.#shownRunId) return false;
    if (event.runId === this.#shownRunId) return true;
    // Subagent runs belong to the run that started them.
    return this.runs.belongsTo(event, this.#shownRunId);
  }

  private enqueue(event: RunEvent): void {
    this.#queue.push(event);
    this.#timer ??= setTimeout(() => {
      this.#timer = undefined;
      const events = this.#queue;
      this.#queue = [];
      this.post({ kind: 'events', events });
    }, FRAME_MS);
  }

  private post(message: ToWebview): void {
    void this.#panel?.webview.postMessage(message);
  }

  private async postState(): Promise<void> {
    if (!this.#panel) return;
    this.post({ kind: 'state', model: await this.modelState(), running: this.runs.running() !== undefined });
  }

  private create(): vscode.WebviewPanel {
    const panel = vscode.window.createWebviewPanel(Panel.viewType, 'Deep Agent', vscode.ViewColumn.Beside, webviewOptions(this.extensionUri));
    return this.setUp(panel);
  }

  private setUp(panel: vscode.WebviewPanel): vscode.WebviewPanel {
    panel.webview.options = webviewOptions(this.extensionUri);
    panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'media', 'icon.svg');
    panel.webview.html = html(panel.webview, vscode.Uri.joinPath(this.extensionUri, 'dist', 'media'));
    panel.onDidDispose(() => {
      if (this.#panel === panel) this.#panel = undefined;
    }, null, this.#subscriptions);
    panel.onDidChangeViewState(() => {
      if (panel.visible) void this.present(this.#shownRunId);
    }, null, this.#subscriptions);
    panel.webview.onDidReceiveMessage(async (raw: unknown) => {
      const response = await answerRequest(raw, this.#handlers);
      if (!response.ok) this.log.warn(`panel request failed: ${response.error}`);
      void panel.webview.postMessage(response satisfies ToWebview);
    }, null, this.#subscriptions);
    return panel;
  }

  /** What each request of the webview does. */
  readonly #handlers: RequestHandlers = {
    ready: ({ runId }) => this.present(this.#shownRunId ?? runId),
    send: ({ prompt, followUpOf }) => launch('start', () => this.runs.start(prompt, { followUpOf })),
    stop: () => {
      if (!this.runs.stop()) throw new Error('No run is going: it had ended already.');
    },
    resume: ({ runId }) => launch('resume', () => this.runs.resume(runId)),
    configureModel: async () => ({ configured: (await vscode.commands.executeCommand<boolean | undefined>('deepAgent.configureModel')) === true }),
    approve: ({ toolCallId }) => this.answerApproval(toolCallId, { approved: true }),
    reject: ({ toolCallId, reason }) => this.answerApproval(toolCallId, { approved: false, reason }),
    showRun: ({ runId }) => this.present(runId),
  };

  private answerApproval(toolCallId: string, decision: { approved: boolean; reason?: string }): void {
    if (!this.approvals.answer(toolCallId, decision)) throw new Error('that tool call no longer waits for an answer');
  }
}

/** Starts or resumes a run: its id, or an error saying why it did not (thrown, or reported by RunManager). */
async function launch(what: 'start' | 'resume', go: () => Promise<Launched>): Promise<{ runId: string }> {
  let launched: Launched;
  try {
    launched = await go();
  } catch (error) {
    launched = { notStarted: error instanceof Error ? error.message : String(error) };
  }
  if (!didStart(launched)) throw new Error(`The run did not ${what}: ${launched.notStarted.replace(/\.$/, '')}.`);
  return { runId: launched.summary.runId };
}

function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewPanelOptions & vscode.WebviewOptions {
  return {
    enableScripts: true,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist', 'media')],
    // The transcript is rebuilt from the run's events, so the hidden webview need not be kept alive.
    retainContextWhenHidden: false,
  };
}

function html(webview: vscode.Webview, media: vscode.Uri): string {
  const nonce = randomBytes(16).toString('base64');
  const script = webview.asWebviewUri(vscode.Uri.joinPath(media, 'panel.js'));
  const style = webview.asWebviewUri(vscode.Uri.joinPath(media, 'panel.css'));
  const csp = [
    "default-src 'none'",
    `style-src ${webview.cspSource}`,
    `img-src ${webview.cspSource} data:`,
    `font-src ${webview.cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${style}">
<title>Deep Agent</title>
</head>
<body>
<header id="bar" role="toolbar" aria-label="Run"></header>
<main id="transcript" aria-live="polite"></main>
<div id="problem" role="alert" hidden></div>
<form id="composer"><textarea id="prompt" rows="2" aria-label="Task or follow-up" placeholder="Ask the agent… (Ctrl+Enter to send)"></textarea><button id="send" type="submit">Send</button></form>
<script nonce="${nonce}" src="${script}"></script>
</body>
</html>`;
}
