/**
 * The Memory view: a header naming the store and embedder (the hashing fallback marked as such),
 * then memories by type and scope with counts, 50 at a time with "Load more". Opening the memory is
 * left to the first time the view asks for items; when it fails, the header says why in one line.
 */
import * as vscode from 'vscode';
import { memoryTypes, type Memory, type MemoryManager } from '../core';
import { memoryUri } from './memoryFileSystem';
import type { MemoryService } from './memoryService';
import { appendPage, groupChildren, groupFilter, isPinned, memoryLabel, nodeId, PAGE_SIZE, scopeKinds, scopeLabels, typeLabels, typeNodes, type MemoryNode, type ScopeGroup } from './memoryTree';

const typeIcons: Record<string, string> = { semantic: 'lightbulb', long_term: 'star', episodic: 'history', short_term: 'clock' };

export class MemoryView implements vscode.TreeDataProvider<MemoryNode> {
  readonly #changed = new vscode.EventEmitter<MemoryNode | undefined>();
  readonly onDidChangeTreeData = this.#changed.event;
  /** Memories loaded per group, by the group's node id; kept across refreshes so "Load more" stays loaded. */
  #loaded = new Map<string, Memory[]>();
  #pages = new Map<string, number>();

  constructor(private readonly memory: MemoryService) {
    memory.onDidChange(() => this.refresh());
  }

  refresh(): void {
    this.#loaded.clear();
    this.#changed.fire(undefined);
  }

  /** One more page of a group. */
  loadMore(node: MemoryNode | undefined): void {
    const group = node?.kind === 'more' ? node.group : node?.kind === 'scope' ? node : undefined;
    if (!group) return;
    const id = nodeId(group);
    this.#pages.set(id, (this.#pages.get(id) ?? 1) + 1);
    this.#changed.fire(group);
  }

  async getChildren(node?: MemoryNode): Promise<MemoryNode[]> {
    if (!node) return this.#roots();
    if (node.kind === 'type') return node.scopes;
    if (node.kind === 'scope') return groupChildren(node, await this.#load(node, await this.memory.manager()));
    return [];
  }

  async #roots(): Promise<MemoryNode[]> {
    if (!this.memory.enabled) {
      return [{ kind: 'message', icon: 'circle-slash', text: 'Memory is off', detail: 'turn on deepAgent.memory.enabled', command: { command: 'workbench.action.openSettings', arguments: ['deepAgent.memory'] } }];
    }
    let manager: MemoryManager;
    try {
      manager = await this.memory.manager();
    } catch (error) {
      const reason = (error instanceof Error ? error.message : String(error)).replace(/^memory could not be opened: /, '');
      return [{ kind: 'message', icon: 'error', text: 'Memory could not be opened', detail: `${reason} (click to try again)`, command: { command: 'deepAgent.refreshMemory' } }];
    }
    const { embedder, store } = manager;
    const header: MemoryNode = embedder.fallback
      ? { kind: 'message', icon: 'warning', text: `Embedder: ${embedder.model}`, detail: `keyword fallback, no language model · ${store.kind} store` }
      : { kind: 'message', icon: 'symbol-namespace', text: `Embedder: ${embedder.model}`, detail: `${store.kind} store` };
    const scopes = scopeKinds(manager.scope);
    const counts = await Promise.all(
      memoryTypes.flatMap((memoryType) => scopes.map(async (scope) => ({ memoryType, scope, count: await manager.count(groupFilter({ memoryType, scope }, manager.scope)) }))),
    );
    const types = typeNodes(counts);
    if (types.length === 0) return [header, { kind: 'message', icon: 'add', text: 'No memories yet', detail: 'add one from a selection', command: { command: 'deepAgent.addMemory' } }];
    return [header, ...types];
  }

  async #load(group: ScopeGroup, manager: MemoryManager): Promise<Memory[]> {
    const id = nodeId(group);
    let loaded = this.#loaded.get(id) ?? [];
    const wanted = Math.min(group.count, (this.#pages.get(id) ?? 1) * PAGE_SIZE);
    while (loaded.length < wanted) {
      const page = await manager.list({ filter: groupFilter(group, manager.scope), order: 'newest', offset: loaded.length, limit: PAGE_SIZE });
      if (page.length === 0) break;
      loaded = appendPage(loaded, page);
    }
    this.#loaded.set(id, loaded);
    return loaded;
  }

  getTreeItem(node: MemoryNode): vscode.TreeItem {
    const item = new vscode.TreeItem('', vscode.TreeItemCollapsibleState.None);
    item.id = nodeId(node);
    switch (node.kind) {
      case 'message':
        item.label = node.text;
        item.description = node.detail;
        item.tooltip = node.detail ? `${node.text} — ${node.detail}` : node.text;
        item.iconPath = new vscode.ThemeIcon(node.icon);
        if (node.command) item.command = { ...node.command, title: node.text };
        break;
      case 'type':
        item.label = typeLabels[node.memoryType];
        item.description = String(node.count);
        item.iconPath = new vscode.ThemeIcon(typeIcons[node.memoryType]!);
        item.collapsibleState = vscode.TreeItemCollapsibleState.Collapsed;
        item.contextValue = 'memoryGroup.type';
        break;
      case 'scope':
        item.label = scopeLabels[node.scope];
        item.description = String(node.count);
        item.iconPath = new vscode.ThemeIcon(node.scope === 'global' ? 'globe' : 'folder');
        item.collapsibleState = vscode.TreeItemCollapsibleState.Collapsed;
        item.contextValue = 'memoryGroup.scope';
        break;
      case 'memory':
        return memoryItem(node.memory, item);
      case 'more':
        item.label = 'Load more';
        item.description = `${node.shown} of ${node.group.count} shown`;
        item.iconPath = new vscode.ThemeIcon('ellipsis');
        item.command = { command: 'deepAgent.loadMoreMemories', title: 'Load More', arguments: [node] };
        break;
    }
    return item;
  }
}

function memoryItem(memory: Memory, item: vscode.TreeItem): vscode.TreeItem {
  const pinned = isPinned(memory);
  item.label = memoryLabel(memory.content);
  item.description = [pinned ? 'pinned' : `importance ${memory.importance}`, new Date(memory.timestamp).toLocaleDateString()].join(' · ');
  const tooltip = new vscode.MarkdownString(`**${memory.memoryType}** · ${memory.scope} · ${new Date(memory.timestamp).toLocaleString()}${memory.provenance.runId ? ` · from run ${memory.provenance.runId}` : ''}\n\n---\n\n`);
  tooltip.appendText(memory.content);
  item.tooltip = tooltip;
  item.iconPath = new vscode.ThemeIcon(pinned ? 'pinned' : 'note');
  // memory.pinned / memory.unpinned, with .fromRun when a run made it: the menus in package.json match on these.
  item.contextValue = `memory.${pinned ? 'pinned' : 'unpinned'}${memory.provenance.runId ? '.fromRun' : ''}`;
  item.command = { command: 'vscode.open', title: 'Open Memory', arguments: [memoryUri(memory.id)] };
  return item;
}
