/** The bar above the transcript: the model (or the offer to configure one), the run's status line, Stop, and the todo list. */
import type { ModelState } from '../../src/webview/protocol';
import type { View } from '../view/model';
import { el } from './dom';

export interface BarState {
  model: ModelState;
  running: boolean;
}

export interface BarActions {
  configureModel(): void;
  stop(): void;
}

export class BarRenderer {
  readonly #status = el('div', 'status');
  readonly #todos = el('ul', 'todos');
  /** What the bar was last drawn from. */
  #drawn: { view?: View; state?: BarState; barRev?: number } = {};

  constructor(
    private readonly bar: HTMLElement,
    private readonly actions: BarActions,
  ) {}

  render(view: View, state: BarState): void {
    const drawn = this.#drawn;
    const barChanged = drawn.view !== view || drawn.barRev !== view.barRev;
    if (barChanged) {
      this.#status.textContent = statusLine(view);
      this.#todos.replaceChildren(
        ...view.todos.map((t) => {
          const item = el('li', t.status, t.content);
          item.setAttribute('aria-label', `${t.status.replace('_', ' ')}: ${t.content}`);
          return item;
        }),
      );
    }
    // The todo list comes and goes with the bar; the status line is updated in place.
    if (drawn.state !== state || (barChanged && this.#todos.isConnected !== view.todos.length > 0)) this.draw(state);
    this.#drawn = { view, state, barRev: view.barRev };
  }

  private draw(state: BarState): void {
    this.bar.replaceChildren();
    if (!state.model.label) {
      const notice = el('div', 'notice');
      notice.append(el('span', '', state.model.problem ? `${state.model.problem}. ` : 'No model is configured. '));
      const configure = el('button', '', 'Configure Model');
      configure.addEventListener('click', () => this.actions.configureModel());
      notice.append(configure);
      if (state.model.languageModels.length) notice.append(el('span', 'muted', ` VS Code offers: ${state.model.languageModels.join(', ')}`));
      this.bar.append(notice);
    } else this.bar.append(el('span', 'model', state.model.label));
    this.bar.append(this.#status);
    if (state.running) {
      const stop = el('button', 'stop', 'Stop');
      stop.setAttribute('aria-label', 'Stop the run');
      stop.addEventListener('click', () => this.actions.stop());
      this.bar.append(stop);
    }
    if (this.#todos.childElementCount) this.bar.append(this.#todos);
  }
}

/** The top run's figures: how far it got, or how it ended. */
function statusLine(view: View): string {
  const money = (usd: number) => `$${usd.toFixed(4)}`;
  if (view.end) return `${view.end.status} · ${view.end.steps} steps · ${view.end.totalTokens.toLocaleString()} tokens · ${money(view.end.costUsd)}`;
  const p = view.progress;
  return p ? `step ${p.iteration}/${p.maxIterations} · ${p.totalTokens.toLocaleString()} tokens · ${money(p.costUsd)}` : '';
}
