/**
 * The journal file format: a header line naming the format and its version, then one event per
 * line. Version 1 journals (written before checkpointing, by the workbench) have no header and
 * migrate as they are read; a newer version or a file that is not a journal is a clear error.
 */
import type { RunEvent } from '../events';
import { parseJsonOrUndefined } from '../json';
import { parseEvent } from './eventSchema';
import { CheckpointError, type JournalRead } from './store';

const JOURNAL_VERSION = 2;

interface JournalHeader {
  deepAgentJournal: number;
  runId: string;
}

export const headerLine = (runId: string): string => `${JSON.stringify({ deepAgentJournal: JOURNAL_VERSION, runId } satisfies JournalHeader)}\n`;

/** Parses a journal's text; `where` names it in errors. Damaged lines are skipped and counted. */
export function parseJournal(text: string, where: string): JournalRead {
  const lines = text.split('\n');
  let start = 0;
  while (start < lines.length && !lines[start]!.trim()) start++;
  const first = lines[start] === undefined ? undefined : parseJsonOrUndefined(lines[start]!);
  if (isHeader(first)) {
    checkHeader(first, where);
    start++;
  }
  const events: RunEvent[] = [];
  let skippedLines = 0;
  for (let i = start; i < lines.length; i++) {
    const line = lines[i]!;
    if (!line.trim()) continue;
    const event = parseEvent(parseJsonOrUndefined(line));
    if (event) events.push(event);
    else skippedLines++;
  }
  // Without a header (version 1, or a damaged first line) only a run_start makes it a journal.
  if (!isHeader(first) && !events.some((e) => e.type === 'run_start' && e.parentRunId === undefined)) {
    throw new CheckpointError(`${where}: not a Deep Agent run journal (no journal header and no run_start event)`);
  }
  return { events, skippedLines };
}

/** A value from the file, safe to put in a one-line message whatever it is. */
function shown(value: unknown): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {
    // e.g. nesting too deep to print
  }
  text ??= typeof value;
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

export function isHeader(value: unknown): value is JournalHeader {
  return typeof value === 'object' && value !== null && 'deepAgentJournal' in value;
}

/** Refuses a header this version cannot read: an invalid version, or a newer one. */
export function checkHeader(header: JournalHeader, where: string): void {
  if (!Number.isInteger(header.deepAgentJournal) || header.deepAgentJournal < 1) {
    throw new CheckpointError(`${where}: journal version ${shown(header.deepAgentJournal)} is not valid`);
  }
  if (header.deepAgentJournal > JOURNAL_VERSION) {
    throw new CheckpointError(`${where}: written by a newer Deep Agent (journal version ${header.deepAgentJournal}; this one reads up to ${JOURNAL_VERSION})`);
  }
}
