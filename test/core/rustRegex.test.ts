/**
 * grep promises JavaScript regular expressions. On disk they run in ripgrep, translated to Rust's
 * syntax: every pattern here must find exactly the lines JavaScript finds, through both engines of
 * the real FilesystemBackend; constructs Rust lacks are left to JavaScript. (The two differences
 * the README names are not here: a CR in the middle of a line, and an emoji counting as one
 * character rather than two UTF-16 units.)
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FilesystemBackend } from '../../src/core/backends/filesystem';
import { toRustRegex } from '../../src/core/backends/rustRegex';
import type { GrepOptions } from '../../src/core/backends/types';
import { ripgrepPath } from '../support/ripgrep';

const LINES = [
  'function load(a) {}',
  'foo(bar) and a.b',
  'tab\there',
  'x\u00a0y non-breaking',
  'café au lait',
  'ÉCOLE Straße',
  'emoji 😀 here',
  'price $5 [brackets] back\\slash path/to/file',
  'dash-case under_score showcase',
  '    indented',
  '',
  '123 456 7890',
  'a{2} aa',
  'x{ brace',
  'sep\u2028arator',
  'ends with e',
  'kelvin \u212a sign',
  '\u0661\u0662 arabic digits',
];

const TRANSLATED: [pattern: string, options?: GrepOptions][] = [
  ['foo\\('],
  ['\\w+\\s\\w+'],
  ['^\\s+\\w'],
  ['\\bcase\\b'],
  ['\\Bcase'],
  ['\\d{3}'],
  ['\\d'],
  ['[^a-z ]'],
  ['[\\w-]+-[\\w]+'],
  ['[^\\W\\d]{5,}'],
  ['é'],
  ['caf.'],
  ['\\$\\d'],
  ['\\[\\w+\\]'],
  ['\\\\'],
  ['\\/to\\/'],
  ['a{2}'],
  ['a\\{2\\}'],
  ['x{'],
  ['😀'],
  ['.'],
  ['^$'],
  ['\\u00e9'],
  ['\\x41|\\x61'],
  ['sep.arator'],
  ['sep[^]arator'],
  ['[]'],
  ['(?:ab|cd)+'],
  ['tab\\there'],
  ['a|'],
  ['.*e$'],
  ['\\s\\S+\\s'],
  ['(?<name>a)b'],
  ['lo+?a'],
  ['^(a|b)*$'],
  ['\\n'],
  ['[\\n]'],
  ['ÉCOLE', { ignoreCase: true }],
  ['école', { ignoreCase: true }],
  ['FOO\\(BAR\\)', { ignoreCase: true }],
  ['straSSe', { ignoreCase: true }],
  ['a.b', { literal: true }],
  ['(bar)', { literal: true }],
  ['\\', { literal: true }],
  ['😀 h', { literal: true }],
];

const LEFT_TO_JAVASCRIPT = ['foo(?=\\()', '(?<=\\$)\\d', '(a)\\1', '(?!a)b', '[😀]'];

let root = '';
let withRipgrep: FilesystemBackend;
let javascriptOnly: FilesystemBackend;

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'daw-dialect-'));
  await writeFile(join(root, 'corpus.txt'), `${LINES.join('\n')}\n`);
  await writeFile(join(root, 'crlf.txt'), 'one e\r\ntwo\r\n');
  withRipgrep = new FilesystemBackend({ root, search: { ripgrep: ripgrepPath() } });
  javascriptOnly = new FilesystemBackend({ root, search: { ripgrep: false } });
});

after(() => rm(root, { recursive: true, force: true }));

describe('JavaScript patterns in ripgrep', () => {
  for (const [pattern, options = {}] of TRANSLATED) {
    it(`${JSON.stringify(pattern)}${Object.keys(options).length ? ` ${JSON.stringify(options)}` : ''} finds the same lines`, async () => {
      assert.notEqual(toRustRegex(pattern, options), undefined, 'translated, so ripgrep runs it');
      assert.deepEqual(await withRipgrep.grep(pattern, options), await javascriptOnly.grep(pattern, options));
    });
  }

  for (const pattern of LEFT_TO_JAVASCRIPT) {
    it(`${JSON.stringify(pattern)} is left to JavaScript and still found`, async () => {
      assert.equal(toRustRegex(pattern), undefined);
      const found = await withRipgrep.grep(pattern);
      assert.deepEqual(found, await javascriptOnly.grep(pattern));
      assert.ok(found.length > 0, 'the corpus has a line for it');
    });
  }

  it('finds lines for every translated pattern but those that can match nothing in this corpus', async () => {
    const found = await Promise.all(TRANSLATED.map(async ([pattern, options]) => [pattern, (await javascriptOnly.grep(pattern, options)).length] as const));
    const none = found.filter(([, count]) => count === 0).map(([pattern]) => pattern);
    // '.' never matches U+2028, a line never holds '\n', and 'ß' does not fold to 'SS'.
    assert.deepEqual(none, ['sep.arator', '[]', '\\n', '[\\n]', 'straSSe']);
  });
});
