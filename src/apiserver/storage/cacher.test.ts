// Tests of the watch cache: the conformance suite over SQLite (sync events) and over a backend whose events
// arrive late (as from PostgreSQL), plus read-your-writes, frozen results, re-list after a lost watch, many watchers.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createCacher, type Cacher, type CacherOptions } from './cacher.ts';
import { runStorageConformance, type StorageFactory } from './conformance.ts';
import { cmKey, configMap, eventually, isCode, record } from './conformance-helpers.ts';
import { StorageError, type Storage, type StorageEvent } from './interface.ts';
import { openSqliteStorage } from './sqlite.ts';
import { CacheIndex, deepFreeze } from './cache-index.ts';
import { sharedSetMarker, sharedSetMarkerKey } from './shared-sets.ts';

/** Wraps a backend so watch events arrive a few ms late (in order), and watches can be broken on demand. */
function lateEvents(backend: Storage): Storage & { breakWatches(): void } {
  const breakers = new Set<() => void>();
  return {
    get: (key) => backend.get(key),
    list: (prefix, opts) => backend.list(prefix, opts),
    listRaw: (prefix, onRow) => backend.listRaw(prefix, onRow),
    create: (key, obj) => backend.create(key, obj),
    update: (key, obj, rv) => backend.update(key, obj, rv),
    delete: (key, rv) => backend.delete(key, rv),
    batch: (ops) => backend.batch(ops),
    close: () => backend.close(),
    watch(prefix, fromRV, onEvent, onError) {
      const queue: StorageEvent[] = [];
      let live = true;
      const flush = (): void => { const e = queue.shift(); if (live && e) onEvent(e); };
      const inner = backend.watch(prefix, fromRV, (e) => { queue.push(e); setTimeout(flush, Math.random() * 4); }, onError);
      const stop = (): void => { live = false; inner.stop(); breakers.delete(fail); };
      const fail = (): void => { stop(); setImmediate(() => onError?.(new StorageError('Unavailable', '', 'injected failure'))); };
      breakers.add(fail);
      return { stop };
    },
    breakWatches: () => { for (const fail of [...breakers]) fail(); },
  };
}

async function sqliteIn(): Promise<{ backend: Storage; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'portcullis-cacher-'));
  return { backend: openSqliteStorage({ path: join(dir, 'state.db') }), remove: () => rm(dir, { recursive: true, force: true }) };
}

/** A cacher over a new SQLite store, closed (and the store removed) after `fn`. */
async function withCacher(opts: CacherOptions, fn: (cache: Cacher) => Promise<void>): Promise<void> {
  const { backend, remove } = await sqliteIn();
  const cache = await createCacher(backend, opts);
  try {
    await fn(cache);
  } finally {
    await cache.close();
    await remove();
  }
}

const makeCacher = (late: boolean, idleSweepMs?: number): StorageFactory => async (opts) => {
  const { backend, remove } = await sqliteIn();
  const storage = await createCacher(late ? lateEvents(backend) : backend, { eventRetention: opts?.eventRetention, idleSweepMs });
  return { storage, cleanup: async () => { await storage.close(); await remove(); } };
};

runStorageConformance('cacher over sqlite', makeCacher(false));
runStorageConformance('cacher over a backend with late events', makeCacher(true));
// clusters go cold (compressed) and are restored between and during the suite's operations
runStorageConformance('cacher over sqlite, idle clusters compacted every 2 ms', makeCacher(false, 2));

