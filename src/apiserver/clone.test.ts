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

test('a "__proto__" key (own, as JSON.parse makes it) stays an own data property: nothing is inherited', () => {
  const src = JSON.parse('{"data":{"__proto__":{"polluted":"yes"},"k":"v"},"__proto__":"str","spec":[{"__proto__":{"x":1}}]}') as
    { data: Record<string, unknown>; spec: Array<Record<string, unknown>> };
  const c = cloneObject(src);
  assert.equal(Object.getPrototypeOf(c.data), Object.prototype);
  assert.equal((c.data as { polluted?: unknown }).polluted, undefined, 'nothing inherited');
  assert.ok(Object.hasOwn(c.data, '__proto__'));
  assert.deepStrictEqual(Object.getOwnPropertyDescriptor(c.data, '__proto__')?.value, { polluted: 'yes' });
  assert.ok(Object.hasOwn(c, '__proto__') && Object.getOwnPropertyDescriptor(c, '__proto__')?.value === 'str');
  assert.ok(Object.hasOwn(c.spec[0]!, '__proto__') && Object.getPrototypeOf(c.spec[0]) === Object.prototype);
  assert.equal(JSON.stringify(c), JSON.stringify(src), 'serialised as the original');
  assert.equal(({} as { polluted?: unknown }).polluted, undefined, 'Object.prototype untouched');
});

test('JSON values only: -0 kept, holes (which JSON cannot make) read as undefined', () => {
  assert.ok(Object.is(cloneObject({ n: -0 }).n, -0));
  assert.deepStrictEqual(cloneObject([1, undefined]), [1, undefined]);
});
