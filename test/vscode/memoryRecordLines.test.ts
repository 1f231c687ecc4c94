/** The records of a memory file to import (memoryRecordLines.ts), without VS Code. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { recordsOf } from '../../src/vscode/memoryRecordLines';

test('JSON lines keep their line numbers; blank lines are skipped', () => {
  assert.deepEqual(recordsOf('{"content":"a"}\n\n  \r\n{"content":"b"}\n', 'm.jsonl'), [
    { text: '{"content":"a"}', where: 'm.jsonl:1' },
    { text: '{"content":"b"}', where: 'm.jsonl:4' },
  ]);
});

test('a .json array gives its items, numbered; a broken array is named', () => {
  assert.deepEqual(recordsOf(' [{"content":"a"}, {"content":"b"}]', 'm.json'), [
    { text: '{"content":"a"}', where: 'm.json: item 1' },
    { text: '{"content":"b"}', where: 'm.json: item 2' },
  ]);
  assert.throws(() => recordsOf('[{"content":', 'm.json'), /^Error: m\.json: not a JSON array \(.+\)$/);
  assert.deepEqual(recordsOf('{"content":"a"}', 'm.json'), [{ text: '{"content":"a"}', where: 'm.json:1' }], 'a .json file of lines is read as lines');
});