describe('cacher', () => {
  it('holds a cluster unused between two sweeps compressed and restores it, unchanged, on its next use', async () => {
    await withCacher({ idleSweepMs: 0 }, async (cache) => {
      cache.share({ name: 's', objects: new Map([['core/configmaps/default/shared', deepFreeze(configMap('shared', { s: '1' }))]]) });
      for (let i = 0; i < 10; i++) {
        await cache.create(cmKey('a', `k${i}`), configMap(`k${i}`, { v: String(i) }));
        await cache.create(cmKey('b', `k${i}`), configMap(`k${i}`));
      }
      await cache.create(cmKey('small', 'k'), configMap('k'));
      await cache.create(sharedSetMarkerKey('a', 's'), sharedSetMarker('s'));
      const before = await cache.list('/a/');
      const all = await cache.list('/');
      assert.deepEqual(cache.compactIdleClusters(), { compacted: 0, cold: 0 }); // all used since load
      await cache.get(cmKey('b', 'k0'));
      assert.deepEqual(cache.compactIdleClusters(), { compacted: 1, cold: 1 }); // a; b was used, small is small
      // a read restores it: the same objects, shared ones included, and every later read, write and watch works
      assert.deepEqual(await cache.list('/a/'), before);
      assert.deepEqual((await cache.get(cmKey('a', 'k3')))?.object.data, { v: '3' });
      assert.deepEqual(cache.compactIdleClusters(), { compacted: 1, cold: 1 }); // b, unused since the last sweep
      cache.compactIdleClusters();
      const seen: StorageEvent[] = [];
      const w = cache.watch('/a/', cache.currentRV(), (e) => seen.push(e));
      const k5 = (await cache.get(cmKey('a', 'k5')))!;
      const up = await cache.update(k5.key, configMap('k5', { v: 'x' }), k5.rv);
      assert.deepEqual(seen.map((e) => [e.type, e.key, e.rv]), [['MODIFIED', k5.key, up.rv]]);
      assert.ok(Object.isFrozen(up.object) && Object.isFrozen(up.object.data));
      cache.compactIdleClusters();
      assert.equal(cache.compactIdleClusters().cold, 2); // a and b cold
      await cache.delete(cmKey('b', 'k1')); // a write restores it too
      await assert.rejects(cache.create(cmKey('a', 'k2'), configMap('k2')), (e) => isCode(e, 'Exists'));
      const now = await cache.list('/');
      assert.deepEqual(now.items.map((s) => s.key), all.items.map((s) => s.key).filter((k) => k !== cmKey('b', 'k1')));
      assert.equal(cache.compactIdleClusters().cold, 0);
      w.stop();
    });
  });

  it("a new cluster's shared objects reach watchers as ADDED events that keep no copy of the object", async () => {
    await withCacher({ idleSweepMs: 0 }, async (cache) => {
      cache.share({ name: 's', objects: new Map([['core/configmaps/default/shared', deepFreeze(configMap('shared', { s: '1' }))]]) });
      const seen: StorageEvent[] = [];
      const w = cache.watch('/n/', cache.currentRV(), (e) => seen.push(e));
      const marker = await cache.create(sharedSetMarkerKey('n', 's'), sharedSetMarker('s'));
      await eventually(() => seen.length === 2, 'the marker and its shared object');
      w.stop();
      const ev = seen.find((e) => e.key === cmKey('n', 'shared'))!;
      assert.equal(ev.type, 'ADDED');
      assert.equal(ev.rv, marker.rv);
      assert.deepEqual(ev.object, (await cache.get(cmKey('n', 'shared')))!.object, 'the object the cluster sees');
      assert.notEqual(ev.object, ev.object, 'built on each read, not held by the event (nor by the event ring)');
      // an own enumerable field like any event's: copying the event (as the informer does) copies the object
      assert.deepEqual(Object.keys(ev), ['type', 'key', 'rv', 'shared', 'object']);
      assert.deepEqual({ ...ev }.object, ev.object);
      assert.ok(Object.isFrozen(ev));
      const replayed: StorageEvent[] = [];
      cache.watch('/n/', marker.rv - 1, (e) => replayed.push(e)).stop();
      assert.deepEqual(replayed.map((e) => [e.key, e.object]), seen.map((e) => [e.key, e.object]), 'replayed from the ring');
    });
  });

  it("a new cluster's shared objects are announced from what it saw when its marker came, under each watched prefix", async () => {
    await withCacher({ idleSweepMs: 0 }, async (cache) => {
      const secretKey = (c: string, name: string) => `/${c}/core/secrets/default/${name}`;
      cache.share({ name: 's', objects: new Map([
        ['core/configmaps/default/a', deepFreeze(configMap('a', { s: '1' }))],
        ['core/secrets/default/b', deepFreeze({ ...configMap('b'), kind: 'Secret' })],
      ]) });
      // an own row at a shared key made before the marker: the cluster's object, not a shared one
      await cache.create(cmKey('n', 'a'), configMap('a', { own: 'yes' }));
      const all: StorageEvent[] = [];
      const secrets: StorageEvent[] = [];
      const from = cache.currentRV();
      cache.watch('/n/', from, (e) => all.push(e));
      cache.watch('/n/core/secrets/', from, (e) => secrets.push(e));
      const marker = await cache.create(sharedSetMarkerKey('n', 's'), sharedSetMarker('s'));
      await eventually(() => all.length === 2, 'the marker and the one visible shared object');
      assert.deepEqual(all.map((e) => [e.type, e.key, e.shared]), [['ADDED', sharedSetMarkerKey('n', 's'), undefined], ['ADDED', secretKey('n', 'b'), true]]);
      assert.deepEqual(secrets.map((e) => e.key), [secretKey('n', 'b')]);
      // b edited: the cluster's own row now (copy-on-write); the marker's announcement of b is unchanged
      const b = (await cache.get(secretKey('n', 'b')))!;
      await cache.update(secretKey('n', 'b'), { ...b.object, data: { edited: 'yes' } }, b.rv);
      await eventually(() => all.length === 3, 'the edit');
      assert.deepEqual([all[2].type, all[2].key, all[2].shared], ['MODIFIED', secretKey('n', 'b'), undefined]);
      const replayed: StorageEvent[] = [];
      cache.watch('/n/', marker.rv - 1, (e) => replayed.push(e)).stop();
      assert.deepEqual(replayed.map((e) => [e.type, e.key, e.rv]), all.map((e) => [e.type, e.key, e.rv]), 'replayed as delivered');
      assert.deepEqual(replayed[1].object, all[1].object);
    });
  });

  it('an idle sweep done in steps skips a cluster used after the sweep began', () => {
    const index = new CacheIndex();
    for (const c of ['a', 'b']) for (let i = 0; i < 8; i++) index.put(deepFreeze({ key: cmKey(c, `k${i}`), rv: i + 1, object: configMap(`k${i}`) }));
    assert.deepEqual(index.idleClusters(), []); // both written since
    const idle = index.idleClusters();
    assert.deepEqual(idle, ['/a/', '/b/']);
    assert.equal(index.get(cmKey('a', 'k1'))?.rv, 2); // used meanwhile
    assert.deepEqual(idle.map((p) => index.compact(p)), [false, true]);
    assert.equal(index.coldClusters, 1);
    assert.deepEqual(index.list('/b/').items.map((s) => s.rv), [1, 2, 3, 4, 5, 6, 7, 8]);
    assert.equal(index.coldClusters, 0);
  });

  it('keeps events for its window (beyond a floor): an older resourceVersion is Expired, a recent one is served', async () => {
    let now = 0;
    await withCacher({ eventWindowMs: 75_000, eventFloor: 1, now: () => now }, async (cache) => {
      const key = cmKey('c', 'k');
      const first = await cache.create(key, configMap('k', { v: '1' }));
      now = 60_000;
      const second = await cache.update(key, configMap('k', { v: '2' }));
      const third = await cache.update(key, configMap('k', { v: '3' }));
      const old = record(cache, cmKey('c', ''), first.rv - 1);
      await old.until(key, third.rv);
      assert.deepEqual(old.events.map((e) => e.rv), [first.rv, second.rv, third.rv]);
      now = 136_000; // the first two are older than 75 s; the floor keeps the newest
      assert.throws(() => cache.watch(cmKey('c', ''), first.rv, () => undefined), (e) => isCode(e, 'Expired'));
      assert.throws(() => cache.watch(cmKey('c', ''), second.rv - 1, () => undefined), (e) => isCode(e, 'Expired'));
      const recent = record(cache, cmKey('c', ''), second.rv);
      await recent.until(key, third.rv);
      assert.deepEqual(recent.events.map((e) => e.rv), [third.rv]);
      // a watch from the current rv works whatever aged out, and a live watch misses nothing
      const fourth = await cache.update(key, configMap('k', { v: '4' }));
      await old.until(key, fourth.rv);
      assert.deepEqual(old.events.map((e) => e.rv), [first.rv, second.rv, third.rv, fourth.rv]);
      assert.deepEqual([...old.errors, ...recent.errors], []);
      old.watcher.stop(); recent.watcher.stop();
    });
  });

  it('reads its own writes even when backend events arrive late', async () => {
    const { backend, remove } = await sqliteIn();
    const cache = await createCacher(lateEvents(backend));
    try {
      for (let i = 0; i < 20; i++) {
        const key = cmKey('c', `k${i}`);
        const created = await cache.create(key, configMap(`k${i}`, { v: '1' }));
        assert.ok(cache.currentRV() >= created.rv);
        assert.deepEqual(await cache.get(key), created);
        const updated = await cache.update(key, configMap(`k${i}`, { v: '2' }), created.rv);
        assert.deepEqual((await cache.list(cmKey('c', ''))).items.find((s) => s.key === key), updated);
        if (i % 2) {
          await cache.delete(key, updated.rv);
          assert.equal(await cache.get(key), undefined);
        }
      }
      assert.equal((await cache.list(cmKey('c', ''))).items.length, 10);
    } finally {
      await cache.close();
      await remove();
    }
  });

  it('starts from what the backend already holds and returns deep-frozen shared objects', async () => {
    const { backend, remove } = await sqliteIn();
    const pre = await backend.create(cmKey('c', 'pre'), configMap('pre', { v: '1' }));
    const cache = await createCacher(backend);
    try {
      assert.equal(cache.currentRV(), pre.rv);
      const got = await cache.get(pre.key);
      assert.deepEqual(got, pre);
      assert.ok(Object.isFrozen(got) && Object.isFrozen(got!.object.metadata.labels) && Object.isFrozen(got!.object.data));
      assert.equal(await cache.get(pre.key), got, 'no clone per read');
      assert.throws(() => { (got!.object.data as Record<string, string>).v = 'x'; }, TypeError);
      const created = await cache.create(cmKey('c', 'new'), configMap('new'));
      assert.ok(Object.isFrozen(created.object));
    } finally {
      await cache.close();
      await remove();
    }
  });

  it('after losing the backend watch: fails its watchers, re-lists, and serves fresh data again', async () => {
    const { backend, remove } = await sqliteIn();
    const wrapped = lateEvents(backend);
    const cache = await createCacher(wrapped);
    try {
      const a = await cache.create(cmKey('c', 'a'), configMap('a'));
      const rec = record(cache, '/c/', a.rv);
      wrapped.breakWatches();
      await eventually(() => rec.errors.length === 1, 'cache watchers to be failed');
      assert.ok(isCode(rec.errors[0], 'Unavailable'));
      // Written behind the cache's back while it has no watch: the re-list must pick it up.
      const hidden = await backend.create(cmKey('c', 'hidden'), configMap('hidden'));
      const b = await cache.create(cmKey('c', 'b'), configMap('b'));
      assert.deepEqual(await cache.get(b.key), b);
      assert.deepEqual((await cache.get(hidden.key))?.object, hidden.object);
      assert.throws(() => cache.watch('/c/', a.rv - 1, () => {}), (e) => isCode(e, 'Expired'));
      const again = record(cache, '/c/', cache.currentRV());
      const c = await cache.update(a.key, configMap('a', { v: '2' }));
      await again.until(a.key, c.rv);
      assert.deepEqual(again.events.map((e) => e.rv), [c.rv]);
      assert.equal(rec.events.length, 0);
      again.watcher.stop();
    } finally {
      await cache.close();
      await remove();
    }
  });

  it('serves 1,000 watchers, each only its own prefix', async () => {
    await withCacher({}, async (cache) => {
      const from = cache.currentRV();
      const recs = Array.from({ length: 1000 }, (_, i) => record(cache, cmKey('c', '', `ns${i % 100}`), from));
      for (let n = 0; n < 100; n++) await cache.create(cmKey('c', 'obj', `ns${n}`), configMap('obj', {}, `ns${n}`));
      recs.forEach((r, i) => {
        assert.equal(r.events.length, 1);
        assert.equal(r.events[0].key, cmKey('c', 'obj', `ns${i % 100}`));
      });
      for (const r of recs) r.watcher.stop();
      await cache.close();
      recs.forEach((r) => assert.equal(r.errors.length, 0, 'stopped watchers are not failed on close'));
    });
  });
});
