/**
 * The core's public API can be imported by name from an ES module (as the README's example.mts
 * files do): every value `require` sees is also a named export Node finds for `import { … }`.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';

test('every runtime export of src/core is a named export for ES modules', (t) => {
  const index = resolve(__dirname, '..', '..', 'src', 'core', 'index.ts');
  const dir = mkdtempSync(join(tmpdir(), 'esm-import-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(
    join(dir, 'names.mts'),
    [
      `import * as esm from ${JSON.stringify(index)};`,
      "import { createRequire } from 'node:module';",
      `const cjs = createRequire(import.meta.url)(${JSON.stringify(index)});`,
      'console.log(JSON.stringify({ cjs: Object.keys(cjs), esm: Object.keys(esm) }));',
    ].join('\n'),
  );
  const names = JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', join(dir, 'names.mts')], { encoding: 'utf8' })) as { cjs: string[]; esm: string[] };
  assert.ok(names.cjs.includes('FilesystemBackend') && names.cjs.includes('createDeepAgent'), 'the core loaded');
  assert.deepEqual(names.cjs.filter((name) => !names.esm.includes(name)), [], 'exported at run time but not importable by name (an `export *` in src/core/index.ts?)');
});
