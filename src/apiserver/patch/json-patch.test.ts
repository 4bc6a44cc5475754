// Tests for RFC 6902 JSON patch on stored objects.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from '../errors.ts';
import type { KObject } from '../storage/interface.ts';
import { applyJsonPatch } from './json-patch.ts';

const cm = (): KObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', labels: { a: '1' } }, data: { x: '1', list: 'a' }, items: [1, 2] });

function statusOf(fn: () => unknown): StatusError {
  try { fn(); } catch (e) { if (e instanceof StatusError) return e; throw e; }
  assert.fail('expected a StatusError');
}

test('applies add, remove, replace, move, copy and a passing test', () => {
  const before = cm();
  const out = applyJsonPatch(before, [
    { op: 'test', path: '/metadata/labels/a', value: '1' },
    { op: 'add', path: '/metadata/labels/b', value: '2' },
    { op: 'replace', path: '/data/x', value: '9' },
    { op: 'remove', path: '/data/list' },
    { op: 'copy', from: '/data/x', path: '/data/y' },
    { op: 'move', from: '/metadata/labels/a', path: '/metadata/labels/c' },
    { op: 'add', path: '/items/-', value: 3 },
  ]);
  assert.deepEqual(out.metadata.labels, { b: '2', c: '1' });
  assert.deepEqual(out.data, { x: '9', y: '9' });
  assert.deepEqual(out.items, [1, 2, 3]);
  assert.deepEqual(before, cm(), 'input is not mutated');
});

test('a failing test operation is a 422 and nothing is applied', () => {
  const err = statusOf(() => applyJsonPatch(cm(), [
    { op: 'replace', path: '/data/x', value: '2' },
    { op: 'test', path: '/metadata/labels/a', value: 'nope' },
  ]));
  assert.equal(err.code, 422);
  assert.equal(err.reason, 'Invalid');
  assert.match(err.status.details!.causes![0].message, /testing value \/metadata\/labels\/a failed/);
});

test('an operation on a missing path is a 422', () => {
  const err = statusOf(() => applyJsonPatch(cm(), [{ op: 'replace', path: '/spec/missing', value: 1 }]));
  assert.equal(err.code, 422);
  assert.equal(statusOf(() => applyJsonPatch(cm(), [{ op: 'remove', path: '/data/none' }])).code, 422);
});

test('malformed operations are a 400', () => {
  for (const bad of [
    {},
    [{ op: 'frob', path: '/a' }],
    [{ op: 'add', path: '/a' }],
    [{ op: 'add', path: 'a', value: 1 }],
    [{ op: 'move', path: '/a' }],
    [null],
  ]) {
    assert.equal(statusOf(() => applyJsonPatch(cm(), bad)).code, 400, JSON.stringify(bad));
  }
});

test('too many operations is a 413; replacing the document by a scalar is refused', () => {
  const ops = Array.from({ length: 10001 }, () => ({ op: 'test', path: '/kind', value: 'ConfigMap' }));
  assert.equal(statusOf(() => applyJsonPatch(cm(), ops)).code, 413);
  assert.equal(statusOf(() => applyJsonPatch(cm(), [{ op: 'replace', path: '', value: 3 }])).code, 422);
});

test('work is bounded: copies count against 3 MiB, nothing is cloned per operation', () => {
  const big = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { blob: 'x'.repeat(300 * 1024) } };
  const copies = Array.from({ length: 200 }, (_, i) => ({ op: 'copy', from: '/data/blob', path: `/data/c${i}` }));
  const err = statusOf(() => applyJsonPatch(big, copies));
  assert.equal(err.code, 422);
  assert.match(err.status.details!.causes![0].message, /accumulated size increase of copy is \d+, exceeding the limit 3145728/);
  // Many cheap operations on a big document: each touches only its path.
  const adds = Array.from({ length: 10000 }, (_, i) => ({ op: 'add', path: `/metadata/labels/l${i}`, value: 'v' }));
  const out = applyJsonPatch({ ...big, metadata: { name: 'c', labels: {} } }, adds);
  assert.equal(Object.keys(out.metadata.labels!).length, 10000);
  assert.equal((out.data as { blob: string }).blob, big.data.blob);
});

test('list inserts and removals are bounded; the input and the patch are never changed', () => {
  const list = { apiVersion: 'v1', kind: 'X', metadata: { name: 'c' }, items: Array.from({ length: 100000 }, (_, i) => i) };
  const inserts = Array.from({ length: 10000 }, () => ({ op: 'add', path: '/items/0', value: 0 }));
  assert.equal(statusOf(() => applyJsonPatch(list, inserts)).code, 422);
  assert.equal(list.items.length, 100000);
  const value = { a: { b: 1 } };
  const ops = [{ op: 'add', path: '/spec', value }, { op: 'add', path: '/spec/a/c', value: 2 },
    { op: 'copy', from: '/spec', path: '/copy' }, { op: 'replace', path: '/copy/a/b', value: 3 }];
  const before = cm();
  const out = applyJsonPatch(before, ops);
  assert.deepEqual(out.spec, { a: { b: 1, c: 2 } });
  assert.deepEqual(out.copy, { a: { b: 3, c: 2 } });
  assert.deepEqual(value, { a: { b: 1 } }, 'patch values are not changed (a retried patch applies the same)');
  assert.deepEqual(before, cm());
});

test('moves into their own child, leading-zero indices and __proto__ keys are handled', () => {
  assert.equal(statusOf(() => applyJsonPatch(cm(), [{ op: 'move', from: '/data', path: '/data/x/y' }])).code, 422);
  assert.equal(statusOf(() => applyJsonPatch(cm(), [{ op: 'replace', path: '/items/01', value: 1 }])).code, 422);
  assert.equal(statusOf(() => applyJsonPatch(cm(), [{ op: 'remove', path: '/items/-' }])).code, 422);
  const out = applyJsonPatch(cm(), [{ op: 'add', path: '/data/__proto__', value: { polluted: true } }]);
  assert.equal(Object.getPrototypeOf(out.data), Object.prototype);
  assert.deepEqual(JSON.parse(JSON.stringify(out.data)).__proto__, { polluted: true });
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.deepEqual(applyJsonPatch(cm(), [{ op: 'move', from: '/items/0', path: '/items/-' }]).items, [2, 1]);
});
