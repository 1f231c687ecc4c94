/** The panel's front end: folds a run's events into a transcript, one animation frame at a time. */
import MarkdownIt from 'markdown-it';
import type { RunEvent, RunEventOf } from '../src/core/events';
import type { FromWebview, ModelState, RunSummary, ToWebview } from '../src/vscode/webviewProtocol';

declare function acquireVsCodeApi(): { postMessage(message: FromWebview): void };
const vscode = acquireVsCodeApi();
// html: false — model output is text, never markup; links are limited to safe schemes by markdown-it.
const markdown = new MarkdownIt({ html: false, linkify: true });

const bar = document.getElementById('bar')!;
const transcript = document.getElementById('transcript')!;
const composer = document.getElementById('composer') as HTMLFormElement;
const prompt = document.getElementById('prompt') as HTMLTextAreaElement;

const el = <K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string) => {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
};

/** What is on screen for the shown run, keyed so each event finds its place. */
let view = newView();
function newView() {
  return {
    /** Where a run's blocks go: the transcript for the top run, a tool call's body for a subagent. */
    containers: new Map<string, HTMLElement>(),
    texts: new Map<string, TextBlock>(),
    /** The model's thinking per `${runId}:${step}`. */
    thoughts: new Map<string, ThinkingBlock>(),
    /** Text blocks with new text since they were last drawn. */
    dirty: new Set<TextBlock>(),
    tools: new Map<string, HTMLDetailsElement>(),
    /** Step headers of the top run, by `${runId}:${step}`. */
    steps: new Map<string, HTMLElement>(),
    /** Set when the top run was forked from another run's checkpoint (until the marker of the fork). */
    forkedFrom: undefined as { runId: string; checkpointId: string } | undefined,
    /** The offer to resume an interrupted run, while it stands. */
    resumeOffer: undefined as HTMLElement | undefined,
    topRunId: undefined as string | undefined,
    status: el('div', 'status'),
    todos: el('ul', 'todos'),
    running: false,
    model: { languageModels: [] } as ModelState,
  };
}

window.addEventListener('message', (message: MessageEvent<ToWebview>) => {
  const data = message.data;
  const follow = nearBottom();
  if (data.type === 'show') reset(data.run, data.events);
  else if (data.type === 'events') data.events.forEach(apply);
  else if (data.type === 'state') {
    view.model = data.model;
    view.running = data.running;
    renderBar();
  }
  drawDirtyText();
  if (follow) requestAnimationFrame(() => transcript.scrollTo({ top: transcript.scrollHeight }));
});

composer.addEventListener('submit', (e) => {
  e.preventDefault();
  send();
});
prompt.addEventListener('keydown', (e) => {
  if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
    e.preventDefault();
    send();
  }
});

function send(): void {
  const text = prompt.value.trim();
  if (!text) return;
  vscode.postMessage({ type: 'send', prompt: text });
  prompt.value = '';
}

function reset(run: RunSummary | undefined, events: RunEvent[]): void {
  const { model, running } = view;
  view = { ...newView(), model, running };
  transcript.replaceChildren();
  if (!run) transcript.append(el('p', 'empty', 'No run yet. Describe a task below, or use "Deep Agent: Run Task".'));
  events.forEach(apply);
  if (run && (run.status === 'interrupted' || run.status === 'cancelled')) offerResume(run.status);
  renderBar();
}

/** An interrupted (or stopped) run can go on where it left off. */
function offerResume(status: 'interrupted' | 'cancelled'): void {
  const offer = el('div', 'resume-offer');
  offer.append(el('span', '', status === 'interrupted' ? 'This run was interrupted before it finished. ' : 'This run was stopped before it finished. '));
  const resume = el('button', 'resume', 'Resume');
  resume.setAttribute('aria-label', 'Resume the run where it left off');
  resume.addEventListener('click', () => vscode.postMessage({ type: 'resume' }));
  offer.append(resume);
  view.resumeOffer = offer;
  transcript.append(offer);
}

function renderBar(): void {
  bar.replaceChildren();
  if (!view.model.label) {
    const notice = el('div', 'notice');
    notice.append(el('span', '', 'No model is configured. '));
    const configure = el('button', '', 'Configure Model');
    configure.addEventListener('click', () => vscode.postMessage({ type: 'configureModel' }));
    notice.append(configure);
    if (view.model.languageModels.length) notice.append(el('span', 'muted', ` VS Code offers: ${view.model.languageModels.join(', ')}`));
    bar.append(notice);
  } else bar.append(el('span', 'model', view.model.label));
  bar.append(view.status);
  if (view.running) {
    const stop = el('button', 'stop', 'Stop');
    stop.setAttribute('aria-label', 'Stop the run');
    stop.addEventListener('click', () => vscode.postMessage({ type: 'stop' }));
    bar.append(stop);
  }
  if (view.todos.childElementCount) bar.append(view.todos);
}

