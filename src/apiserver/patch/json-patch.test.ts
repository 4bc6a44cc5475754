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
