/**
 * A run's events on disk, one JSON object per line, appended as they happen. The journal is the
 * source of truth for a run (ARCHITECTURE.md); transcripts, run lists and resume are folds of it.
 */
import { open, readFile, readdir, type FileHandle } from 'node:fs/promises';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunEvent } from '../events';

/** Appends one run's events; writes are queued so they never block the run and stay in order. */
export class EventJournalWriter {
  #handle: Promise<FileHandle>;
  #pending: Promise<void> = Promise.resolve();
  #buffer: string[] = [];

  constructor(readonly path: string) {
    this.#handle = mkdir(join(path, '..'), { recursive: true }).then(() => open(path, 'a'));
  }

  append(event: RunEvent): void {
    this.#buffer.push(`${JSON.stringify(event)}\n`);
    if (this.#buffer.length === 1) this.#pending = this.#pending.then(() => this.#write());
  }

  /** Waits until everything appended so far is on disk (fsync). */
  async flush(): Promise<void> {
    await this.#pending;
    await (await this.#handle).sync();
  }

  async close(): Promise<void> {
    await this.flush();
    await (await this.#handle).close();
  }

  async #write(): Promise<void> {
    const text = this.#buffer.join('');
    this.#buffer = [];
    await (await this.#handle).appendFile(text);
  }
}

export interface JournalRead {
  events: RunEvent[];
  /** Lines that could not be parsed (a torn last line after a crash, or damage). */
  skippedLines: number;
}

/** Reads a journal; a torn or damaged line is skipped and counted, never a failed read. */
export async function readEventJournal(path: string): Promise<JournalRead> {
  const text = await readFile(path, 'utf8');
  const events: RunEvent[] = [];
  let skippedLines = 0;
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const value = JSON.parse(line) as Partial<RunEvent>;
      if (typeof value.runId === 'string' && typeof value.type === 'string' && typeof value.seq === 'number') events.push(value as RunEvent);
      else skippedLines++;
    } catch {
      skippedLines++;
    }
  }
  return { events, skippedLines };
}

/** The journal files in a directory, newest first by name order of their run ids' files. */
export async function listEventJournals(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).filter((name) => name.endsWith('.jsonl')).map((name) => join(dir, name));
  } catch {
    return [];
  }
}