function apply(event: RunEvent): void {
  switch (event.type) {
    case 'run_start':
      return startRun(event);
    case 'run_resumed':
      return resumed(event);
    case 'step_start':
      return startStep(event);
    case 'llm_start':
      // A retry: the failed attempt's text is void.
      if (event.data.attempt > 1) {
        clearText(textOf(event.runId, event.data.step));
        dropThinking(`${event.runId}:${event.data.step}`);
      }
      return;
    case 'llm_reasoning':
      return think(event);
    case 'llm_chunk': {
      doneThinking(`${event.runId}:${event.data.step}`);
      const block = textOf(event.runId, event.data.step);
      block.text += event.data.text;
      view.dirty.add(block);
      return;
    }
    case 'tool_start':
      doneThinking(`${event.runId}:${event.data.step}`);
      return startTool(event);
    case 'llm_end':
      return doneThinking(`${event.runId}:${event.data.step}`);
    case 'tool_end': {
      const details = view.tools.get(event.data.toolCallId);
      if (!details) return;
      details.classList.add(event.data.ok ? 'ok' : 'failed');
      details.querySelector('.result')!.textContent = event.data.result;
      return;
    }
    case 'approval_requested':
      return askApproval(event);
    case 'approval_resolved': {
      const box = view.tools.get(event.data.toolCallId)?.querySelector('.approval');
      if (!box) return;
      box.className = `approval ${event.data.approved ? 'approved' : 'rejected'}`;
      box.replaceChildren(event.data.approved ? 'Approved.' : `Rejected${event.data.reason ? `: ${event.data.reason}` : '.'}`);
      return;
    }
    case 'progress':
      if (event.runId === view.topRunId) {
        const d = event.data;
        view.status.textContent = `step ${d.iteration}/${d.maxIterations} · ${d.usage.totalTokens.toLocaleString()} tokens · $${d.costUsd.toFixed(4)}`;
      }
      return;
    case 'guardrail':
      containerOf(event.runId).append(el('div', `guardrail ${event.data.action}`, `Guardrail ${event.data.guardrail} ${event.data.action}: ${event.data.message}`));
      return;
    case 'error':
      containerOf(event.runId).append(errorBlock(event));
      return;
    case 'run_end':
      if (event.runId === view.topRunId) {
        const d = event.data;
        view.status.textContent = `${d.status} · ${d.steps} steps · ${d.usage.totalTokens.toLocaleString()} tokens · $${d.costUsd.toFixed(4)}`;
        const ending = d.status === 'completed' ? 'Completed.' : d.status === 'cancelled' ? 'Stopped before it finished.' : `Run ${d.status}${d.error ? `: ${d.error}` : '.'}`;
        transcript.append(el('div', `end ${d.status}`, ending));
      }
      return;
    default:
      return;
  }
}

function startRun(event: RunEventOf<'run_start'>): void {
  if (!event.parentRunId) {
    view.topRunId = event.runId;
    view.forkedFrom = event.data.forkedFrom;
    view.containers.set(event.runId, transcript);
    transcript.append(el('div', 'user', event.data.prompt));
    return;
  }
  const parentTool = event.data.parentToolCallId ? view.tools.get(event.data.parentToolCallId) : undefined;
  const nested = el('section', 'subagent');
  nested.append(el('div', 'subagent-name', `Subagent ${event.data.agentName}`));
  (parentTool?.querySelector('.body') ?? containerOf(event.parentRunId)).append(nested);
  view.containers.set(event.runId, nested);
}

/** A run goes on after an interruption: a marker, and what became of the calls that were cut off. */
function resumed(event: RunEventOf<'run_resumed'>): void {
  if (event.runId !== view.topRunId) return;
  view.resumeOffer?.remove();
  view.resumeOffer = undefined;
  // A fork's first resume after its checkpoint is where it leaves the run it was forked from (the
  // events before it are copies, resume markers of the original run included).
  const fork = view.forkedFrom;
  const forkSeq = fork ? Number(fork.checkpointId.slice(fork.checkpointId.lastIndexOf('@') + 1)) : NaN;
  const forkedHere = fork !== undefined && event.seq > forkSeq;
  const text = forkedHere
    ? `Forked from run ${fork.runId.slice(0, 8)} at this point; going on with step ${event.data.step}.`
    : `Resumed after an interruption; going on with step ${event.data.step}.`;
  if (forkedHere) view.forkedFrom = undefined;
  const marker = el('div', 'resumed', text);
  const outcomes = { done: 'had finished', rerun: 'runs again', unknown: 'outcome unknown, the agent was told' } as const;
  if (event.data.interruptedToolCalls.length) {
    const list = el('ul');
    for (const call of event.data.interruptedToolCalls) list.append(el('li', call.outcome, `${call.name}: ${outcomes[call.outcome]}`));
    marker.append(list);
  }
  transcript.append(marker);
}

