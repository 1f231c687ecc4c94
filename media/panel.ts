/**
 * The panel's front end: folds the shown run's events into the view model (view/fold.ts) and draws
 * it (render/), once per batch the extension sends (about one per animation frame). Buttons and the
 * composer make requests (requests.ts); a request that fails says why in the panel.
 */
import type { RequestMessage, RunSummary, ToWebview } from '../src/webview/protocol';
import { BarRenderer, type BarState } from './render/bar';
import { TranscriptRenderer } from './render/transcript';
import { createRequests } from './requests';
import { foldEvent, initialView, showRun } from './view/fold';

/** What the webview keeps across reloads of the window (the panel serializer hands it back). */
interface SavedState {
  runId?: string;
}
declare function acquireVsCodeApi(): { postMessage(message: RequestMessage): void; getState(): SavedState | undefined; setState(state: SavedState): void };
const vscode = acquireVsCodeApi();
const requests = createRequests((message) => vscode.postMessage(message));

const transcriptNode = document.getElementById('transcript')!;
const composer = document.getElementById('composer') as HTMLFormElement;
const prompt = document.getElementById('prompt') as HTMLTextAreaElement;
const problem = document.getElementById('problem')!;

let view = initialView();
let shown: { run: RunSummary | undefined; focus: string | undefined } = { run: undefined, focus: undefined };
let state: BarState = { model: { languageModels: [] }, running: false };

/** Runs a request; when it fails, the reason shows in the panel. */
async function act<T>(request: Promise<T>): Promise<T | undefined> {
  try {
    const result = await request;
    problem.hidden = true;
    return result;
  } catch (error) {
    say(error instanceof Error ? error.message : String(error));
    return undefined;
  }
}

function say(message: string): void {
  problem.textContent = message;
  problem.hidden = false;
}

const transcript = new TranscriptRenderer(transcriptNode, {
  approve: (toolCallId) => void act(requests.request('approve', { toolCallId })),
  reject: (toolCallId, reason) => void act(requests.request('reject', { toolCallId, reason })),
  resume: () => {
    const runId = shown.focus ?? shown.run?.runId;
    if (runId) void act(requests.request('resume', { runId }));
  },
  showRun: (runId) => void act(requests.request('showRun', { runId })),
});
const bar = new BarRenderer(document.getElementById('bar')!, {
  configureModel: () => void act(requests.request('configureModel', {})),
  stop: () => void act(requests.request('stop', {})),
});

window.addEventListener('message', (message: MessageEvent<ToWebview>) => {
  const data = message.data;
  const follow = nearBottom();
  switch (data.kind) {
    case 'response':
      // A response nobody waits for is the answer to a message the extension could not read.
      if (!requests.settle(data) && !data.ok) say(data.error);
      return;
    case 'show':
      shown = { run: data.run, focus: data.focus };
      view = showRun(data.run, data.events, data.focus);
      transcript.reset();
      vscode.setState({ runId: data.focus ?? data.run?.runId });
      break;
    case 'events':
      for (const event of data.events) foldEvent(view, event);
      break;
    case 'state':
      state = { model: data.model, running: data.running };
      break;
  }
  transcript.render(view);
  bar.render(view, state);
  if (follow) requestAnimationFrame(() => transcriptNode.scrollTo({ top: transcriptNode.scrollHeight }));
});

composer.addEventListener('submit', (e) => {
  e.preventDefault();
  void send();
});
prompt.addEventListener('keydown', (e) => {
  if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
    e.preventDefault();
    void send();
  }
});

let sending = false;

/** Sends the prompt; it stays in the composer until a run took it, so a failure loses nothing. */
async function send(): Promise<void> {
  const text = prompt.value.trim();
  if (!text || sending) return;
  sending = true;
  problem.hidden = true;
  try {
    const followUpOf = shown.focus ? undefined : shown.run?.runId;
    const started = await act(requests.request('send', { prompt: text, followUpOf }));
    if (started && prompt.value.trim() === text) prompt.value = '';
  } finally {
    sending = false;
  }
}

/** Follow the stream only while the user is at the bottom; scrolling up stops it. */
function nearBottom(): boolean {
  return transcriptNode.scrollHeight - transcriptNode.scrollTop - transcriptNode.clientHeight < 40;
}

void act(requests.request('ready', { runId: vscode.getState()?.runId }));
