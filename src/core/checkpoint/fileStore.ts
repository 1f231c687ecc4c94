/**
 * The file store: one append-only journal per run (`<runId>.jsonl`) in a directory. Events are
 * written with a plain write() before any side effect (so a killed process loses nothing it did),
 * then fsynced in the background; a torn last line is skipped on load. A journal is compacted when
 * its run closes, and while it runs once it has grown by `compactAfterBytes`.
 */
import { closeSync, existsSync, fdatasync, fstatSync, fsyncSync, openSync, readFileSync, readSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { mkdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { removeStaleTempFiles, writeFileAtomically } from '../backends/atomicWrite';
import type { RunEvent } from '../events';
import { compactEvents } from './compaction';
import { isLockedByLiveWriter, releaseLock, takeLock } from './fileLock';
import { headerLine, parseJournal } from './journalFormat';
import { journalFiles, readListedEvents } from './journalListing';
import { CheckpointError, isValidRunId, RunNotFoundError, type CheckpointStore, type CompactionStats, type JournalRead, type JournalWriter, type StoredRun } from './store';
import { summarizeRun } from './summary';

export interface FileCheckpointStoreOptions {
  /** Compact a live journal each time it has grown this much (default 8 MiB). */
  compactAfterBytes?: number;
}

export class FileCheckpointStore implements CheckpointStore {
  readonly description: string;
  readonly #compactAfterBytes: number;
  /** Temp files a killed compaction left are removed at the first journal opened. */
  #swept = false;

  constructor(
    readonly dir: string,
    options: FileCheckpointStoreOptions = {},
  ) {
    this.description = `files in ${dir}`;
    this.#compactAfterBytes = options.compactAfterBytes ?? 8 * 1024 * 1024;
  }

  journalPath(runId: string): string {
    if (!isValidRunId(runId)) throw new CheckpointError(`"${runId}" is not a valid run id`);
    return join(this.dir, `${runId}.jsonl`);
  }

  async openJournal(runId: string): Promise<JournalWriter> {
    const path = this.journalPath(runId);
    await mkdir(this.dir, { recursive: true });
    if (!this.#swept) {
      this.#swept = true;
      await removeStaleTempFiles(this.dir);
    }
    const lock = lockPath(path);
    if (isLockedByLiveWriter(lock)) throw new CheckpointError(`run ${runId} is being written by another live process (${lock})`);
    takeLock(lock);
    try {
      return new FileJournalWriter(runId, path, this.#compactAfterBytes);
    } catch (error) {
      releaseLock(lock);
      throw error;
    }
  }

  async readJournal(runId: string): Promise<JournalRead> {
    const path = this.journalPath(runId);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new RunNotFoundError(runId, this.description);
      throw new CheckpointError(`${path}: cannot be read: ${(error as Error).message}`);
    }
    return parseJournal(text, path);
  }

  /** Reads each journal's head and tail only (journalListing.ts), not its events. */
  async listRuns(filter: { agentName?: string } = {}): Promise<StoredRun[]> {
    const runs: StoredRun[] = [];
    for (const { runId, path } of await journalFiles(this.dir)) {
      // A foreign or unreadable file is not a run; the others still list.
      const run = await this.#listed(runId, path).catch(() => undefined);
      if (run && (!filter.agentName || run.agentName === filter.agentName)) runs.push(run);
    }
    return runs.sort((a, b) => b.startedAt - a.startedAt);
  }

  /** One run as listRuns shows it; undefined when its file is missing or not a journal of a run. */
  async storedRun(runId: string): Promise<StoredRun | undefined> {
    const path = this.journalPath(runId);
    return this.#listed(runId, path).catch(() => undefined);
  }

  async #listed(runId: string, path: string): Promise<StoredRun | undefined> {
    const { bytes, updatedAt, ...listed } = await readListedEvents(path, runId);
    return summarizeRun(runId, listed, { bytes, updatedAt, live: isLockedByLiveWriter(lockPath(path)) });
  }

  async deleteRun(runId: string): Promise<boolean> {
    const path = this.journalPath(runId);
    if (isLockedByLiveWriter(lockPath(path))) throw new CheckpointError(`run ${runId} is still running; stop it before deleting it`);
    const existed = await stat(path).then(() => true, () => false);
    await rm(path, { force: true });
    await rm(lockPath(path), { force: true });
    return existed;
  }

  async compact(runId: string): Promise<CompactionStats> {
    const path = this.journalPath(runId);
    if (isLockedByLiveWriter(lockPath(path))) throw new CheckpointError(`run ${runId} is being written; it is compacted when it closes`);
    const text = await readFile(path, 'utf8').catch(() => {
      throw new RunNotFoundError(runId, this.description);
    });
    const { stats, compacted } = compactText(runId, text, path);
    if (compacted !== undefined) await writeFileAtomically(path, compacted);
    return stats;
  }

  async close(): Promise<void> {}
}

const lockPath = (journal: string) => journal.replace(/\.jsonl$/, '.lock');

function compactText(runId: string, text: string, where: string): { stats: CompactionStats; compacted?: string } {
  const { events } = parseJournal(text, where);
  const kept = compactEvents(events);
  const compacted = headerLine(runId) + kept.map((e) => `${JSON.stringify(e)}\n`).join('');
  const bytesBefore = Buffer.byteLength(text);
  const bytesAfter = Buffer.byteLength(compacted);
  const stats = { eventsBefore: events.length, eventsAfter: kept.length, bytesBefore, bytesAfter };
  return { stats, compacted: kept.length < events.length ? compacted : undefined };
}

/** A version-1 journal (no header) that is written again gets its header first, atomically. */
/**
 * A new journal appears whole, header and all: a process killed while creating it leaves no file
 * (or a `.new` temp no listing reads), never an empty journal that would read as foreign.
 */
function createWithHeader(path: string, runId: string): void {
  if (existsSync(path)) return;
  const temp = `${path}.new`;
  writeFileSync(temp, headerLine(runId));
  renameSync(temp, path);
}

function migrateToCurrentVersion(path: string, runId: string): void {
  const marker = '{"deepAgentJournal"';
  let start: string;
  try {
    const fd = openSync(path, 'r');
    try {
      const head = Buffer.alloc(marker.length);
      start = head.toString('utf8', 0, readSync(fd, head, 0, head.length, 0));
    } finally {
      closeSync(fd);
    }
  } catch {
    return;
  }
  // Only the head is read: a current journal (or a new, empty one) is left alone.
  if (start === '' || start === marker) return;
  const temp = `${path}.migrate`;
  writeFileSync(temp, headerLine(runId) + readFileSync(path, 'utf8'));
  renameSync(temp, path);
}

/** Background fsync at most this often: a write() already survives the process; fsync only guards against power loss. */
const syncEveryMs = 1000;
/** The write-ahead records: on disk before any listener sees them and before the work starts. Others wait for the event loop's turn or the next flush. */
const writtenAtOnce = new Set<RunEvent['type']>(['tool_start', 'file_change', 'run_end']);
/** Smaller journals are not worth compacting when they close (chunks are merged as they are written). */
const compactOnCloseBytes = 1024 * 1024;

class FileJournalWriter implements JournalWriter {
  #fd: number;
  #events: RunEvent[] = [];
  #scheduled = false;
  #syncTimer: NodeJS.Timeout | undefined;
  #syncing: Promise<void> | undefined;
  #grownBytes = 0;
  #closed = false;
  /** The first write that failed; the run learns of it at its next flush, before any side effect. */
  #failure: CheckpointError | undefined;

  constructor(
    private readonly runId: string,
    private readonly path: string,
    private readonly compactAfterBytes: number,
  ) {
    // What a writer killed mid-compaction left; this writer holds the run now.
    rmSync(`${path}.compact`, { force: true });
    migrateToCurrentVersion(path, runId);
    createWithHeader(path, runId);
    this.#fd = openSync(path, 'a');
    const size = fstatSync(this.#fd).size;
    // An empty journal left by a version that created the file before writing its header.
    if (size === 0) writeSync(this.#fd, headerLine(runId));
    // A line torn by a crash stays a damaged line of its own (skipped on reading); what comes next starts on a new line.
    else if (!endsWithNewline(path, size)) writeSync(this.#fd, '\n');
  }

  /**
   * Buffered, and written once per turn of the event loop or at `flush` — which the run awaits
   * before every side effect, so the journal still hears of each one first. Events after close
   * (a window closing mid-run) are dropped: the run stays interrupted, not cancelled.
   */
  append(event: RunEvent): void {
    if (this.#closed || this.#failure) return;
    this.#events.push(event);
    // Work that would have to be done again if lost is written before any other listener sees it.
    if (writtenAtOnce.has(event.type)) this.#write();
    else if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(() => this.#write());
    }
  }

  async flush(): Promise<void> {
    this.#write();
    if (this.#failure) throw this.#failure;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#write();
    this.#closed = true;
    clearTimeout(this.#syncTimer);
    await this.#syncing;
    try {
      await new Promise<void>((resolve, reject) => fdatasync(this.#fd, (error) => (error ? reject(error) : resolve())));
      const size = fstatSync(this.#fd).size;
      closeSync(this.#fd);
      if (!this.#failure && size >= compactOnCloseBytes) this.#compactNow();
    } catch (error) {
      this.#failure ??= new CheckpointError(`cannot close the journal ${this.path}: ${(error as Error).message}`);
    } finally {
      releaseLock(lockPath(this.path));
    }
    if (this.#failure) throw this.#failure;
  }

  #write(): void {
    this.#scheduled = false;
    if (this.#closed || this.#failure || this.#events.length === 0) return;
    const events = this.#events;
    this.#events = [];
    let text = '';
    try {
      for (const event of compactEvents(events)) text += `${JSON.stringify(event)}\n`;
      writeSync(this.#fd, text);
    } catch (error) {
      this.#failure = new CheckpointError(`cannot write the journal ${this.path}: ${(error as Error).message}`);
      return;
    }
    this.#grownBytes += text.length;
    this.#syncSoon();
    if (this.#grownBytes >= this.compactAfterBytes) this.#compactLive();
  }

  /** fdatasync off the main thread, at most one at a time and one a second; the run never waits for the disk. */
  #syncSoon(): void {
    if (this.#syncTimer || this.#syncing) return;
    this.#syncTimer = setTimeout(() => {
      this.#syncTimer = undefined;
      if (this.#closed) return;
      this.#syncing = new Promise<void>((resolve) => fdatasync(this.#fd, () => resolve())).then(() => {
        this.#syncing = undefined;
      });
    }, syncEveryMs);
    this.#syncTimer.unref();
  }

  /** Compaction is only an optimization: when it fails the journal is as it was, and appends go on. */
  #compactLive(): void {
    this.#grownBytes = 0;
    try {
      closeSync(this.#fd);
      this.#compactNow();
    } catch {
      rmSync(`${this.path}.compact`, { force: true });
    }
    try {
      this.#fd = openSync(this.path, 'a');
    } catch (error) {
      this.#failure = new CheckpointError(`cannot reopen the journal ${this.path}: ${(error as Error).message}`);
    }
  }

  #compactNow(): void {
    const { compacted } = compactText(this.runId, readFileSync(this.path, 'utf8'), this.path);
    if (compacted === undefined) return;
    // Same as writeFileAtomically, but synchronous: no event may land between the read and the rename.
    const temp = `${this.path}.compact`;
    const fd = openSync(temp, 'w');
    try {
      writeSync(fd, compacted);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, this.path);
  }
}

function endsWithNewline(path: string, size: number): boolean {
  const fd = openSync(path, 'r');
  try {
    const last = Buffer.alloc(1);
    readSync(fd, last, 0, 1, size - 1);
    return last[0] === 0x0a;
  } finally {
    closeSync(fd);
  }
}
