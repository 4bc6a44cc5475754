// The storage conformance suite every Storage (SQLite, PostgreSQL, the watch cache) must pass:
// CRUD, rv sequencing, CAS, list/pagination and copies here; watch semantics in conformance-watch.ts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KObject, Stored } from './interface.ts';
import {
  assertIncreasing, assertStored, cmKey, configMap, rejectsWith, tryMutate, withStorage, type StorageFactory,
} from './conformance-helpers.ts';
import { watchConformance } from './conformance-watch.ts';
import { batchConformance } from './conformance-batch.ts';

export type { ConformanceOptions, StorageFactory } from './conformance-helpers.ts';

const data = (s: Stored | undefined): unknown => s?.object.data;

/**
 * Registers the suite under describe(name). `make` gets `{ eventRetention }` from the tests that need a tiny
 * event window and must honour it (a factory that ignores its argument fails the Expired test).
 */
export function runStorageConformance(name: string, make: StorageFactory): void {
  describe(`storage conformance: ${name}`, () => {
    crudConformance(make);
    listConformance(make);
    watchConformance(make);
    batchConformance(make);
  });
}

function crudConformance(make: StorageFactory): void {
  it('create, get, update and delete round-trip', () => withStorage(make, async (s, c) => {
    const key = cmKey(c, 'one');
    assert.equal(await s.get(key), undefined);
    const created = await s.create(key, configMap('one', { a: '1' }));
    assertStored(created, key);
    assert.deepEqual(data(created), { a: '1' });
    assert.equal(created.object.metadata.name, 'one');
    const got = await s.get(key);
    assertStored(got, key);
    assert.deepEqual(got, created);
    const updated = await s.update(key, { ...got.object, data: { a: '2' } });
    assertStored(updated, key);
    assert.ok(updated.rv > created.rv);
    assert.deepEqual(await s.get(key), updated);
    const deleted = await s.delete(key);
    assertStored(deleted, key);
    assert.equal(await s.get(key), undefined);
    const again = await s.create(key, configMap('one', { a: '3' }));
    assert.ok(again.rv > deleted.rv, 're-created key gets a new rv');
  }));

  it('sets metadata.resourceVersion to String(rv) and never mutates its inputs', () => withStorage(make, async (s, c) => {
    const key = cmKey(c, 'rv');
    const input = configMap('rv', { a: '1' });
    input.metadata.resourceVersion = '999999999';
    const before = structuredClone(input);
    const created = await s.create(key, input);
    assertStored(created, key);
    assert.deepEqual(input, before, 'create must not mutate its input');
    const upd = { ...structuredClone(created.object), data: { a: '2' } };
    const updBefore = structuredClone(upd);
    const updated = await s.update(key, upd, created.rv);
    assertStored(updated, key);
    assert.deepEqual(upd, updBefore, 'update must not mutate its input');
    assertStored(await s.get(key), key);
    for (const item of (await s.list(cmKey(c, ''))).items) assertStored(item);
    assertStored(await s.delete(key), key);
  }));

  it('create on an existing key fails with Exists and leaves the object alone', () => withStorage(make, async (s, c) => {
    const key = cmKey(c, 'dup');
    const first = await s.create(key, configMap('dup', { v: 'first' }));
    await rejectsWith(s.create(key, configMap('dup', { v: 'second' })), 'Exists');
    assert.deepEqual(await s.get(key), first);
  }));

  it('update and delete of a missing key fail with NotFound', () => withStorage(make, async (s, c) => {
    const key = cmKey(c, 'missing');
    await rejectsWith(s.update(key, configMap('missing')), 'NotFound');
    await rejectsWith(s.update(key, configMap('missing'), 1), 'NotFound');
    await rejectsWith(s.delete(key), 'NotFound');
    await rejectsWith(s.delete(key, 1), 'NotFound');
    assert.equal(await s.get(key), undefined);
    const gone = await s.create(key, configMap('missing'));
    await s.delete(key);
    await rejectsWith(s.delete(key, gone.rv), 'NotFound');
  }));

  it('update and delete with a stale expectRV fail with Conflict and change nothing', () => withStorage(make, async (s, c) => {
    const key = cmKey(c, 'cas');
    const v1 = await s.create(key, configMap('cas', { v: '1' }));
    const v2 = await s.update(key, configMap('cas', { v: '2' }), v1.rv);
    await rejectsWith(s.update(key, configMap('cas', { v: 'stale' }), v1.rv), 'Conflict');
    await rejectsWith(s.update(key, configMap('cas', { v: 'future' }), v2.rv + 1000), 'Conflict');
    await rejectsWith(s.delete(key, v1.rv), 'Conflict');
    assert.deepEqual(await s.get(key), v2);
    const listed = await s.list(cmKey(c, ''));
    assert.deepEqual(listed.items, [v2]);
    const v3 = await s.update(key, configMap('cas', { v: '3' }), v2.rv);
    assert.deepEqual(data(v3), { v: '3' });
    const del = await s.delete(key, v3.rv);
    assert.ok(del.rv > v3.rv);
  }));

  it('rvs form one strictly increasing sequence across keys, including deletes', () => withStorage(make, async (s, c) => {
    const rvs: number[] = [];
    const keys = ['a', 'b', 'c'].map((n) => cmKey(c, n));
    for (const k of keys) rvs.push((await s.create(k, configMap(k))).rv);
    rvs.push((await s.update(keys[0], configMap('a', { x: '1' }))).rv);
    rvs.push((await s.delete(keys[1])).rv);
    rvs.push((await s.create(cmKey(c, 'other', 'kube-system'), configMap('other', {}, 'kube-system'))).rv);
    rvs.push((await s.delete(keys[2])).rv);
    rvs.push((await s.update(keys[0], configMap('a', { x: '2' }))).rv);
    assertIncreasing(rvs, 'write rvs');
    assert.ok((await s.list(`/${c}/`)).rv >= rvs[rvs.length - 1]);
  }));

  it('delete returns the last state at the delete rv', () => withStorage(make, async (s, c) => {
    const key = cmKey(c, 'del');
    await s.create(key, configMap('del', { v: '1' }));
    const last = await s.update(key, configMap('del', { v: 'last' }));
    const del = await s.delete(key);
    assertStored(del, key);
    assert.ok(del.rv > last.rv);
    assert.deepEqual(data(del), { v: 'last' });
    assert.deepEqual({ ...del.object.metadata, resourceVersion: last.object.metadata.resourceVersion }, last.object.metadata);
  }));

  it('gives unique rvs to many concurrent creates', () => withStorage(make, async (s, c) => {
    const names = Array.from({ length: 200 }, (_, i) => `n${i}`);
    const created = await Promise.all(names.map((n) => s.create(cmKey(c, n), configMap(n, { n }))));
    assert.equal(new Set(created.map((x) => x.rv)).size, names.length);
    for (const x of created) assertStored(x);
    const listed = await s.list(cmKey(c, ''));
    assert.equal(listed.items.length, names.length);
    for (const x of listed.items) assert.equal(x.rv, created.find((y) => y.key === x.key)?.rv);
  }));

  it('keeps unicode and ~1 MiB objects intact', () => withStorage(make, async (s, c) => {
    const text = 'héllo wörld — 日本語 — 🚀👩‍👩‍👧 — \u202Ertl\u202C — "q" \\ \n\t — ' + '\u00e9\u0301';
    const big = ('0123456789abcdef€🚀\n"\\' + text).repeat(Math.ceil((1 << 20) / 90));
    assert.ok(Buffer.byteLength(big) >= 1 << 20);
    const key = cmKey(c, 'ünïcødé-名前');
    const obj: KObject = { ...configMap('ünïcødé-名前', { text, big }), metadata: { name: 'ünïcødé-名前', annotations: { '🔑': text } } };
    const created = await s.create(key, obj);
    const got = await s.get(key);
    assertStored(got, key);
    assert.equal((got.object.data as Record<string, string>).text, text);
    assert.equal((got.object.data as Record<string, string>).big, big);
    assert.equal(got.object.metadata.annotations?.['🔑'], text);
    assert.deepEqual(got, created);
    const listed = await s.list(cmKey(c, ''));
    assert.deepEqual(listed.items, [created]);
  }));

  it('returns copies: mutating results or inputs never changes what is stored', () => withStorage(make, async (s, c) => {
    const key = cmKey(c, 'copy');
    const input = configMap('copy', { v: 'orig' });
    const created = await s.create(key, input);
    const snapshot = structuredClone(created);
    (input.data as Record<string, string>).v = 'input-mutated';
    input.metadata.labels!.app = 'input-mutated';
    tryMutate(() => { (created.object.data as Record<string, string>).v = 'result-mutated'; });
    tryMutate(() => { created.object.metadata.labels!.app = 'result-mutated'; });
    tryMutate(() => { created.rv = 0; });
    assert.deepEqual(await s.get(key), snapshot);
    const got = (await s.get(key))!;
    tryMutate(() => { (got.object.data as Record<string, string>).v = 'get-mutated'; });
    tryMutate(() => { got.object.metadata.name = 'get-mutated'; });
    const listed = await s.list(cmKey(c, ''));
    tryMutate(() => { (listed.items[0].object.data as Record<string, string>).v = 'list-mutated'; });
    tryMutate(() => { listed.items.pop(); });
    assert.deepEqual(await s.get(key), snapshot);
    assert.deepEqual((await s.list(cmKey(c, ''))).items, [snapshot]);
  }));
}

