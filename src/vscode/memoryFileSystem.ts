/**
 * Memories as editable documents: `deep-agent-memory:/<id>.json` (memoryDocument.ts). Saving
 * validates the JSON and updates the memory (new content is embedded again); a bad edit fails the
 * save with a one-line message and the editor keeps the text. Only reading and writing existing
 * memories is possible: nothing is created, renamed or deleted through it.
 */
import * as vscode from 'vscode';
import { memoryDocument, parseMemoryDocument } from './memoryDocument';
import type { MemoryService } from './memoryService';

export const MEMORY_SCHEME = 'deep-agent-memory';

export const memoryUri = (id: string) => vscode.Uri.from({ scheme: MEMORY_SCHEME, path: `/${encodeURIComponent(id)}.json` });

export function memoryIdOf(uri: vscode.Uri): string {
  return decodeURIComponent(uri.path.replace(/^\//, '').replace(/\.json$/, ''));
}

export class MemoryFileSystem implements vscode.FileSystemProvider {
  readonly #changed = new vscode.EventEmitter<vscode.FileChangeEvent[]>();
  readonly onDidChangeFile = this.#changed.event;
  /** When each memory was last saved here: the editor compares it to tell a save from a change elsewhere. */
  readonly #saved = new Map<string, number>();

  constructor(private readonly memory: MemoryService) {}

  async stat(uri: vscode.Uri): Promise<vscode.FileStat> {
    const memory = await this.#get(uri);
    const mtime = this.#saved.get(memory.id) ?? memory.timestamp;
    return { type: vscode.FileType.File, ctime: memory.timestamp, mtime, size: Buffer.byteLength(memoryDocument(memory)) };
  }

  async readFile(uri: vscode.Uri): Promise<Uint8Array> {
    return Buffer.from(memoryDocument(await this.#get(uri)));
  }

  async writeFile(uri: vscode.Uri, content: Uint8Array): Promise<void> {
    const id = memoryIdOf(uri);
    const edit = parseMemoryDocument(Buffer.from(content).toString('utf8'), id);
    const manager = await this.memory.manager();
    const updated = await manager.update(id, edit);
    if (!updated) throw vscode.FileSystemError.FileNotFound(`memory ${id} no longer exists (deleted meanwhile); nothing was saved`);
    this.#saved.set(id, Date.now());
    this.#changed.fire([{ type: vscode.FileChangeType.Changed, uri }]);
    this.memory.changed();
  }

  /** A memory deleted elsewhere: its open editor learns it is gone. */
  deleted(id: string): void {
    this.#saved.delete(id);
    this.#changed.fire([{ type: vscode.FileChangeType.Deleted, uri: memoryUri(id) }]);
  }

  async #get(uri: vscode.Uri) {
    const id = memoryIdOf(uri);
    const memory = await (await this.memory.manager()).get(id);
    if (!memory) throw vscode.FileSystemError.FileNotFound(`memory ${id} does not exist`);
    return memory;
  }

  watch(): vscode.Disposable {
    return new vscode.Disposable(() => undefined);
  }

  readDirectory(): never {
    throw vscode.FileSystemError.NoPermissions('memories are listed in the Memory view');
  }

  createDirectory(): never {
    throw vscode.FileSystemError.NoPermissions('memories have no folders');
  }

  delete(): never {
    throw vscode.FileSystemError.NoPermissions('delete memories from the Memory view');
  }

  rename(): never {
    throw vscode.FileSystemError.NoPermissions('memories cannot be renamed');
  }
}