/**
 * A step begins. After a resume the step that was cut off mid-stream is asked again, with the same
 * number: its partial text is dropped and the step starts over at the end, so each step shows once.
 */
function startStep(event: RunEventOf<'step_start'>): void {
  const key = `${event.runId}:${event.data.step}`;
  const partial = view.texts.get(key);
  if (partial) {
    partial.node.remove();
    view.texts.delete(key);
    view.dirty.delete(partial);
  }
  dropThinking(key);
  if (event.runId !== view.topRunId) return;
  let header = view.steps.get(key);
  if (!header) {
    header = el('div', 'step', `Step ${event.data.step}`);
    header.dataset.step = String(event.data.step);
    view.steps.set(key, header);
  }
  containerOf(event.runId).append(header);
}

function startTool(event: RunEventOf<'tool_start'>): void {
  const { name, args, toolCallId } = event.data;
  if (name === 'write_todos' && event.runId === view.topRunId) renderTodos(args);
  const existing = view.tools.get(toolCallId);
  // The same call of the same step again: it runs again after a resume, so its entry starts over.
  // (Some servers number tool calls per answer, so the same id in another step is another call.)
  if (existing && existing.dataset.run === event.runId && existing.dataset.step === String(event.data.step)) {
    existing.classList.remove('ok', 'failed');
    existing.querySelector('.approval')?.remove();
    existing.querySelector('.args')!.textContent = JSON.stringify(args, null, 2);
    existing.querySelector('.result')!.textContent = '';
    return;
  }
  const details = el('details', 'tool') as HTMLDetailsElement;
  details.dataset.run = event.runId;
  details.dataset.step = String(event.data.step);
  const summary = el('summary', '', `${name} ${argsPreview(args)}`);
  const body = el('div', 'body');
  body.append(el('pre', 'args', JSON.stringify(args, null, 2)), el('pre', 'result'));
  details.append(summary, body);
  view.tools.set(toolCallId, details);
  containerOf(event.runId).append(details);
}

function askApproval(event: RunEventOf<'approval_requested'>): void {
  const details = view.tools.get(event.data.toolCallId);
  if (!details) return;
  details.open = true;
  const box = el('div', 'approval pending');
  const what = event.data.path ? `${event.data.name} ${event.data.path} (the diff is open in the editor)` : event.data.name;
  box.append(el('span', '', `Approve ${what}?`));
  const reason = el('input', 'reason') as HTMLInputElement;
  reason.placeholder = 'Reason (optional, told to the agent)';
  reason.setAttribute('aria-label', 'Reason for rejecting');
  const approve = el('button', 'approve', 'Approve');
  const reject = el('button', 'reject', 'Reject');
  approve.addEventListener('click', () => vscode.postMessage({ type: 'approve', toolCallId: event.data.toolCallId }));
  reject.addEventListener('click', () => vscode.postMessage({ type: 'reject', toolCallId: event.data.toolCallId, reason: reason.value.trim() || undefined }));
  box.append(approve, reject, reason);
  details.querySelector('.body')!.prepend(box);
  approve.focus();
}

function renderTodos(args: unknown): void {
  const todos = (args as { todos?: { content: string; status: string }[] }).todos ?? [];
  view.todos.replaceChildren(
    ...todos.map((t) => {
      const item = el('li', t.status, t.content);
      item.setAttribute('aria-label', `${t.status.replace('_', ' ')}: ${t.content}`);
      return item;
    }),
  );
  renderBar();
}

function errorBlock(event: RunEventOf<'error'>): HTMLElement {
  const block = el('div', event.data.fatal ? 'error fatal' : 'error', event.data.message);
  const hint = nextStep(event.data.code);
  if (event.data.fatal && hint) block.append(el('div', 'hint', hint));
  return block;
}

/** What a user can do about a failure. */
function nextStep(code: string): string | undefined {
  if (code === 'model_http_401' || code === 'model_http_403') return 'Check the API key: run "Deep Agent: Configure Model".';
  if (code === 'model_http_404') return 'Check the model name and base URL: run "Deep Agent: Configure Model".';
  if (code === 'model_connection' || code === 'model_timeout') return 'Is the model server running and reachable at the configured base URL?';
  if (code === 'guardrail' || code === 'max_iterations') return 'Raise the limit in the Deep Agent settings, or narrow the task.';
  return undefined;
}

