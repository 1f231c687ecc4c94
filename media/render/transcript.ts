/**
 * Draws the view model's run tree into the transcript. Each block's node is kept by its key and
 * redrawn only when the block's revision changed; a run's children are re-ordered only when its
 * blocks changed. Child runs nest in the tool call that started them, or under their parent run.
 */
import type { Block, RunView, ThinkingBlock, ToolBlock, View } from '../view/model';
import { el, reconcile } from './dom';
import { MarkdownText } from './markdown';
import { recalledBlock, recalledList } from './memory';

/** What the transcript's buttons do. */
export interface TranscriptActions {
  approve(toolCallId: string): void;
  reject(toolCallId: string, reason: string | undefined): void;
  resume(): void;
  /** Show this run (a child run on its own, or the whole run it belongs to). */
  showRun(runId: string): void;
}

interface Drawn {
  node: HTMLElement;
  rev: number;
  /** Redraws the node for the block's new revision. */
  update?(block: Block): void;
  /** Child runs inside the node (a tool call's subagents, a child run block). */
  children?(view: View, block: Block): void;
}

export class TranscriptRenderer {
  #drawn = new Map<number, Drawn>();
  /** Child run sections and the run revision their children were last ordered at. */
  #runs = new Map<string, { section: HTMLElement; rev: number }>();
  #topRev = -1;
  #childNote: HTMLElement | undefined;
  /** The Approve button of an approval that just came, focused once it is on screen. */
  #focusNext: HTMLButtonElement | undefined;

  constructor(
    private readonly root: HTMLElement,
    private readonly actions: TranscriptActions,
  ) {}

  /** A new view: everything is drawn afresh. */
  reset(): void {
    this.#drawn.clear();
    this.#runs.clear();
    this.#topRev = -1;
    this.#childNote = undefined;
    this.root.replaceChildren();
  }

