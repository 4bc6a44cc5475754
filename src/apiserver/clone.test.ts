// cloneObject copies as structuredClone does: a deep, unfrozen, independent copy of JSON-shaped values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cloneObject } from './clone.ts';

test('a deep copy equal to structuredClone\'s, sharing nothing with the original', () => {
  const src = Object.freeze({
    apiVersion: 'v1', kind: 'ConfigMap', metadata: Object.freeze({ name: 'x', labels: { a: 'b' }, finalizers: ['f'] }),
    data: { k: 'v' }, n: 0, t: true, nil: null, gone: undefined, nested: [[1, { deep: [2] }], []], empty: {},
  });
  const c = cloneObject(src);
  assert.deepStrictEqual(c, structuredClone(src));
  assert.ok('gone' in c, 'undefined values are kept');
  assert.ok(!Object.isFrozen(c) && !Object.isFrozen(c.metadata));
  c.metadata.labels.a = 'changed';
  c.nested[0]!.push(3);
  assert.equal(src.metadata.labels.a, 'b');
  assert.equal(src.nested[0]!.length, 2);
});

test('values that are not plain objects or arrays are copied by structuredClone', () => {
  const when = new Date(0);
  const c = cloneObject({ when, m: new Map([[1, 2]]) });
  assert.ok(c.when instanceof Date && c.when !== when && c.when.getTime() === 0);
  assert.ok(c.m instanceof Map && c.m.get(1) === 2);
  assert.deepStrictEqual(cloneObject(Object.assign(Object.create(null) as object, { a: [1] })), { a: [1] });
});
