/**
 * Deep Agent: Search Memory. A quick pick that runs hybrid retrieval as the user types (debounced;
 * a slower answer to an older query is dropped), showing each match's score and type; picking one
 * opens it as a document.
 */
import * as vscode from 'vscode';
import type { ScoredMemory } from '../core';
import { memoryUri } from './memoryFileSystem';
import type { MemoryService } from './memoryService';
import { memoryLabel } from './memoryTree';

const DEBOUNCE_MS = 200;
const RESULTS = 20;

interface MemoryPick extends vscode.QuickPickItem {
  id: string;
}

export async function searchMemory(memory: MemoryService): Promise<void> {
  const manager = await memory.manager();
  const pick = vscode.window.createQuickPick<MemoryPick>();
  pick.title = 'Deep Agent: Search Memory';
  pick.placeholder = manager.embedder.fallback ? 'Words to look for (keyword fallback, no language model)' : 'What to look for, by meaning and by keywords';
  let timer: NodeJS.Timeout | undefined;
  let asked = 0;
  const search = async (query: string) => {
    const mine = ++asked;
    if (!query.trim()) {
      pick.items = [];
      pick.busy = false;
      return;
    }
    try {
      const found = await manager.retrieveRelevant(query, { limit: RESULTS });
      if (mine !== asked) return;
      pick.items = found.map(item);
      if (found.length === 0) pick.items = [{ id: '', label: 'No memory matches', alwaysShow: true }];
    } catch (error) {
      if (mine !== asked) return;
      pick.items = [{ id: '', label: `Search failed: ${error instanceof Error ? error.message : String(error)}`, alwaysShow: true }];
    } finally {
      if (mine === asked) pick.busy = false;
    }
  };
  pick.onDidChangeValue((value) => {
    clearTimeout(timer);
    pick.busy = true;
    timer = setTimeout(() => void search(value), DEBOUNCE_MS);
  });
  const chosen = await new Promise<MemoryPick | undefined>((resolve) => {
    pick.onDidAccept(() => resolve(pick.selectedItems[0]));
    pick.onDidHide(() => resolve(undefined));
    pick.show();
  });
  clearTimeout(timer);
  pick.dispose();
  if (chosen?.id) await vscode.commands.executeCommand('vscode.open', memoryUri(chosen.id));
}

function item(m: ScoredMemory): MemoryPick {
  return {
    id: m.id,
    label: memoryLabel(m.content),
    description: `${m.memoryType} · score ${m.relevanceScore.toFixed(3)}`,
    detail: `${m.scope === 'global' ? 'global' : 'this workspace'} · ${new Date(m.timestamp).toLocaleDateString()}`,
    // Matches by meaning need not contain the typed words.
    alwaysShow: true,
  };
}
