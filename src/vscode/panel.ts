/**
 * The panel: a webview showing one run's transcript as it streams. Events are batched to about one
 * postMessage per animation frame so a long answer never floods the webview.
 */
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { RunEvent } from '../core';
import type { WorkbenchApprovals } from './approvals';
import type { RunManager } from './runManager';
import { fromWebviewSchema, type ModelState, type ToWebview } from './webviewProtocol';

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

  /** Opens the panel (or brings it forward) showing a run: the given one, the running one, or the latest. */
  async show(runId?: string): Promise<void> {
    if (!this.#panel) this.#panel = this.create();
    else this.#panel.reveal(undefined, true);
    const target = runId ?? this.runs.running()?.summary.runId ?? (await this.runs.list())[0]?.summary.runId;
    this.#shownRunId = target;
    const record = target ? await this.runs.get(target) : undefined;
    const events = record ? await this.runs.events(record.summary.runId) : [];
    this.#queue = [];
    this.post({ type: 'show', run: record?.summary, events });
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
      this.post({ type: 'events', events });
    }, FRAME_MS);
  }

  private post(message: ToWebview): void {
    void this.#panel?.webview.postMessage(message);
  }

  private async postState(): Promise<void> {
    if (!this.#panel) return;
    this.post({ type: 'state', model: await this.modelState(), running: this.runs.running() !== undefined });
  }

  private create(): vscode.WebviewPanel {
    const media = vscode.Uri.joinPath(this.extensionUri, 'dist', 'media');
    const panel = vscode.window.createWebviewPanel(Panel.viewType, 'Deep Agent', vscode.ViewColumn.Beside, {
      enableScripts: true,
      localResourceRoots: [media],
      // The transcript is rebuilt from the run's events, so the hidden webview need not be kept alive.
      retainContextWhenHidden: false,
    });
    panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'media', 'icon.svg');
    panel.webview.html = html(panel.webview, media);
    panel.onDidDispose(() => (this.#panel = undefined), null, this.#subscriptions);
    panel.onDidChangeViewState(() => {
      if (panel.visible) void this.show(this.#shownRunId);
    }, null, this.#subscriptions);
    panel.webview.onDidReceiveMessage((raw: unknown) => void this.receive(raw), null, this.#subscriptions);
    return panel;
  }

  private async receive(raw: unknown): Promise<void> {
    const parsed = fromWebviewSchema.safeParse(raw);
    if (!parsed.success) return; // not from our front end: ignore
    const message = parsed.data;
    switch (message.type) {
      case 'ready':
        await this.show(this.#shownRunId);
        break;
      case 'send':
        await this.runs.start(message.prompt, { followUpOf: this.#shownRunId });
        break;
      case 'stop':
        this.runs.stop();
        break;
      case 'resume':
        if (this.#shownRunId) await vscode.commands.executeCommand('deepAgent.resumeRun', this.#shownRunId);
        break;
      case 'configureModel':
        await vscode.commands.executeCommand('deepAgent.configureModel');
        break;
      case 'approve':
        this.approvals.answer(message.toolCallId, { approved: true });
        break;
      case 'reject':
        this.approvals.answer(message.toolCallId, { approved: false, reason: message.reason });
        break;
    }
  }
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
<form id="composer"><textarea id="prompt" rows="2" aria-label="Task or follow-up" placeholder="Ask the agent… (Ctrl+Enter to send)"></textarea><button id="send" type="submit">Send</button></form>
<script nonce="${nonce}" src="${script}"></script>
</body>
</html>`;
}
