// Shared sets through the watch cache over SQLite: one stored copy seen by every cluster holding the marker as its
// own objects (own uid, marker rv), copy-on-write edits, tombstoned deletes, re-creation, watch events, pagination,
// marker removal, and the same view after a reload.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createCacher, type Cacher } from './cacher.ts';
import { StorageError, type KObject, type Storage, type StorageEvent } from './interface.ts';
import { openSqliteStorage } from './sqlite.ts';
import { sharedSetMarker, sharedSetMarkerKey, type SharedSet } from './shared-sets.ts';
import { deepFreeze } from './cache-index.ts';

const role = (name: string, verbs: string[], namespace?: string): KObject => deepFreeze({
  apiVersion: 'rbac.authorization.k8s.io/v1', kind: namespace ? 'Role' : 'ClusterRole',
  metadata: { name, ...(namespace ? { namespace } : {}) }, rules: [{ apiGroups: [''], resources: ['pods'], verbs }],
});
const SET: SharedSet = {
  name: 'test',
  objects: new Map([
    ['rbac.authorization.k8s.io/clusterroles/view', role('view', ['get'])],
    ['rbac.authorization.k8s.io/clusterroles/edit', role('edit', ['get', 'create'])],
    ['rbac.authorization.k8s.io/roles/kube-system/reader', role('reader', ['list'], 'kube-system')],
  ]),
};
const crKey = (c: string, n: string) => `/${c}/rbac.authorization.k8s.io/clusterroles/${n}`;
const crPrefix = (c: string) => `/${c}/rbac.authorization.k8s.io/clusterroles/`;
const isCode = (code: string) => (e: unknown) => e instanceof StorageError && e.code === code;

async function open(file: string): Promise<Cacher> {
  const cache = await createCacher(openSqliteStorage({ path: file }));
  cache.share(SET);
  return cache;
}

