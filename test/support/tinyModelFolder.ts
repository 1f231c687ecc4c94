/** A tiny generated BERT model (tinyBert.ts) in a temp folder for one test file, removed after it. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { writeTinyBert } from './tinyBert';

export const TINY_MODEL_ID = 'test/tiny-bert';

/** The folder to give as localModelPath; the model is `TINY_MODEL_ID` in it. */
export function tinyModelFolder(): string {
  const root = mkdtempSync(join(tmpdir(), 'tiny-bert-'));
  writeTinyBert(root, TINY_MODEL_ID);
  after(() => rmSync(root, { recursive: true, force: true }));
  return root;
}