  render(view: View): void {
    const top = view.topRunId ? view.runs.get(view.topRunId) : undefined;
    if (!top) {
      if (!this.root.firstChild) this.root.append(el('p', 'empty', 'No run yet. Describe a task below, or use "Deep Agent: Run Task".'));
      return;
    }
    const nodes = top.blocks.map((b) => this.block(view, b));
    // A child run shown on its own says whose it is.
    if (top.parentRunId) this.#childNote ??= this.childNote(top.parentRunId);
    if (this.#topRev !== top.rev) reconcile(this.root, this.#childNote ? [this.#childNote, ...nodes] : nodes);
    this.#topRev = top.rev;
    if (this.#focusNext?.isConnected) this.#focusNext.focus();
    this.#focusNext = undefined;
  }

  /** A child run's section: its label, then its blocks. */
  private childRun(view: View, run: RunView): HTMLElement {
    let drawn = this.#runs.get(run.runId);
    if (!drawn) {
      const graphTask = run.parent?.kind === 'graph_task';
      const section = el('section', graphTask ? 'subagent graph-task' : 'subagent');
      section.dataset.run = run.runId;
      const name = el('div', 'subagent-name', graphTask ? `${run.agentName} · task ${run.parent!.id}` : `Subagent ${run.agentName}`);
      const open = el('button', 'open-run', 'Show on its own');
      open.setAttribute('aria-label', `Show the run of ${run.agentName} on its own`);
      open.addEventListener('click', () => this.actions.showRun(run.runId));
      name.append(' ', open);
      section.append(name);
      drawn = { section, rev: -1 };
      this.#runs.set(run.runId, drawn);
    }
    const nodes = run.blocks.map((b) => this.block(view, b));
    if (drawn.rev !== run.rev) reconcile(drawn.section, [drawn.section.firstChild!, ...nodes]);
    drawn.rev = run.rev;
    return drawn.section;
  }

  private block(view: View, block: Block): HTMLElement {
    let drawn = this.#drawn.get(block.key);
    if (!drawn) {
      drawn = this.create(block);
      this.#drawn.set(block.key, drawn);
      drawn.rev = -1;
    }
    if (drawn.rev !== block.rev) {
      drawn.update?.(block);
      drawn.rev = block.rev;
    }
    drawn.children?.(view, block);
    return drawn.node;
  }

  private create(block: Block): Drawn {
    switch (block.kind) {
      case 'user':
        return { node: el('div', 'user', block.text), rev: 0 };
      case 'step': {
        const node = el('div', 'step', `Step ${block.step}`);
        node.dataset.step = String(block.step);
        return { node, rev: 0 };
      }
      case 'text': {
        const text = new MarkdownText();
        return { node: text.node, rev: 0, update: (b) => text.draw(b as typeof block) };
      }
      case 'thinking':
        return thinking();
      case 'tool':
        return this.tool(block);
      case 'child': {
        const holder = el('div', 'child-run');
        return { node: holder, rev: 0, children: (view) => this.nestChild(view, holder, block.runId) };
      }
      case 'resumed':
        return { node: resumed(block), rev: 0 };
      case 'guardrail':
        return { node: el('div', `guardrail ${block.action}`, `Guardrail ${block.guardrail} ${block.action}: ${block.message}`), rev: 0 };
      case 'error': {
        const node = el('div', block.fatal ? 'error fatal' : 'error', block.message);
        const hint = nextStep(block.code);
        if (block.fatal && hint) node.append(el('div', 'hint', hint));
        return { node, rev: 0 };
      }
      case 'end':
        return { node: el('div', `end ${block.status}`, ending(block.status, block.error)), rev: 0 };
      case 'resume_offer':
        return { node: this.resumeOffer(block.status), rev: 0 };
      case 'recalled': {
        const recalled = recalledBlock();
        return { node: recalled.node, rev: 0, update: (b) => recalled.update(b as typeof block) };
      }
      case 'memory_note':
        return { node: el('div', 'memory-note', block.text), rev: 0 };
    }
  }

  private nestChild(view: View, holder: HTMLElement, runId: string): void {
    const run = view.runs.get(runId);
    if (!run) return;
    const section = this.childRun(view, run);
    if (holder.firstChild !== section) holder.replaceChildren(section);
  }

  /** A tool call: collapsible, with its arguments, result, approval and the subagents it started. */
  private tool(first: ToolBlock): Drawn {
    const details = el('details', 'tool');
    details.dataset.run = first.runId;
    details.dataset.step = String(first.step);
    const summary = el('summary', '', `${first.name} ${argsPreview(first.args)}`);
    const body = el('div', 'body');
    const args = el('pre', 'args');
    const result = el('pre', 'result');
    let recalled: HTMLElement | undefined;
    details.append(summary, body);
    let approval: { node: HTMLElement; state: string; focused?: boolean } | undefined;
    return {
      node: details,
      rev: 0,
      update: (b) => {
        const tool = b as ToolBlock;
        args.textContent = JSON.stringify(tool.args, null, 2);
        result.textContent = tool.outcome?.result ?? '';
        details.classList.toggle('ok', tool.outcome?.ok === true);
        details.classList.toggle('failed', tool.outcome?.ok === false);
        recalled = tool.recalled ? recalledList(tool.recalled) : undefined;
        if (approval && approval.state !== tool.approval?.state) approval = undefined;
        if (tool.approval && !approval) {
          approval = { node: this.approvalBox(tool), state: tool.approval.state };
          if (tool.approval.state === 'pending') details.open = true;
        }
      },
      children: (view, b) => {
        const tool = b as ToolBlock;
        const children = tool.children.flatMap((id) => {
          const run = view.runs.get(id);
          return run ? [this.childRun(view, run)] : [];
        });
        reconcile(body, [...(approval ? [approval.node] : []), args, ...(recalled ? [recalled] : []), result, ...children]);
        if (approval?.state === 'pending' && !approval.focused) {
          approval.focused = true;
          this.#focusNext = approval.node.querySelector<HTMLButtonElement>('button.approve') ?? undefined;
        }
      },
    };
  }

  private approvalBox(tool: ToolBlock): HTMLElement {
    const { approval, toolCallId } = tool;
    if (approval!.state !== 'pending') {
      const answer = approval!.state === 'approved' ? 'Approved.' : `Rejected${approval!.reason ? `: ${approval!.reason}` : '.'}`;
      return el('div', `approval ${approval!.state}`, answer);
    }
    const box = el('div', 'approval pending');
    box.append(el('span', '', `Approve ${approval!.what}?`));
    const reason = el('input', 'reason');
    reason.placeholder = 'Reason (optional, told to the agent)';
    reason.setAttribute('aria-label', 'Reason for rejecting');
    const approve = el('button', 'approve', 'Approve');
    const reject = el('button', 'reject', 'Reject');
    approve.addEventListener('click', () => this.actions.approve(toolCallId));
    reject.addEventListener('click', () => this.actions.reject(toolCallId, reason.value.trim() || undefined));
    box.append(approve, reject, reason);
    return box;
  }

  private childNote(parentRunId: string): HTMLElement {
    const note = el('div', 'child-note', `A child run of run ${parentRunId.slice(0, 8)}. `);
    const whole = el('button', 'open-run', 'Show the whole run');
    whole.addEventListener('click', () => this.actions.showRun(parentRunId));
    note.append(whole);
    return note;
  }

  /** An interrupted (or cancelled) run can go on where it left off. */
  private resumeOffer(status: 'interrupted' | 'cancelled'): HTMLElement {
    const offer = el('div', 'resume-offer');
    offer.append(el('span', '', `This run was ${status} before it finished. `));
    const resume = el('button', 'resume', 'Resume');
    resume.setAttribute('aria-label', 'Resume the run where it left off');
    resume.addEventListener('click', () => this.actions.resume());
    offer.append(resume);
    return offer;
  }
}

/**
 * The model's thinking (reasoning models), as plain text in a collapsible block: open while it
 * streams, folded away once the answer or a tool call begins unless the user opened or closed it.
 */
function thinking(): Drawn {
  const details = el('details', 'thinking');
  const summary = el('summary', '', 'Thinking…');
  const body = el('div', 'thinking-text');
  // Appending to one text node keeps a long stream of thinking linear.
  const text = document.createTextNode('');
  body.append(text);
  details.append(summary, body);
  details.open = true;
  let touched = false;
  let folded = false;
  // A click on the summary is the user's choice; the folding done here sets `open` without one.
  summary.addEventListener('click', () => void (touched = true));
  return {
    node: details,
    rev: 0,
    update: (b) => {
      const block = b as ThinkingBlock;
      text.appendData(block.text.slice(text.length));
      if (block.done && !folded) {
        folded = true;
        summary.textContent = 'Thought';
        if (!touched) details.open = false;
      }
    },
  };
}

function resumed(block: Extract<Block, { kind: 'resumed' }>): HTMLElement {
  const text = block.forkedFrom
    ? `Forked from run ${block.forkedFrom.slice(0, 8)} at this point; going on with step ${block.step}.`
    : `Resumed after an interruption; going on with step ${block.step}.`;
  const marker = el('div', 'resumed', text);
  const outcomes = { done: 'had finished', rerun: 'runs again', unknown: 'outcome unknown, the agent was told' } as const;
  if (block.interruptedToolCalls.length) {
    const list = el('ul');
    for (const call of block.interruptedToolCalls) list.append(el('li', call.outcome, `${call.name}: ${outcomes[call.outcome]}`));
    marker.append(list);
  }
  return marker;
}

/** The line a run ends with. */
function ending(status: string, error: string | undefined): string {
  if (status === 'completed') return 'Completed.';
  if (status === 'cancelled') return 'Cancelled before it finished.';
  return `Run ${status}${error ? `: ${error}` : '.'}`;
}

/** What a user can do about a failure. */
function nextStep(code: string): string | undefined {
  if (code === 'model_http_401' || code === 'model_http_403') return 'Check the API key: run "Deep Agent: Configure Model".';
  if (code === 'model_http_404') return 'Check the model name and base URL: run "Deep Agent: Configure Model".';
  if (code === 'model_connection' || code === 'model_timeout') return 'Is the model server running and reachable at the configured base URL?';
  if (code === 'guardrail' || code === 'max_iterations') return 'Raise the limit in the Deep Agent settings, or narrow the task.';
  return undefined;
}

function argsPreview(args: unknown): string {
  if (typeof args !== 'object' || args === null) return '';
  const first = Object.values(args as Record<string, unknown>).find((v) => typeof v === 'string') as string | undefined;
  return first ? (first.length > 60 ? `${first.slice(0, 60)}…` : first).split('\n')[0]! : '';
}
