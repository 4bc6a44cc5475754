// Watch part of the storage conformance suite: ordering, exactly-once, prefix filtering, replay, stop and Expired.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { Stored, StorageEvent } from './interface.ts';
import {
  assertIncreasing, assertStored, brief, cmKey, configMap, eventually, isCode, record, tryMutate, withStorage,
  type StorageFactory,
} from './conformance-helpers.ts';

const asEvent = (type: StorageEvent['type'], s: Stored): [string, string, number] => [type, s.key, s.rv];

export function watchConformance(make: StorageFactory): void {
  it('delivers every later event under the prefix in commit order exactly once', () => withStorage(make, async (s, c) => {
    const prefix = `/${c}/x/a/`;
    const start = await s.create(`/${c}/x/seed`, configMap('seed'));
    const rec = record(s, prefix, start.rv);
    const wide = record(s, `/${c}/`, start.rv);
    const expected: Array<[string, string, number]> = [];
    const k1 = `${prefix}one`;
    const k2 = `${prefix}two`;
    expected.push(asEvent('ADDED', await s.create(k1, configMap('one', { v: '1' }))));
    await s.create(`/${c}/x/ab/one`, configMap('sibling'));
    await s.create(`/${c}/x/a`, configMap('bare'));
    expected.push(asEvent('ADDED', await s.create(k2, configMap('two'))));
    expected.push(asEvent('MODIFIED', await s.update(k1, configMap('one', { v: '2' }))));
    await s.update(`/${c}/x/ab/one`, configMap('sibling', { v: '2' }));
    const del = await s.delete(k1);
    expected.push(asEvent('DELETED', del));
    const last = await s.update(k2, configMap('two', { v: 'last' }));
    expected.push(asEvent('MODIFIED', last));
    await rec.until(k2, last.rv);
    await wide.until(k2, last.rv);
    assert.deepEqual(brief(rec.events), expected);
    for (const e of rec.events) assertStored(e, e.key);
    const deletedEvent = rec.events.find((e) => e.type === 'DELETED')!;
    assert.deepEqual(deletedEvent.object, del.object, 'DELETED carries the last state at the delete rv');
    assert.deepEqual((rec.events[rec.events.length - 1].object.data as Record<string, string>), { v: 'last' });
    assert.equal(wide.events.length, 8);
    assertIncreasing(wide.events.map((e) => e.rv), 'wide watch');
    assert.deepEqual(rec.errors, []);
    rec.watcher.stop();
    wide.watcher.stop();
  }));

  it('delivers concurrent writes exactly once in rv order', () => withStorage(make, async (s, c) => {
    const prefix = cmKey(c, '');
    const rec = record(s, prefix, (await s.list(prefix)).rv);
    const chains = await Promise.all(Array.from({ length: 20 }, async (_, i) => {
      const key = cmKey(c, `k${i}`);
      const cr = await s.create(key, configMap(`k${i}`));
      const up = await s.update(key, configMap(`k${i}`, { v: '2' }), cr.rv);
      const de = await s.delete(key, up.rv);
      return [asEvent('ADDED', cr), asEvent('MODIFIED', up), asEvent('DELETED', de)];
    }));
    const sentinel = await s.create(cmKey(c, 'sentinel'), configMap('sentinel'));
    await rec.until(sentinel.key, sentinel.rv);
    const expected = [...chains.flat(), asEvent('ADDED', sentinel)].sort((a, b) => a[2] - b[2]);
    assert.deepEqual(brief(rec.events), expected);
    rec.watcher.stop();
  }));

  it('list then watch from list.rv misses and repeats nothing while writes are in flight', () => withStorage(make, async (s, c) => {
    const prefix = cmKey(c, '');
    const keys = Array.from({ length: 8 }, (_, i) => cmKey(c, `w${i}`));
    const writes: Stored[] = [];
    writes.push(...await Promise.all(keys.map((k, i) => s.create(k, configMap(`w${i}`, { round: '0' })))));
    let listed: Awaited<ReturnType<typeof s.list>> | undefined;
    let rec: ReturnType<typeof record> | undefined;
    for (let round = 1; round <= 6; round++) {
      const inflight = Promise.all(keys.map((k, i) => (i + round) % 4 === 0 && round > 2
        ? s.delete(k).then((d) => s.create(k, configMap(`w${i}`, { round: String(round) })).then((cr) => [d, cr]))
        : s.update(k, configMap(`w${i}`, { round: String(round) })).then((u) => [u])));
      if (round === 3) {
        listed = await s.list(prefix);
        rec = record(s, prefix, listed.rv);
      }
      writes.push(...(await inflight).flat());
    }
    const sentinel = await s.create(cmKey(c, 'zz-sentinel'), configMap('zz'));
    await rec!.until(sentinel.key, sentinel.rv);
    const after = writes.filter((w) => w.rv > listed!.rv).map((w) => w.rv).concat(sentinel.rv).sort((a, b) => a - b);
    assert.deepEqual(rec!.events.map((e) => e.rv), after, 'watch = exactly the writes after the list rv');
    const state = new Map(listed!.items.map((i) => [i.key, i.rv]));
    for (const e of rec!.events) {
      if (e.type === 'DELETED') state.delete(e.key); else state.set(e.key, e.rv);
    }
    const final = await s.list(prefix);
    assert.deepEqual([...state].sort(), final.items.map((i) => [i.key, i.rv]));
    rec!.watcher.stop();
  }));

  it('replays from an rv in the past, then continues live', () => withStorage(make, async (s, c) => {
    const key = cmKey(c, 'replay');
    const w1 = await s.create(key, configMap('replay', { v: '1' }));
    const w2 = await s.update(key, configMap('replay', { v: '2' }));
    const w3 = await s.update(key, configMap('replay', { v: '3' }));
    const rec = record(s, cmKey(c, ''), w1.rv);
    await rec.until(key, w3.rv);
    const w4 = await s.delete(key);
    await rec.until(key, w4.rv);
    assert.deepEqual(brief(rec.events), [asEvent('MODIFIED', w2), asEvent('MODIFIED', w3), asEvent('DELETED', w4)]);
    assert.deepEqual(rec.events.map((e) => (e.object.data as Record<string, string>).v), ['2', '3', '3']);
    const all = record(s, cmKey(c, ''), w1.rv - 1);
    await all.until(key, w4.rv);
    assert.deepEqual(brief(all.events), [asEvent('ADDED', w1), ...brief(rec.events)]);
    rec.watcher.stop();
    all.watcher.stop();
  }));

  it('watch from the current rv delivers only future events', () => withStorage(make, async (s, c) => {
    const prefix = cmKey(c, '');
    for (let i = 0; i < 3; i++) await s.create(cmKey(c, `old${i}`), configMap(`old${i}`));
    const now = await s.list(prefix);
    const rec = record(s, prefix, now.rv);
    const fresh = await s.update(cmKey(c, 'old1'), configMap('old1', { v: 'new' }));
    await rec.until(fresh.key, fresh.rv);
    assert.deepEqual(brief(rec.events), [asEvent('MODIFIED', fresh)]);
    rec.watcher.stop();
  }));

  it('stop() ends delivery and watch events are copies', () => withStorage(make, async (s, c) => {
    const prefix = cmKey(c, '');
    const from = (await s.list(prefix)).rv;
    const a = record(s, prefix, from);
    const b = record(s, prefix, from);
    const first = await s.create(cmKey(c, 'first'), configMap('first', { v: '1' }));
    await a.until(first.key, first.rv);
    await b.until(first.key, first.rv);
    a.watcher.stop();
    tryMutate(() => { (a.events[0].object.data as Record<string, string>).v = 'mutated'; });
    tryMutate(() => { a.events[0].object.metadata.name = 'mutated'; });
    assert.deepEqual(b.events[0].object, first.object);
    assert.deepEqual((await s.get(first.key))?.object, first.object);
    await s.update(first.key, configMap('first', { v: '2' }));
    const last = await s.create(cmKey(c, 'second'), configMap('second'));
    await b.until(last.key, last.rv);
    assert.equal(b.events.length, 3);
    assert.deepEqual(brief(a.events), [asEvent('ADDED', first)]);
    a.watcher.stop();
    b.watcher.stop();
    assert.deepEqual([...a.errors, ...b.errors], []);
  }));

  it('fails with Expired when fromRV is older than the retained events', () => withStorage(make, async (s, c) => {
    const key = cmKey(c, 'churn');
    const first = await s.create(key, configMap('churn', { v: '0' }));
    const writes = [first];
    for (let i = 1; i <= 30; i++) writes.push(await s.update(key, configMap('churn', { v: String(i) })));
    // Backends that learn of their own commits asynchronously may need a moment to drop old events.
    await eventually(() => {
      try {
        s.watch(cmKey(c, ''), first.rv - 1, () => {}).stop();
        return false;
      } catch (err) {
        if (isCode(err, 'Expired')) return true;
        throw err;
      }
    }, 'a watch from a dropped rv to fail with Expired');
    const [from, ...tail] = writes.slice(-3);
    const recent = record(s, cmKey(c, ''), from.rv);
    await recent.until(key, tail[1].rv);
    assert.deepEqual(brief(recent.events), tail.map((w) => asEvent('MODIFIED', w)));
    recent.watcher.stop();
  }, { eventRetention: 4 }));
}