function listConformance(make: StorageFactory): void {
  it('listRaw: the rows list returns, in key order, unparsed, at the same rv', () => withStorage(make, async (s, c) => {
    const keys = [cmKey(c, 'b'), cmKey(c, 'a'), cmKey(c, 'c', 'other'), `/${c}x/core/configmaps/default/z`];
    for (const k of keys) await s.create(k, configMap(k.slice(k.lastIndexOf('/') + 1), { k }));
    await s.update(keys[1], configMap('a', { v: '2' }));
    await s.delete(keys[0]);
    const listed = await s.list(`/${c}/`);
    const rows: Array<[string, number, string]> = [];
    const rv = await s.listRaw(`/${c}/`, (key, rowRV, json) => { rows.push([key, rowRV, json]); });
    assert.equal(rv, listed.rv);
    assert.deepEqual(rows.map(([key, rowRV]) => [key, rowRV]), listed.items.map((i) => [i.key, i.rv]));
    assert.deepEqual(rows.map(([key]) => key), [keys[1], keys[2]]);
    rows.forEach(([, rowRV, json], i) => {
      const object = JSON.parse(json) as KObject;
      // the JSON may lack metadata.resourceVersion (rv is authoritative); when present it is rv's
      if (object.metadata.resourceVersion !== undefined) assert.equal(object.metadata.resourceVersion, String(rowRV));
      object.metadata.resourceVersion = String(rowRV);
      assert.deepEqual(object, listed.items[i].object);
    });
    let none = 0;
    assert.equal(await s.listRaw(`/${c}/nothing/`, () => { none++; }), listed.rv);
    assert.equal(none, 0);
  }));

  it('lists by prefix in ascending key order without leaking sibling prefixes', () => withStorage(make, async (s, c) => {
    const base = `/${c}/x/`;
    const keys = [`${base}a/3`, `${base}ab/1`, `${base}a/1`, `${base}a`, `${base}a/2`, `${base}b/1`, `/${c}/y/a/1`];
    for (const k of keys) await s.create(k, configMap(k.slice(k.lastIndexOf('/') + 1)));
    const keysOf = async (prefix: string): Promise<string[]> => (await s.list(prefix)).items.map((i) => i.key);
    assert.deepEqual(await keysOf(`${base}a/`), [`${base}a/1`, `${base}a/2`, `${base}a/3`]);
    assert.deepEqual(await keysOf(`${base}ab/`), [`${base}ab/1`]);
    assert.deepEqual(await keysOf(`${base}a`), [`${base}a`, `${base}a/1`, `${base}a/2`, `${base}a/3`, `${base}ab/1`]);
    assert.deepEqual(await keysOf(base), [...keys.filter((k) => k.startsWith(base))].sort());
    assert.deepEqual(await keysOf(`/${c}/`), [...keys].sort());
    assert.deepEqual(await keysOf(`${base}c/`), []);
    assert.deepEqual(await keysOf(`/${c}x/`), []);
  }));

  it('list rv covers every item and every completed write', () => withStorage(make, async (s, c) => {
    const prefix = cmKey(c, '');
    const empty = await s.list(prefix);
    assert.deepEqual(empty.items, []);
    let last = 0;
    for (let i = 0; i < 5; i++) last = (await s.create(cmKey(c, `k${i}`), configMap(`k${i}`))).rv;
    const other = await s.create(cmKey(c, 'elsewhere', 'other-ns'), configMap('elsewhere', {}, 'other-ns'));
    const listed = await s.list(prefix);
    assert.ok(listed.rv >= empty.rv && listed.rv >= last && listed.rv >= other.rv);
    for (const item of listed.items) assert.ok(item.rv <= listed.rv);
    const del = await s.delete(cmKey(c, 'k0'));
    const after = await s.list(prefix);
    assert.ok(after.rv >= del.rv);
    assert.equal(after.items.length, 4);
  }));

  it('pages with limit/after visit every object exactly once', () => withStorage(make, async (s, c) => {
    const prefix = cmKey(c, '');
    const names = Array.from({ length: 21 }, (_, i) => `p${String(i).padStart(2, '0')}`);
    for (const n of [...names].reverse()) await s.create(cmKey(c, n), configMap(n));
    await s.create(cmKey(c, 'zz', 'defaulty'), configMap('zz', {}, 'defaulty'));
    const all = names.map((n) => cmKey(c, n));
    assert.deepEqual((await s.list(prefix)).items.map((i) => i.key), all);
    assert.deepEqual((await s.list(prefix, { limit: 0 })).items.map((i) => i.key), all);
    for (const limit of [1, 5, 7, 21, 50]) {
      const seen: string[] = [];
      let after: string | undefined;
      for (let pages = 0; ; pages++) {
        assert.ok(pages <= all.length, 'pagination must terminate');
        const page = await s.list(prefix, after === undefined ? { limit } : { limit, after });
        assert.ok(page.items.length <= limit);
        seen.push(...page.items.map((i) => i.key));
        if (page.next === undefined) break;
        assert.equal(page.next, page.items[page.items.length - 1].key);
        after = page.next;
      }
      assert.deepEqual(seen, all, `limit ${limit}`);
    }
    const tail = await s.list(prefix, { after: cmKey(c, 'p09x') });
    assert.deepEqual(tail.items.map((i) => i.key), all.slice(10));
    assert.equal(tail.next, undefined);
  }));
}
