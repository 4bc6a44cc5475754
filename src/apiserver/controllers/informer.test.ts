// Tests the informer's fan-out and its recovery: after a failed watch it re-lists and dispatches the difference;
// shared objects (one set served to many clusters) reach handlers live but are not tracked or replayed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openSqliteStorage } from '../storage/sqlite.ts';
import { StorageError, type Storage, type WatchErrorListener } from '../storage/interface.ts';
import { Informer, type InformerEvent } from './informer.ts';
import { createCacher } from '../storage/cacher.ts';
import { deepFreeze } from '../storage/cache-index.ts';
import { sharedSetMarker, sharedSetMarkerKey } from '../storage/shared-sets.ts';

test('dispatches by group/resource and recovers from a failed watch by re-listing', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'informer-'));
  const base = openSqliteStorage({ path: path.join(dir, 'db.sqlite') });
  let fail: WatchErrorListener | undefined;
  let paused = false;
  // A storage whose watch can be broken by the test, like a backend that lost its connection.
  const storage: Storage = {
    ...base,
    get: base.get.bind(base), list: base.list.bind(base), create: base.create.bind(base), update: base.update.bind(base),
    delete: base.delete.bind(base), close: base.close.bind(base),
    watch(prefix, fromRV, onEvent, onError) {
      fail = onError;
      return base.watch(prefix, fromRV, (ev) => { if (!paused) onEvent(ev); }, onError);
    },
  };
  const cm = (name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'ns' } });
  await storage.create('/c1/core/configmaps/ns/a', cm('a'));
  await storage.create('/c1/core/secrets/ns/s', cm('s'));
  const seen: string[] = [];
  const informer = new Informer();
  informer.on('', 'configmaps', (ev: InformerEvent) => seen.push(`${ev.type} ${ev.cluster}/${ev.name}`));
  await informer.start(storage, () => undefined);
  assert.deepEqual(seen, ['ADDED c1/a']);
  await storage.create('/c1/core/configmaps/ns/b', cm('b'));
  assert.deepEqual(seen.slice(1), ['ADDED c1/b']);

  // The watch misses changes, then fails: the re-list must report what happened meanwhile.
  paused = true;
  await storage.delete('/c1/core/configmaps/ns/a');
  await storage.update('/c1/core/configmaps/ns/b', { ...cm('b'), data: { x: '1' } });
  await storage.create('/c1/core/configmaps/ns/c', cm('c'));
  paused = false;
  fail!(new StorageError('Unavailable', '/', 'connection lost'));
  for (let i = 0; i < 50 && seen.length < 5; i++) await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(seen.slice(2).sort(), ['ADDED c1/c', 'DELETED c1/a', 'MODIFIED c1/b']);
  await storage.create('/c1/core/configmaps/ns/d', cm('d'));
  assert.equal(seen.at(-1), 'ADDED c1/d');
  informer.stop();
  await base.close();
  rmSync(dir, { recursive: true, force: true });
});

test('hands platform kinds (*.portcullis.io) to their handlers only from root; the store files are 0600', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'informer-'));
  const previous = process.umask(0o022);
  const file = path.join(dir, 'db.sqlite');
  const storage = openSqliteStorage({ path: file });
  const lc = (name: string) => ({ apiVersion: 'tenancy.portcullis.io/v1alpha1', kind: 'LogicalCluster', metadata: { name } });
  await storage.create('/root/tenancy.portcullis.io/logicalclusters/a', lc('a'));
  // a tenant's custom resource of that group, stored before such CRDs were refused
  await storage.create('/tenant/tenancy.portcullis.io/logicalclusters/root', lc('root'));
  const seen: string[] = [];
  const any: string[] = [];
  const informer = new Informer();
  informer.on('tenancy.portcullis.io', 'logicalclusters', (ev) => seen.push(`${ev.type} ${ev.cluster}/${ev.name}`));
  informer.onAny((ev) => any.push(`${ev.cluster}/${ev.name}`));
  await informer.start(storage, () => undefined);
  await storage.delete('/tenant/tenancy.portcullis.io/logicalclusters/root');
  await storage.create('/root/tenancy.portcullis.io/logicalclusters/b', lc('b'));
  assert.deepEqual(seen, ['ADDED root/a', 'ADDED root/b']);
  assert.deepEqual(any, ['root/a', 'tenant/root', 'tenant/root', 'root/b'], 'cluster-agnostic handlers still see everything');
  for (const f of [file, `${file}-wal`, `${file}-shm`]) assert.equal(statSync(f).mode & 0o777, 0o600, f);
  process.umask(previous);
  informer.stop();
  await storage.close();
  rmSync(dir, { recursive: true, force: true });
});

test('shared objects reach handlers live but are not tracked: no replay at start or re-list; resync handlers run', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'informer-'));
  const cache = await createCacher(openSqliteStorage({ path: path.join(dir, 'db.sqlite') }));
  const role = (name: string) => deepFreeze({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name }, rules: [] });
  cache.share({ name: 's', objects: new Map([['rbac.authorization.k8s.io/clusterroles/view', role('view')]]) });
  let fail: WatchErrorListener | undefined;
  const storage: Storage = {
    get: (k) => cache.get(k), list: (p, o) => cache.list(p, o), listRaw: (p, f) => cache.listRaw(p, f), create: (k, o) => cache.create(k, o), update: (k, o, rv) => cache.update(k, o, rv),
    delete: (k, rv) => cache.delete(k, rv), batch: (ops) => cache.batch(ops), close: () => cache.close(),
    watch(prefix, fromRV, onEvent, onError) { fail = onError; return cache.watch(prefix, fromRV, onEvent, onError); },
  };
  await storage.create(sharedSetMarkerKey('a', 's'), sharedSetMarker('s'));
  const seen: string[] = [];
  let resyncs = 0;
  const informer = new Informer();
  informer.on('rbac.authorization.k8s.io', 'clusterroles', (ev) => seen.push(`${ev.type} ${ev.cluster}/${ev.name}${ev.shared ? ' shared' : ''}`));
  informer.onResync(() => resyncs++);
  await informer.start(storage, () => undefined);
  assert.deepEqual(seen, [], 'shared objects are derived from their set, not replayed as rows');
  await storage.create(sharedSetMarkerKey('b', 's'), sharedSetMarker('s'));
  assert.deepEqual(seen, ['ADDED b/view shared']);
  const view = (await storage.get('/b/rbac.authorization.k8s.io/clusterroles/view'))!;
  await storage.update(view.key, { ...view.object, rules: [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }] });
  assert.equal(seen.at(-1), 'ADDED b/view', "the cluster's own row now: new to the informer");
  await storage.delete('/a/rbac.authorization.k8s.io/clusterroles/view');
  assert.equal(seen.at(-1), 'DELETED a/view shared');
  const before = seen.length;
  fail!(new StorageError('Unavailable', '/', 'connection lost'));
  for (let i = 0; i < 50 && resyncs === 0; i++) await new Promise((r) => setTimeout(r, 20));
  assert.equal(resyncs, 1);
  assert.deepEqual(seen.slice(before), [], 'a re-list replays neither shared objects nor unchanged rows');
  informer.stop();
  await cache.close();
  rmSync(dir, { recursive: true, force: true });
});
