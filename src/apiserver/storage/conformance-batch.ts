// Storage conformance for batches: one transaction, all or none, consecutive rvs, one event per op in op order.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { cmKey, configMap, eventually, rejectsWith, record, withStorage, type StorageFactory } from './conformance-helpers.ts';

export function batchConformance(make: StorageFactory): void {
  it('batch: applies creates, updates and deletes at consecutive rvs, with events in op order', () => withStorage(make, async (s, c) => {
    const a = await s.create(cmKey(c, 'a'), configMap('a', { v: '1' }));
    const b = await s.create(cmKey(c, 'b'), configMap('b'));
    const rec = record(s, `/${c}/`, b.rv);
    const out = await s.batch([
      { op: 'create', key: cmKey(c, 'x'), object: configMap('x', { v: 'x' }) },
      { op: 'update', key: a.key, object: configMap('a', { v: '2' }), expectRV: a.rv },
      { op: 'delete', key: b.key, expectRV: b.rv },
      { op: 'create', key: cmKey(c, 'y'), object: configMap('y') },
    ]);
    assert.deepEqual(out.map((o) => o.key), [cmKey(c, 'x'), a.key, b.key, cmKey(c, 'y')]);
    const rv0 = out[0].rv;
    assert.deepEqual(out.map((o) => o.rv), [rv0, rv0 + 1, rv0 + 2, rv0 + 3]);
    for (const o of out) assert.equal(o.object.metadata.resourceVersion, String(o.rv));
    assert.equal(out[2].object.metadata.name, 'b', 'a delete returns the last state');
    assert.deepEqual((await s.get(a.key))?.object.data, { v: '2' });
    assert.equal(await s.get(b.key), undefined);
    await eventually(() => rec.events.length === 4, 'four events');
    assert.deepEqual(rec.events.map((e) => [e.type, e.key, e.rv]), [
      ['ADDED', cmKey(c, 'x'), rv0], ['MODIFIED', a.key, rv0 + 1], ['DELETED', b.key, rv0 + 2], ['ADDED', cmKey(c, 'y'), rv0 + 3],
    ]);
    rec.watcher.stop();
    assert.deepEqual(await s.batch([]), []);
  }));

  it('batch: one failing op (Exists, Conflict, NotFound) writes nothing and names its key', () => withStorage(make, async (s, c) => {
    const a = await s.create(cmKey(c, 'a'), configMap('a', { v: '1' }));
    const before = (await s.list(`/${c}/`)).rv;
    const rec = record(s, `/${c}/`, before);
    const fresh = { op: 'create' as const, key: cmKey(c, 'fresh'), object: configMap('fresh') };
    for (const [bad, code] of [
      [{ op: 'create' as const, key: a.key, object: configMap('a') }, 'Exists'],
      [{ op: 'update' as const, key: a.key, object: configMap('a', { v: '9' }), expectRV: a.rv - 1 }, 'Conflict'],
      [{ op: 'delete' as const, key: cmKey(c, 'missing') }, 'NotFound'],
    ] as const) {
      await rejectsWith(s.batch([fresh, bad]), code);
      await s.batch([fresh, bad]).catch((e: { key?: string }) => assert.equal(e.key, bad.key));
    }
    assert.equal(await s.get(fresh.key), undefined);
    assert.deepEqual((await s.get(a.key))?.object.data, { v: '1' });
    const after = await s.create(cmKey(c, 'later'), configMap('later'));
    assert.equal(after.rv, before + 1, 'a failed batch uses no rvs');
    await eventually(() => rec.events.length === 1, 'only the later event');
    assert.equal(rec.events[0].key, after.key);
    rec.watcher.stop();
  }));
}
