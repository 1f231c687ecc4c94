import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileTools } from '../../src/core/tools/files';
import { toolSpec } from '../../src/core/tools/types';

test('tool specs are plain JSON schemas with descriptions and without ±2^53 integer bounds', () => {
  const read = toolSpec(fileTools().find((t) => t.name === 'read_file')!);
  const text = JSON.stringify(read.parameters);
  assert.ok(!text.includes(String(Number.MAX_SAFE_INTEGER)), text);
  assert.ok(!('$schema' in read.parameters));
  const props = read.parameters.properties as Record<string, { type?: string; minimum?: number; description?: string }>;
  assert.equal(props.offset?.type, 'integer');
  assert.equal(props.offset?.minimum, 0, 'real bounds stay');
  for (const [name, prop] of Object.entries(props)) assert.ok(prop.description, `${name} has a description`);
  assert.deepEqual(read.parameters.required, ['path']);
});
