/**
 * The window's long-term memory: opened on first use (never during activation), kept open across
 * runs, closed on deactivate or when the memory settings change. When it cannot be opened (a native
 * part failed to load, a corrupted or locked folder, a bad setting) it says why in one line, and the
 * rest of the extension goes on without it.
 */
import * as vscode from 'vscode';
import { earlierMemories, openMemory, reembedEarlier, type MemoryConfig, type MemoryManager } from '../core';
import { MEMORY_KEY_ENV, memoryConfigOf, workspaceScope } from './memoryConfig';
import type { ApiKeys } from './secrets';
import { endpointOf, readMemorySettings, readSettings } from './settings';

/** What the Memory view shows at its top. */
export type MemoryState = { kind: 'off' } | { kind: 'closed' } | { kind: 'open'; manager: MemoryManager } | { kind: 'failed'; problem: string };

/** Memory as a run uses it, or nothing (off, or it failed to open: a warning said so). */
export interface RunMemoryChoice {
  manager: MemoryManager;
  config: MemoryConfig;
}

export class MemoryService implements vscode.Disposable {
  readonly #changed = new vscode.EventEmitter<void>();
  /** The memory opened or changed, or its settings did: the view shows it again. */
  readonly onDidChange = this.#changed.event;
  #opening: Promise<{ manager: MemoryManager; config: MemoryConfig }> | undefined;
  #state: MemoryState = { kind: 'closed' };
  readonly #watching: vscode.Disposable;

  constructor(
    private readonly globalStorage: string,
    private readonly keys: ApiKeys,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.#watching = vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('deepAgent.memory')) void this.reset();
    });
  }

  get enabled(): boolean {
    return vscode.workspace.getConfiguration('deepAgent.memory').get('enabled') === true;
  }

  state(): MemoryState {
    return this.enabled ? this.#state : { kind: 'off' };
  }

  /** The open memory; opens it on first use. Rejects with a one-line reason when it is off or cannot open. */
  async manager(): Promise<MemoryManager> {
    return (await this.#opened()).manager;
  }

  /** For a run: the open memory and its settings, or undefined (off; or it failed, and a warning says the run goes on without it). */
  async forRun(): Promise<RunMemoryChoice | undefined> {
    if (!this.enabled) return undefined;
    try {
      return await this.#opened();
    } catch (error) {
      void vscode.window.showWarningMessage(`Deep Agent: ${message(error)}; this run starts without memory.`);
      return undefined;
    }
  }

  /** Memories were added, changed or deleted (here or by a run). */
  changed(): void {
    this.#changed.fire();
  }

  /** Closes the memory; the next use opens it again with the settings as they are then (also a retry after a failure). */
  async reset(): Promise<void> {
    const opening = this.#opening;
    this.#opening = undefined;
    this.#state = { kind: 'closed' };
    this.#changed.fire();
    const open = await opening?.catch(() => undefined);
    await open?.manager.close();
  }

  dispose(): void {
    void this.reset();
    this.#watching.dispose();
    this.#changed.dispose();
  }

  #opened(): Promise<{ manager: MemoryManager; config: MemoryConfig }> {
    if (!this.enabled) return Promise.reject(new Error('memory is off: turn on the setting deepAgent.memory.enabled'));
    if (!this.#opening) {
      const opening = this.#openNow();
      this.#opening = opening;
      opening.then(
        ({ manager, config }) => {
          this.#settle(opening, { kind: 'open', manager });
          void this.#reembedEarlier(manager, config);
        },
        (error: unknown) => this.#settle(opening, { kind: 'failed', problem: message(error) }),
      );
    }
    return this.#opening;
  }

  /**
   * The embedder changed and this model's table is still empty: the memories of the model before are
   * embedded again in the background, with progress (the old table is kept as it was).
   */
  async #reembedEarlier(manager: MemoryManager, config: MemoryConfig): Promise<void> {
    try {
      if ((await manager.count()) > 0) return;
      const earlier = await earlierMemories(config, manager.embedder.model);
      if (earlier.length === 0) return;
      const total = earlier.reduce((sum, e) => sum + e.count, 0);
      const done = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Deep Agent: re-embedding ${total} ${total === 1 ? 'memory' : 'memories'} for ${manager.embedder.model}`, cancellable: true },
        (progress, token) => {
          const stop = new AbortController();
          token.onCancellationRequested(() => stop.abort());
          let shown = 0;
          return reembedEarlier(manager, config, {
            signal: stop.signal,
            onProgress: (n) => {
              progress.report({ message: `${n}/${total}`, increment: ((n - shown) / total) * 100 });
              shown = n;
              this.#changed.fire();
            },
          });
        },
      );
      this.log.info(`memory: re-embedded ${done} memories of ${earlier.map((e) => e.space.model).join(', ')} for ${manager.embedder.model}`);
    } catch (error) {
      this.log.warn(`memory: re-embedding the memories of an earlier model stopped: ${oneLine(message(error))}`);
    }
    this.#changed.fire();
  }

  #settle(opening: Promise<unknown>, state: MemoryState): void {
    if (this.#opening !== opening) return; // reset meanwhile
    this.#state = state;
    if (state.kind === 'failed') this.log.error(state.problem);
    else if (state.kind === 'open') this.log.info(`memory opened: ${state.manager.store.kind} store, embedder ${state.manager.embedder.model}${state.manager.embedder.fallback ? ' (keyword fallback, no language model)' : ''}`);
    this.#changed.fire();
  }

  async #openNow(): Promise<{ manager: MemoryManager; config: MemoryConfig }> {
    try {
      const settings = readMemorySettings();
      const endpoint = endpointOf(readSettings());
      const folder = vscode.workspace.workspaceFolders?.[0]?.uri.toString();
      const config = memoryConfigOf(settings, { globalStorage: this.globalStorage, scope: workspaceScope(folder), endpoint });
      // The key goes to the embedder only, in an env of its own: never into process.env, a setting or a log.
      const key = settings.embedder === 'openai' ? await this.keys.get(endpoint) : undefined;
      const env = key ? { ...process.env, [MEMORY_KEY_ENV]: key } : process.env;
      const manager = await openMemory(config, { env, onWarning: (warning) => this.log.warn(`memory: ${warning}`) });
      return { manager, config };
    } catch (error) {
      throw new Error(`memory could not be opened: ${oneLine(message(error))}`);
    }
  }
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));
const oneLine = (text: string) => text.split('\n', 1)[0]!.trim();
