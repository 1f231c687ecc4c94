/** How the Memory view groups and pages memories (memoryTree.ts), without VS Code. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Memory } from '../../src/core';
import { appendPage, groupChildren, groupFilter, memoryLabel, nodeId, scopeKinds, typeNodes, type ScopeGroup } from '../../src/vscode/memoryTree';

const memory = (id: string): Memory => ({ id, content: `memory ${id}`, embedding: [], memoryType: 'semantic', timestamp: 0, metadata: {}, importance: 0.5, scope: 'global', provenance: { source: 'user' } });

test('types with memories come in a fixed order, each with its non-empty scopes and their total', () => {
  const nodes = typeNodes([
    { memoryType: 'episodic', scope: 'workspace', count: 3 },
    { memoryType: 'episodic', scope: 'global', count: 0 },
    { memoryType: 'semantic', scope: 'workspace', count: 1 },
    { memoryType: 'semantic', scope: 'global', count: 4 },
    { memoryType: 'long_term', scope: 'workspace', count: 0 },
    { memoryType: 'long_term', scope: 'global', count: 0 },
  ]);
  assert.deepEqual(
    nodes.map((n) => [n.memoryType, n.count, n.scopes.map((s) => `${s.scope}:${s.count}`)]),
    [
      ['episodic', 3, ['workspace:3']],
      ['semantic', 5, ['workspace:1', 'global:4']],
    ],
  );
});

test('a group shows what is loaded and "Load more" until all its memories are', () => {
  const group: ScopeGroup = { kind: 'scope', memoryType: 'semantic', scope: 'global', count: 3 };
  const some = groupChildren(group, [memory('a'), memory('b')]);
  assert.deepEqual(some.map((n) => n.kind), ['memory', 'memory', 'more']);
  assert.deepEqual(some[2], { kind: 'more', group, shown: 2 });
  assert.deepEqual(groupChildren(group, [memory('a'), memory('b'), memory('c')]).map((n) => n.kind), ['memory', 'memory', 'memory']);
});

test('a next page keeps a memory once when the store shifted between pages', () => {
  const loaded = appendPage([memory('a'), memory('b')], [memory('b'), memory('c')]);
  assert.deepEqual(loaded.map((m) => m.id), ['a', 'b', 'c']);
});

test("a group's filter is its type and its scope; a window without a folder lists only global memories", () => {
  assert.deepEqual(groupFilter({ memoryType: 'episodic', scope: 'workspace' }, 'workspace:abc'), { memoryType: 'episodic', scope: 'workspace:abc' });
  assert.deepEqual(groupFilter({ memoryType: 'episodic', scope: 'global' }, 'workspace:abc'), { memoryType: 'episodic', scope: 'global' });
  assert.deepEqual(scopeKinds('workspace:abc'), ['workspace', 'global']);
  assert.deepEqual(scopeKinds('global'), ['global']);
});

test('node ids stay the same across refreshes and differ between groups', () => {
  const group: ScopeGroup = { kind: 'scope', memoryType: 'semantic', scope: 'global', count: 3 };
  const ids = [nodeId(group), nodeId({ ...group, scope: 'workspace' }), nodeId({ kind: 'type', memoryType: 'semantic', count: 3, scopes: [] }), nodeId({ kind: 'memory', memory: memory('a') }), nodeId({ kind: 'more', group, shown: 1 })];
  assert.equal(new Set(ids).size, ids.length);
  assert.equal(nodeId({ ...group, count: 9 }), nodeId(group));
});

test('a memory shows as its first line, cut to fit', () => {
  assert.equal(memoryLabel('  first line\nsecond'), 'first line');
  assert.equal(memoryLabel('x'.repeat(100), 10), `${'x'.repeat(10)}…`);
});
