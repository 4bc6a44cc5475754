// The event ring's retention: a count cap, and (as kube-apiserver's watch cache) an age window beyond a floor of
// newest events, so an idle store holds almost no events; a watch from a dropped rv is Expired, never short.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EventRing, WatchHub } from './watch-hub.ts';
import { StorageError, type StorageEvent } from './interface.ts';

const ev = (rv: number, key = `/c/core/configmaps/default/k${rv}`): StorageEvent =>
  ({ type: 'ADDED', key, rv, object: { metadata: { name: `k${rv}` } } });
const expired = (e: unknown) => e instanceof StorageError && e.code === 'Expired';

describe('event ring retention', () => {
  it('drops events older than the window beyond the floor; older watches are Expired', () => {
    let now = 0;
    const ring = new EventRing<StorageEvent>({ capacity: 1000, freshMs: 75_000, minKeep: 2, now: () => now }, 0);
    for (let rv = 1; rv <= 5; rv++) { ring.push(ev(rv)); now += 10_000; }
    // t = 50 s: all fresh
    assert.deepEqual(ring.since(0).map((e) => e.rv), [1, 2, 3, 4, 5]);
    now = 130_001; // events 1..4 (pushed at 0..30 s) are older than 75 s; the floor keeps the newest 2
    ring.prune();
    assert.equal(ring.length, 2);
    assert.equal(ring.floorRV, 3);
    assert.throws(() => ring.since(2), expired);
    assert.deepEqual(ring.since(3).map((e) => e.rv), [4, 5]);
    now = 1_000_000; // however old, the floor stays
    assert.deepEqual(ring.since(3).map((e) => e.rv), [4, 5]);
    ring.push(ev(6));
    ring.prune();
    assert.deepEqual(ring.since(4).map((e) => e.rv), [5, 6]);
    assert.throws(() => ring.since(3), expired);
  });

  it('still caps by count, and grows and shrinks its array with what it holds', () => {
    let now = 0;
    const ring = new EventRing<StorageEvent>({ capacity: 300, freshMs: 1_000, minKeep: 0, now: () => now }, 0);
    for (let rv = 1; rv <= 1000; rv++) ring.push(ev(rv));
    assert.equal(ring.length, 300);
    assert.equal(ring.floorRV, 700);
    assert.deepEqual(ring.since(998).map((e) => e.rv), [999, 1000]);
    now = 2_000;
    assert.throws(() => ring.since(999), expired); // everything aged out: only the newest rv can be watched from
    assert.equal(ring.length, 0);
    assert.deepEqual(ring.since(1000), []);
    ring.push(ev(1001));
    assert.deepEqual(ring.since(1000).map((e) => e.rv), [1001]);
  });

  it('keeps a group of events at one rv whole: a watch from inside a dropped group is Expired', () => {
    let now = 0;
    const ring = new EventRing<StorageEvent>({ capacity: 100, freshMs: 10, minKeep: 1, now: () => now }, 0);
    ring.push(ev(1)); ring.push(ev(2, '/c/a')); ring.push(ev(2, '/c/b'));
    now = 100;
    ring.prune(); // one of rv 2's events is dropped: rv 2 is no longer whole
    assert.equal(ring.floorRV, 2);
    assert.throws(() => ring.since(1), expired);
    assert.deepEqual(ring.since(2), []);
  });

  it('a hub replays retained events to a new watch and reports Expired for dropped ones', () => {
    let now = 0;
    const hub = new WatchHub<StorageEvent>({ capacity: 100, freshMs: 75_000, minKeep: 0, now: () => now }, 0, (e) => e);
    for (let rv = 1; rv <= 3; rv++) hub.publish(ev(rv));
    const seen: number[] = [];
    const w = hub.watch('/c/', 1, (e) => seen.push(e.rv));
    assert.deepEqual(seen, [2, 3]);
    now = 80_000;
    assert.equal(hub.retained(), 0);
    hub.publish(ev(4));
    assert.deepEqual(seen, [2, 3, 4]); // a live watch is not affected by retention
    assert.throws(() => hub.watch('/c/', 2, () => undefined), expired);
    w.stop();
    hub.close();
  });

  it('a group is one retained entry, delivered to each watcher as its events under the watched prefix', () => {
    const hub = new WatchHub<StorageEvent>({ capacity: 2, minKeep: 0 }, 0, (e) => e);
    const members = [ev(2, '/c/core/configmaps/default/a'), ev(2, '/c/core/secrets/default/b'), ev(2, '/c/core/secrets/default/c')];
    let built = 0;
    const group = () => { built++; return members; };
    const all: string[] = [];
    const secrets: string[] = [];
    const other: string[] = [];
    hub.watch('', 0, (e) => all.push(e.key));
    hub.watch('/c/core/secrets/', 0, (e) => secrets.push(e.key));
    hub.watch('/d/', 0, (e) => other.push(e.key));
    hub.publish(ev(1));
    hub.publishGroup('/c/', 2, group);
    hub.publish(ev(3));
    assert.deepEqual(all, [ev(1).key, ...members.map((m) => m.key), ev(3).key]);
    assert.deepEqual(secrets, ['/c/core/secrets/default/b', '/c/core/secrets/default/c']);
    assert.deepEqual(other, []);
    assert.equal(built, 1, 'built once for every live watcher');
    // capacity 2: the group and rv 3 are retained (a group counts as one entry), rv 1 is dropped
    assert.equal(hub.retained(), 2);
    assert.throws(() => hub.watch('', 0, () => undefined), expired);
    const replayed: string[] = [];
    hub.watch('/c/core/secrets/default/c', 1, (e) => replayed.push(e.key));
    assert.deepEqual(replayed, ['/c/core/secrets/default/c'], 'a replay rebuilds the group for its watcher');
    const after: number[] = [];
    hub.watch('/c/', 2, (e) => after.push(e.rv));
    assert.deepEqual(after, [3], 'a watch from the group rv does not see it');
  });

  it('a listener that fails inside a group gets no more of it and one error', () => {
    const hub = new WatchHub<StorageEvent>(10, 0, (e) => e);
    const got: string[] = [];
    const errors: StorageError[] = [];
    hub.watch('/c/', 0, (e) => { got.push(e.key); throw new Error('boom'); }, (e) => errors.push(e));
    hub.publishGroup('/c/', 1, () => [ev(1, '/c/a'), ev(1, '/c/b')]);
    hub.publish(ev(2, '/c/z'));
    assert.deepEqual(got, ['/c/a']);
    assert.equal(errors.length, 1);
    assert.equal(hub.watcherCount, 0);
  });
});