/**
 * The model's text of one step. Markdown is drawn incrementally: blocks that can no longer change
 * (before a blank line outside a code fence) are rendered once; only the tail is redrawn. Redrawing
 * the whole answer on every chunk made long answers quadratic and froze the webview.
 */
interface TextBlock {
  node: HTMLElement;
  tail: HTMLElement;
  text: string;
  /** Characters of `text` already rendered for good. */
  settled: number;
}

function textOf(runId: string, step: number): TextBlock {
  const key = `${runId}:${step}`;
  let block = view.texts.get(key);
  if (!block) {
    const node = el('div', 'assistant');
    const tail = el('div', 'tail');
    node.append(tail);
    block = { node, tail, text: '', settled: 0 };
    view.texts.set(key, block);
    containerOf(runId).append(node);
  }
  return block;
}

/**
 * The model's thinking (reasoning models), as plain text in a collapsible block: open while it
 * streams, folded away once the answer or a tool call begins unless the user opened or closed it.
 */
interface ThinkingBlock {
  details: HTMLDetailsElement;
  summary: HTMLElement;
  text: Text;
  done: boolean;
  /** The user toggled it: it stays as they left it. */
  touched: boolean;
}

function think(event: RunEventOf<'llm_reasoning'>): void {
  const key = `${event.runId}:${event.data.step}`;
  let block = view.thoughts.get(key);
  if (!block) {
    const details = el('details', 'thinking') as HTMLDetailsElement;
    const summary = el('summary', '', 'Thinking…');
    const body = el('div', 'thinking-text');
    const text = document.createTextNode('');
    body.append(text);
    details.append(summary, body);
    details.open = true;
    block = { details, summary, text, done: false, touched: false };
    const created = block;
    // A click on the summary is the user's choice; the folding done here sets `open` without one.
    summary.addEventListener('click', () => void (created.touched = true));
    view.thoughts.set(key, block);
    containerOf(event.runId).append(details);
  }
  // Appending to one text node keeps a long stream of thinking linear.
  block.text.appendData(event.data.text);
}

function doneThinking(key: string): void {
  const block = view.thoughts.get(key);
  if (!block || block.done) return;
  block.done = true;
  block.summary.textContent = 'Thought';
  if (!block.touched) block.details.open = false;
}

/** A retry or a resumed step asks the model again: what it thought before is void. */
function dropThinking(key: string): void {
  view.thoughts.get(key)?.details.remove();
  view.thoughts.delete(key);
}

function clearText(block: TextBlock): void {
  block.text = '';
  block.settled = 0;
  block.tail.replaceChildren();
  block.node.replaceChildren(block.tail);
}

function drawDirtyText(): void {
  for (const block of view.dirty) {
    const boundary = settledBoundary(block.text, block.settled);
    if (boundary > block.settled) {
      const settled = el('div', 'settled');
      settled.innerHTML = markdown.render(block.text.slice(block.settled, boundary));
      block.node.insertBefore(settled, block.tail);
      block.settled = boundary;
    }
    block.tail.innerHTML = markdown.render(block.text.slice(block.settled));
  }
  view.dirty.clear();
}

/** The end of the last blank line after `from` that is outside a code fence, or `from`. */
function settledBoundary(text: string, from: number): number {
  let boundary = from;
  let inFence = false;
  let lineStart = from;
  while (lineStart < text.length) {
    const lineEnd = text.indexOf('\n', lineStart);
    if (lineEnd === -1) break; // an unfinished line may still grow
    const line = text.slice(lineStart, lineEnd);
    if (/^\s*(```|~~~)/.test(line)) inFence = !inFence;
    else if (!inFence && line.trim() === '' && lineStart > from) boundary = lineEnd + 1;
    lineStart = lineEnd + 1;
  }
  return boundary;
}

const containerOf = (runId: string) => view.containers.get(runId) ?? transcript;

function argsPreview(args: unknown): string {
  if (typeof args !== 'object' || args === null) return '';
  const first = Object.values(args as Record<string, unknown>).find((v) => typeof v === 'string') as string | undefined;
  return first ? (first.length > 60 ? `${first.slice(0, 60)}…` : first).split('\n')[0]! : '';
}

/** Follow the stream only while the user is at the bottom; scrolling up stops it. */
function nearBottom(): boolean {
  return transcript.scrollHeight - transcript.scrollTop - transcript.clientHeight < 40;
}

vscode.postMessage({ type: 'ready' });