describe('shared sets in the watch cache', () => {
  it('serves, edits, deletes and re-creates shared objects per cluster', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'portcullis-shared-'));
    try {
      const file = join(dir, 'state.db');
      let cache = await open(file);
      const events: StorageEvent[] = [];
      const w = cache.watch('/a/', cache.currentRV(), (e) => events.push(e));
      const ma = await cache.create(sharedSetMarkerKey('a', 'test'), sharedSetMarker('test'));
      await cache.create(sharedSetMarkerKey('b', 'test'), sharedSetMarker('test'));
      // The marker brings every shared object of the set to the cluster, at the marker's rv.
      assert.deepEqual(events.map((e) => [e.type, e.key, e.rv]), [
        ['ADDED', sharedSetMarkerKey('a', 'test'), ma.rv],
        ['ADDED', crKey('a', 'edit'), ma.rv], ['ADDED', crKey('a', 'view'), ma.rv],
        ['ADDED', '/a/rbac.authorization.k8s.io/roles/kube-system/reader', ma.rv],
      ]);
      // Served from the set, not rows: flagged so that cluster-wide consumers (the informer) keep no state of them.
      assert.deepEqual(events.map((e) => e.shared), [undefined, true, true, true]);
      const va = (await cache.get(crKey('a', 'view')))!;
      const vb = (await cache.get(crKey('b', 'view')))!;
      assert.equal(va.rv, ma.rv);
      assert.equal(va.object.metadata.resourceVersion, String(ma.rv));
      assert.match(va.object.metadata.uid!, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      // the derivation never changes (clients keep uids): SHA-256 of the marker's uid, NUL, the relative key
      const h = createHash('sha256').update(ma.object.metadata.uid!).update('\0').update('rbac.authorization.k8s.io/clusterroles/view').digest('hex');
      const variant = ((parseInt(h[16], 16) & 3) | 8).toString(16);
      assert.equal(va.object.metadata.uid, `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`);
      assert.notEqual(va.object.metadata.uid, vb.object.metadata.uid);
      assert.ok(Object.isFrozen(va.object));
      assert.equal(await cache.get(crKey('c', 'view')), undefined); // no marker, no shared objects
      // Lists merge shared objects with the cluster's own rows, in key order, page by page.
      await cache.create(crKey('a', 'custom'), role('custom', ['watch']));
      const names = (await cache.list(crPrefix('a'))).items.map((s) => s.object.metadata.name);
      assert.deepEqual(names, ['custom', 'edit', 'view']);
      assert.deepEqual((await cache.list(crPrefix('a'))).items.map((s) => s.shared), [undefined, true, true]);
      const p1 = await cache.list(crPrefix('a'), { limit: 2 });
      assert.deepEqual(p1.items.map((s) => s.object.metadata.name), ['custom', 'edit']);
      const p2 = await cache.list(crPrefix('a'), { limit: 2, after: p1.next });
      assert.deepEqual(p2.items.map((s) => s.object.metadata.name), ['view']);
      assert.equal(p2.next, undefined);

      // An edit is copy-on-write for that cluster only, with compare-and-swap on the shared rv.
      events.length = 0;
      await assert.rejects(cache.update(crKey('a', 'view'), { ...va.object, rules: [] }, va.rv - 1), isCode('Conflict'));
      const edited = await cache.update(crKey('a', 'view'), { ...va.object, rules: [] }, va.rv);
      assert.deepEqual(edited.object.rules, []);
      assert.equal(edited.object.metadata.uid, va.object.metadata.uid);
      assert.deepEqual((await cache.get(crKey('b', 'view')))!.object.rules, SET.objects.get('rbac.authorization.k8s.io/clusterroles/view')!.rules);
      assert.deepEqual(events.map((e) => [e.type, e.key]), [['MODIFIED', crKey('a', 'view')]]);
      assert.equal(events[0].shared, undefined); // now a row of the cluster's own
      assert.equal(edited.shared, undefined);

      // A delete (of a shared or an edited object) is a tombstone: gone here, untouched elsewhere.
      const del = await cache.delete(crKey('a', 'edit'));
      assert.equal(del.object.metadata.name, 'edit');
      await cache.delete(crKey('a', 'view'));
      assert.equal(await cache.get(crKey('a', 'edit')), undefined);
      await assert.rejects(cache.delete(crKey('a', 'edit')), isCode('NotFound'));
      await assert.rejects(cache.update(crKey('a', 'edit'), role('edit', [])), isCode('NotFound'));
      assert.deepEqual((await cache.list(crPrefix('a'))).items.map((s) => s.object.metadata.name), ['custom']);
      assert.ok(await cache.get(crKey('b', 'edit')));
      assert.deepEqual(events.slice(1).map((e) => [e.type, e.key]), [['DELETED', crKey('a', 'edit')], ['DELETED', crKey('a', 'view')]]);
      assert.deepEqual(events.slice(1).map((e) => e.shared), [true, undefined]); // the set's copy; the own row
      assert.deepEqual(cache.sharedOwnRows('test'), [crKey('a', 'edit'), crKey('a', 'view')]);

      // Re-creating: a new object of the cluster's own; creating over a visible shared one is refused.
      await assert.rejects(cache.create(crKey('b', 'edit'), role('edit', [])), isCode('Exists'));
      const again = await cache.create(crKey('a', 'edit'), { ...role('edit', ['delete']), metadata: { name: 'edit', uid: 'new-uid' } });
      assert.equal(again.object.metadata.uid, 'new-uid');
      assert.equal(events.at(-1)!.type, 'ADDED');

      // A batch translates shared objects too: a tombstone and a copy-on-write edit in one transaction.
      const vbEdit = (await cache.get(crKey('b', 'edit')))!;
      const out = await cache.batch([
        { op: 'delete', key: crKey('b', 'view'), expectRV: vb.rv },
        { op: 'update', key: crKey('b', 'edit'), object: { ...vbEdit.object, rules: [] }, expectRV: vbEdit.rv },
      ]);
      assert.equal(out[0].object.metadata.name, 'view');
      assert.equal(out[1].rv, out[0].rv + 1);
      assert.equal(await cache.get(crKey('b', 'view')), undefined);
      assert.deepEqual((await cache.get(crKey('b', 'edit')))!.object.rules, []);
      await assert.rejects(cache.batch([{ op: 'create', key: crKey('b', 'x'), object: role('x', []) },
        { op: 'create', key: crKey('b', 'edit'), object: role('edit', []) }]), isCode('Exists'));
      assert.equal(await cache.get(crKey('b', 'x')), undefined);

      // Survives a reload: same uids, same edits.
      w.stop();
      await cache.close();
      cache = await open(file);
      assert.equal((await cache.get(crKey('b', 'edit')))!.object.metadata.uid, vbEdit.object.metadata.uid);
      assert.equal(await cache.get(crKey('a', 'view')), undefined);
      assert.deepEqual((await cache.get(crKey('a', 'edit')))!.object.rules, role('edit', ['delete']).rules);

      // Removing the marker takes the cluster's shared objects (DELETED events) and its tombstones with it.
      events.length = 0;
      const w2 = cache.watch('/a/', cache.currentRV(), (e) => events.push(e));
      await cache.delete(sharedSetMarkerKey('a', 'test'));
      assert.deepEqual(events.map((e) => [e.type, e.key]), [
        ['DELETED', sharedSetMarkerKey('a', 'test')], ['DELETED', '/a/rbac.authorization.k8s.io/roles/kube-system/reader'],
      ]);
      assert.deepEqual(events.map((e) => e.shared), [undefined, true]);
      const left = (await (cache as Storage).list('/a/')).items.map((s) => s.key);
      assert.deepEqual(left, [crKey('a', 'custom'), crKey('a', 'edit')]);
      assert.deepEqual(cache.sharedOwnRows('test'), [crKey('b', 'edit'), crKey('b', 'view')]);
      w2.stop();
      await cache.close();
      const raw = openSqliteStorage({ path: file });
      assert.deepEqual((await raw.list('/a/')).items.map((s) => s.key), [crKey('a', 'custom'), crKey('a', 'edit')]);
      await raw.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
