/**
 * Recovery of a write that may or may not have happened before a crash. Writes are announced in
 * the journal before they happen (file_change), and backends write atomically, so the file holds
 * either the content before or the content after: that tells which.
 */
import { displayPath } from '../../backends/paths';
import type { RecoveryContext, ToolRecovery } from '../types';

export async function recoverWrite(ctx: RecoveryContext, path: string, after: string, result: () => string): Promise<ToolRecovery> {
  const intent = ctx.fileChanges.at(-1);
  // No announced write: the call stopped before writing anything.
  if (!intent) return { outcome: 'rerun' };
  const current = (await ctx.backend.exists(path)) ? await ctx.backend.readFile(path).catch(() => undefined) : null;
  if (current === after) return { outcome: 'done', result: result() };
  if (current === intent.before) return { outcome: 'rerun' };
  return { outcome: 'unknown', detail: `${displayPath(path)} holds neither the content before nor the content after the write` };
}
