import assert from 'node:assert/strict';
import { appendFile, mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { EventJournalWriter, listEventJournals, readEventJournal } from '../../src/core/checkpoint/eventJournal';
import type { RunEvent } from '../../src/core/events';

const event = (seq: number): RunEvent => ({ runId: 'r1', seq, ts: 1000 + seq, type: 'step_start', data: { step: seq } });

test('appended events read back in order, and a torn last line is skipped, not fatal', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'journal-'));
  const path = join(dir, 'runs', 'r1.jsonl');
  const writer = new EventJournalWriter(path);
  for (let i = 0; i < 100; i++) writer.append(event(i));
  await writer.close();
  assert.equal((await readFile(path, 'utf8')).split('\n').length, 101);
  await appendFile(path, '{"runId":"r1","seq":100,"ts":1,"type":"step_st');
  const read = await readEventJournal(path);
  assert.deepEqual(read.events.map((e) => e.seq), Array.from({ length: 100 }, (_, i) => i));
  assert.equal(read.skippedLines, 1);
  assert.deepEqual(await listEventJournals(join(dir, 'runs')), [path]);
  assert.deepEqual(await listEventJournals(join(dir, 'missing')), []);
});

test('lines that are JSON but not events are counted as skipped', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'journal-'));
  const path = join(dir, 'r.jsonl');
  await appendFile(path, `${JSON.stringify(event(0))}\n{"hello":1}\n[]\n${JSON.stringify(event(1))}\n`);
  const read = await readEventJournal(path);
  assert.equal(read.events.length, 2);
  assert.equal(read.skippedLines, 2);
});
