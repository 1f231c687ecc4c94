/**
 * What the Memory view shows, as plain nodes: memories grouped by type, then by scope (this
 * workspace or global), with counts, a page at a time with a "Load more" node. Pure (no `vscode`),
 * so grouping and paging are tested in Node; memoryView.ts turns nodes into tree items.
 */
import { memoryTypes, type Memory, type MemoryFilter, type MemoryScope, type MemoryType } from '../core';

/** Memories listed per request: a large store pages, and nothing waits on all of it. */
export const PAGE_SIZE = 50;

export type ScopeKind = 'workspace' | 'global';

export type MemoryNode =
  | { kind: 'message'; text: string; detail?: string; icon: string; command?: { command: string; arguments?: unknown[] } }
  | { kind: 'type'; memoryType: MemoryType; count: number; scopes: ScopeGroup[] }
  | ScopeGroup
  | { kind: 'memory'; memory: Memory }
  | { kind: 'more'; group: ScopeGroup; shown: number };

export interface ScopeGroup {
  kind: 'scope';
  memoryType: MemoryType;
  scope: ScopeKind;
  count: number;
}

/** One count per type and scope, in the order the view shows them. */
export interface GroupCount {
  memoryType: MemoryType;
  scope: ScopeKind;
  count: number;
}

/** The scopes the view lists: this workspace's (when the window has a folder) and the global one. */
export function scopeKinds(workspace: MemoryScope): ScopeKind[] {
  return workspace === 'global' ? ['global'] : ['workspace', 'global'];
}

/** The store filter of a group. */
export function groupFilter(group: Pick<ScopeGroup, 'memoryType' | 'scope'>, workspace: MemoryScope): MemoryFilter {
  return { memoryType: group.memoryType, scope: group.scope === 'global' ? 'global' : workspace };
}

/** Type nodes with their scope groups; empty groups and types are left out. */
export function typeNodes(counts: readonly GroupCount[]): Extract<MemoryNode, { kind: 'type' }>[] {
  return memoryTypes.flatMap((memoryType) => {
    const scopes: ScopeGroup[] = counts.filter((c) => c.memoryType === memoryType && c.count > 0).map((c) => ({ kind: 'scope', ...c }));
    const count = scopes.reduce((sum, s) => sum + s.count, 0);
    return count > 0 ? [{ kind: 'type' as const, memoryType, count, scopes }] : [];
  });
}

/** A group's memories loaded so far, then "Load more" while there are more. */
export function groupChildren(group: ScopeGroup, loaded: readonly Memory[]): MemoryNode[] {
  const nodes: MemoryNode[] = loaded.map((memory) => ({ kind: 'memory', memory }));
  if (loaded.length < group.count) nodes.push({ kind: 'more', group, shown: loaded.length });
  return nodes;
}

/** A next page appended to what was loaded; a memory seen already (the store changed between pages) is kept once. */
export function appendPage(loaded: readonly Memory[], page: readonly Memory[]): Memory[] {
  const seen = new Set(loaded.map((m) => m.id));
  return [...loaded, ...page.filter((m) => !seen.has(m.id))];
}

export const typeLabels: Record<MemoryType, string> = { semantic: 'Facts (semantic)', long_term: 'Preferences and rules (long-term)', episodic: 'Episodes (episodic)', short_term: 'Short-term' };
export const scopeLabels: Record<ScopeKind, string> = { workspace: 'This workspace', global: 'Global' };

/** A pinned memory has importance 1. */
export const isPinned = (memory: Memory) => memory.importance >= 1;

/** The line a memory shows as: its first line, cut to fit. */
export function memoryLabel(content: string, max = 80): string {
  const line = content.trim().split('\n', 1)[0]!;
  return line.length > max ? `${line.slice(0, max)}…` : line;
}

/** The node's key in the tree (stable across refreshes, so expanded groups stay expanded). */
export function nodeId(node: MemoryNode): string {
  switch (node.kind) {
    case 'message':
      return `message:${node.text}`;
    case 'type':
      return `type:${node.memoryType}`;
    case 'scope':
      return `type:${node.memoryType}/${node.scope}`;
    case 'memory':
      return `memory:${node.memory.id}`;
    case 'more':
      return `more:${node.group.memoryType}/${node.group.scope}`;
  }
}
