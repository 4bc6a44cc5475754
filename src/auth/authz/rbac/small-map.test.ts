// SmallMap: the same answers as a Map through inserts, overwrites and deletes, below and past its array limit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { SmallMap } from './small-map.ts';

test('SmallMap behaves as a Map (values in insertion order)', () => {
  const op = fc.record({ del: fc.boolean(), key: fc.constantFrom(...Array.from({ length: 14 }, (_, i) => `k${i}`), '', 'k\u0000'), value: fc.nat() });
  fc.assert(fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
    const small = new SmallMap<number>();
    const ref = new Map<string, number>();
    for (const o of ops) {
      if (o.del) assert.equal(small.delete(o.key), ref.delete(o.key));
      else { small.set(o.key, o.value); ref.set(o.key, o.value); }
      assert.equal(small.size, ref.size);
      assert.equal(small.get(o.key), ref.get(o.key));
    }
    assert.deepEqual(small.values(), [...ref.values()]);
    for (const k of ref.keys()) assert.equal(small.get(k), ref.get(k));
  }), { numRuns: 500 });
});
