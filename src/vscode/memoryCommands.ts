/**
 * The Memory view's commands: add (from the selection, or typed), pin and unpin, delete (confirmed),
 * open the run that created a memory, export and import, consolidate, and paging. Each that needs a
 * memory takes the view's node; the memory is opened on first use (MemoryService).
 */
import * as vscode from 'vscode';
import { modelFrom, type ChatModel, type Memory, type MemoryFilter } from '../core';
import { memoryUri, type MemoryFileSystem } from './memoryFileSystem';
import type { MemoryService } from './memoryService';
import { groupFilter, scopeLabels, typeLabels, type MemoryNode } from './memoryTree';
import type { MemoryView } from './memoryView';
import { chooseModel } from './models';
import type { ApiKeys } from './secrets';
import { readSettings } from './settings';
import { exportMemories, importMemories } from './memoryTransfer';
import { searchMemory } from './memorySearch';

export function memoryCommands(memory: MemoryService, view: MemoryView, files: MemoryFileSystem, keys: ApiKeys, log: vscode.LogOutputChannel): Record<string, (...args: unknown[]) => unknown> {
  return {
    'deepAgent.searchMemory': () => searchMemory(memory),
    'deepAgent.addMemory': () => addMemory(memory),
    'deepAgent.refreshMemory': () => memory.reset(),
    'deepAgent.loadMoreMemories': (node: unknown) => view.loadMore(node as MemoryNode),
    'deepAgent.openMemory': (node: unknown) => vscode.commands.executeCommand('vscode.open', memoryUri(memoryOf(node).id)),
    'deepAgent.pinMemory': (node: unknown) => setImportance(memory, node, 1),
    'deepAgent.unpinMemory': (node: unknown) => setImportance(memory, node, 0.5),
    'deepAgent.deleteMemory': (node: unknown) => deleteMemory(memory, files, node),
    'deepAgent.openMemoryRun': (node: unknown) => {
      const runId = memoryOf(node).provenance.runId;
      if (!runId) throw new Error('this memory was not made by a run');
      return vscode.commands.executeCommand('deepAgent.openRun', runId);
    },
    'deepAgent.exportMemory': async (node: unknown) => {
      const manager = await memory.manager();
      const group = node as MemoryNode | undefined;
      const filter: MemoryFilter = group?.kind === 'scope' ? groupFilter(group, manager.scope) : group?.kind === 'type' ? { memoryType: group.memoryType, scope: manager.visibleScopes } : { scope: manager.visibleScopes };
      const what = group?.kind === 'scope' ? `${typeLabels[group.memoryType]} · ${scopeLabels[group.scope]}` : group?.kind === 'type' ? typeLabels[group.memoryType] : 'memories';
      await exportMemories(manager, filter, what);
    },
    'deepAgent.importMemory': async () => {
      const imported = await importMemories(await memory.manager(), log);
      if (imported) memory.changed();
    },
    'deepAgent.consolidateMemory': () => consolidate(memory, keys),
  };
}

function memoryOf(node: unknown): Memory {
  const memory = (node as MemoryNode | undefined)?.kind === 'memory' ? (node as Extract<MemoryNode, { kind: 'memory' }>).memory : undefined;
  if (!memory) throw new Error('pick a memory in the Memory view first');
  return memory;
}

/** The selection of the active editor (with where it came from), or what the user types. */
async function addMemory(memory: MemoryService): Promise<void> {
  const manager = await memory.manager();
  const editor = vscode.window.activeTextEditor;
  const selected = editor && !editor.selection.isEmpty ? editor.document.getText(editor.selection).trim() : '';
  const content = selected || (await vscode.window.showInputBox({ title: 'Deep Agent: Add Memory', prompt: 'What should the agent remember?', placeHolder: 'e.g. Releases go out on Fridays with blue-green deploys', ignoreFocusOut: true }))?.trim();
  if (!content) return;
  const metadata = selected && editor ? { file: vscode.workspace.asRelativePath(editor.document.uri), lines: linesOf(editor.selection) } : {};
  await manager.add([{ content, memoryType: 'semantic', metadata, provenance: { source: 'user' } }]);
  memory.changed();
  void vscode.window.showInformationMessage(`Remembered: ${content.length > 60 ? `${content.slice(0, 60)}…` : content}`);
}

/** "3-7": the lines a selection covers (one ending at the start of a line does not cover that line). */
function linesOf(selection: vscode.Selection): string {
  const end = selection.end.character === 0 && selection.end.line > selection.start.line ? selection.end.line : selection.end.line + 1;
  return `${selection.start.line + 1}-${end}`;
}

async function setImportance(memory: MemoryService, node: unknown, importance: number): Promise<void> {
  const { id } = memoryOf(node);
  if (!(await (await memory.manager()).update(id, { importance }))) throw new Error(`memory ${id} no longer exists`);
  memory.changed();
}

async function deleteMemory(memory: MemoryService, files: MemoryFileSystem, node: unknown): Promise<void> {
  const target = memoryOf(node);
  const preview = target.content.length > 120 ? `${target.content.slice(0, 120)}…` : target.content;
  const answer = await vscode.window.showWarningMessage('Delete this memory?', { modal: true, detail: `${preview}\n\nIt cannot be brought back (export it first to keep a copy).` }, 'Delete');
  if (answer !== 'Delete') return;
  await (await memory.manager()).forget([target.id]);
  files.deleted(target.id);
  memory.changed();
}

/** Old episodic memories summarised into facts by the configured model; the originals are kept and linked. */
async function consolidate(memory: MemoryService, keys: ApiKeys): Promise<void> {
  const manager = await memory.manager();
  const choice = await chooseModel(readSettings(), keys);
  if ('problem' in choice) throw new Error(`consolidation needs a model: ${choice.problem} (Deep Agent: Configure Model)`);
  const model: ChatModel = 'model' in choice ? choice.model : modelFrom(choice.endpoint, process.env, choice.apiKey);
  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'Consolidating memories', cancellable: true },
    (progress, token) => {
      const aborter = new AbortController();
      token.onCancellationRequested(() => aborter.abort());
      return manager.consolidate({ model, signal: aborter.signal, onProgress: (done, total) => progress.report({ message: `${done} of ${total} episodes` }) });
    },
  );
  memory.changed();
  void vscode.window.showInformationMessage(
    result.consolidated === 0
      ? 'Nothing to consolidate: no episodic memories older than a week that were not summarised already.'
      : `Consolidated ${result.consolidated} episodes into ${result.created.length} facts; the episodes are kept and linked to them.`,
  );
}
