/**
 * Export memories to a .jsonl file and import them from .jsonl or .json (an array of records), in
 * the core's record format (records.ts). An import keeps every good record and reports the bad ones
 * by file and line; it goes in batches, with progress, and can be cancelled.
 */
import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { finished } from 'node:stream/promises';
import * as vscode from 'vscode';
import { memoryRecord, type MemoryFilter, type MemoryManager } from '../core';
import { importRecords, recordsOf } from './memoryImport';

const PAGE = 500;
/** Bad lines named in the notification; the log has them all. */
const SHOWN_PROBLEMS = 3;

export async function exportMemories(manager: MemoryManager, filter: MemoryFilter, what: string): Promise<void> {
  const total = await manager.count(filter);
  if (total === 0) {
    void vscode.window.showInformationMessage(`There are no ${what} to export.`);
    return;
  }
  const target = await vscode.window.showSaveDialog({ title: `Export ${what}`, defaultUri: vscode.Uri.file('memories.jsonl'), filters: { 'JSON Lines': ['jsonl'] } });
  if (!target) return;
  const out = createWriteStream(target.fsPath, { encoding: 'utf8' });
  let written = 0;
  try {
    for (let offset = 0; ; offset += PAGE) {
      const page = await manager.list({ filter, order: 'oldest', offset, limit: PAGE });
      for (const memory of page) if (!out.write(`${memoryRecord(memory)}\n`)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
      written += page.length;
      if (page.length < PAGE) break;
    }
  } finally {
    out.end();
    await finished(out);
  }
  void vscode.window.showInformationMessage(`Exported ${written} ${written === 1 ? 'memory' : 'memories'} to ${target.fsPath}.`);
}

export async function importMemories(manager: MemoryManager, log: vscode.LogOutputChannel): Promise<number> {
  const [source] = (await vscode.window.showOpenDialog({ title: 'Import Memories', canSelectMany: false, filters: { 'Memories (JSON Lines or JSON)': ['jsonl', 'json'] } })) ?? [];
  if (!source) return 0;
  const file = basename(source.fsPath);
  const records = recordsOf(await readFile(source.fsPath, 'utf8'), file);
  const { imported, problems } = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Importing memories from ${file}`, cancellable: true },
    (progress, token) => {
      const aborter = new AbortController();
      token.onCancellationRequested(() => aborter.abort());
      let reported = 0;
      return importRecords(manager, records, {
        signal: aborter.signal,
        onProgress: (done, total) => {
          progress.report({ message: `${done} of ${total}`, increment: (100 * (done - reported)) / total });
          reported = done;
        },
      });
    },
  );
  for (const problem of problems) log.warn(`memory import: ${problem}`);
  const summary = `Imported ${imported} ${imported === 1 ? 'memory' : 'memories'} from ${file}`;
  if (problems.length) {
    const shown = problems.slice(0, SHOWN_PROBLEMS).join('; ');
    const more = problems.length > SHOWN_PROBLEMS ? `; ${problems.length - SHOWN_PROBLEMS} more in the Deep Agent output` : '';
    void vscode.window.showWarningMessage(`${summary}; ${problems.length} bad ${problems.length === 1 ? 'record was' : 'records were'} skipped: ${shown}${more}.`);
  } else void vscode.window.showInformationMessage(`${summary}.`);
  return imported;
}
