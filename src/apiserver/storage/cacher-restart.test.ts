// The watch cache after a restart, over SQLite and PostgreSQL: clusters load cold from their rows' JSON (unparsed)
// and must serve exactly what was stored (get, list, watch from a past rv, writes, shared-set own rows and
// tombstones), keep that through a deflating sweep, and through a re-list with shared sets active.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createCacher, type Cacher } from './cacher.ts';
import { eventually, record, rejectsWith } from './conformance-helpers.ts';
import { StorageError, type KObject, type Storage, type Stored, type WatchErrorListener } from './interface.ts';
import { openSqliteStorage } from './sqlite.ts';
import { openPostgresStorage } from './postgres.ts';
import { createTestDatabase, type TestDatabase } from './postgres-test-support.ts';
import { deepFreeze } from './cache-index.ts';
import { sharedSetMarker, sharedSetMarkerKey, type SharedSet } from './shared-sets.ts';

const role = (name: string, verbs: string[]): KObject => deepFreeze({
  apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name },
  rules: [{ apiGroups: [''], resources: ['pods'], verbs }],
});
const SET: SharedSet = {
  name: 'test',
  objects: new Map(['view', 'edit', 'reader'].map((n) => [`rbac.authorization.k8s.io/clusterroles/${n}`, role(n, ['get'])])),
};
const crKey = (c: string, n: string) => `/${c}/rbac.authorization.k8s.io/clusterroles/${n}`;
const cmKey = (c: string, n: string) => `/${c}/core/configmaps/default/${n}`;
const cm = (name: string, v: string): KObject =>
  ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' }, data: { v } });
/** Clusters of 10 configmaps (held cold after a restart), and one too small to be (held warm). */
const COLD = ['a', 'b', 'c'];

/** A backend that can be opened again on the same data (a restart), and a watch the test can break. */
interface Backend { open(): Promise<Storage>; cleanup(): Promise<void> }

async function sqlite(): Promise<Backend> {
  const dir = await mkdtemp(join(tmpdir(), 'portcullis-restart-'));
  return {
    open: async () => openSqliteStorage({ path: join(dir, 'state.db') }),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

let pgDb: Promise<TestDatabase> | undefined;
let schemas = 0;
async function postgres(): Promise<Backend> {
  const db = await (pgDb ??= createTestDatabase());
  const schema = `restart${++schemas}`;
  return { open: () => openPostgresStorage({ connectionString: db.url(), schema }), cleanup: async () => undefined };
}
after(async () => { if (pgDb) await (await pgDb).drop(); });

/** Writes the fixture through a cacher sharing SET; returns what each cluster's view held before the restart. */
async function fill(backend: Backend): Promise<Map<string, Stored[]>> {
  const cache = await createCacher(await backend.open());
  cache.share(SET);
  try {
    for (const c of COLD) for (let i = 0; i < 10; i++) await cache.create(cmKey(c, `cm${i}`), cm(`cm${i}`, `${c}${i}`));
    await cache.create(cmKey('small', 'one'), cm('one', 'small'));
    // backends order keys by UTF-8 bytes, JavaScript by UTF-16 units: these two compare differently
    for (const n of ['x\uFFFD', 'x\u{1F600}']) await cache.create(cmKey('b', n), cm(n, 'astral'));
    await cache.create(sharedSetMarkerKey('a', 'test'), sharedSetMarker('test'));
    const edit = (await cache.get(crKey('a', 'edit')))!;
    await cache.update(edit.key, { ...edit.object, rules: [] }, edit.rv); // an own row
    await cache.delete(crKey('a', 'view')); // a tombstone
    const views = new Map<string, Stored[]>();
    for (const c of [...COLD, 'small']) views.set(c, (await cache.list(`/${c}/`)).items);
    return views;
  } finally {
    await cache.close();
  }
}

/** The cacher a restart opens (as the server does: shared sets after load). */
async function restart(backend: Backend, storage?: Storage): Promise<Cacher> {
  const cache = await createCacher(storage ?? await backend.open());
  cache.share(SET);
  return cache;
}

const keysAndRVs = (items: Stored[]) => items.map((s) => [s.key, s.rv]);

function restartTests(name: string, newBackend: () => Promise<Backend>): void {
  describe(`watch cache restart over ${name}`, () => {
    it('loads clusters cold, notes shared own rows without parsing them, and serves what was stored', async () => {
      const backend = await newBackend();
      try {
        const before = await fill(backend);
        const cache = await restart(backend);
        try {
          assert.equal(cache.coldClusters(), COLD.length, 'a, b and c load cold; small stays warm');
          assert.deepEqual(cache.sharedOwnRows('test'), [crKey('a', 'edit'), crKey('a', 'view')]);
          assert.equal(cache.coldClusters(), COLD.length, 'sharing a set restores no cluster');
          for (const c of [...COLD, 'small']) assert.deepEqual((await cache.list(`/${c}/`)).items, before.get(c), c);
          assert.equal(cache.coldClusters(), 0);
          assert.equal(await cache.get(crKey('a', 'view')), undefined, 'tombstoned');
          assert.deepEqual((await cache.get(crKey('a', 'edit')))?.object.rules, [], 'own row');
          const reader = before.get('a')!.find((s) => s.key === crKey('a', 'reader'))!;
          assert.deepEqual(await cache.get(reader.key), reader, 'shared object, same uid and rv');
        } finally {
          await cache.close();
        }
      } finally {
        await backend.cleanup();
      }
    });

    it('serves get, watch from a past rv and writes in a cluster still cold', async () => {
      const backend = await newBackend();
      try {
        const before = await fill(backend);
        const cache = await restart(backend);
        try {
          const got = await cache.get(cmKey('b', 'cm3'));
          assert.deepEqual(got, before.get('b')!.find((s) => s.key === cmKey('b', 'cm3')));
          assert.equal(got!.object.metadata.resourceVersion, String(got!.rv));
          const from = cache.currentRV();
          const early = record(cache, '/c/', from); // c is cold
          assert.equal(cache.coldClusters(), 2, 'a and c still cold');
          await rejectsWith(cache.create(cmKey('c', 'cm0'), cm('cm0', 'again')), 'Exists');
          const old = before.get('c')!.find((s) => s.key === cmKey('c', 'cm1'))!;
          await rejectsWith(cache.update(old.key, cm('cm1', 'x'), old.rv - 1), 'Conflict');
          const updated = await cache.update(old.key, cm('cm1', 'new'), old.rv);
          const late = record(cache, '/c/', from); // from a past rv: the write is replayed
          await early.until(old.key, updated.rv);
          await late.until(old.key, updated.rv);
          for (const r of [early, late]) {
            assert.deepEqual(r.events.map((e) => [e.type, e.key, e.rv]), [['MODIFIED', old.key, updated.rv]]);
          }
          assert.deepEqual(late.events[0].object, updated.object);
          assert.deepEqual(keysAndRVs((await cache.list('/c/')).items),
            keysAndRVs(before.get('c')!.map((s) => (s.key === old.key ? updated : s))));
          early.watcher.stop();
          late.watcher.stop();
          const expired = (e: unknown) => e instanceof StorageError && e.code === 'Expired';
          assert.throws(() => cache.watch('/a/', from - 1, () => undefined), expired, 'from before the load');
        } finally {
          await cache.close();
        }
      } finally {
        await backend.cleanup();
      }
    });

    it('deflates clusters loaded cold on a sweep and restores them unchanged', async () => {
      const backend = await newBackend();
      try {
        const before = await fill(backend);
        const cache = await restart(backend);
        try {
          assert.deepEqual(cache.compactIdleClusters(), { compacted: COLD.length, cold: COLD.length });
          assert.deepEqual(cache.sharedOwnRows('test'), [crKey('a', 'edit'), crKey('a', 'view')]);
          for (const c of COLD) assert.deepEqual((await cache.list(`/${c}/`)).items, before.get(c), c);
          assert.equal(await cache.get(crKey('a', 'view')), undefined);
        } finally {
          await cache.close();
        }
      } finally {
        await backend.cleanup();
      }
    });

    it('after a re-list with the set shared, clusters reloaded cold keep their own rows and tombstones', async () => {
      const backend = await newBackend();
      try {
        const before = await fill(backend);
        const base = await backend.open();
        let fail: WatchErrorListener | undefined;
        const breakable: Storage = {
          ...bound(base),
          watch(prefix, fromRV, onEvent, onError) {
            fail = onError;
            return base.watch(prefix, fromRV, onEvent, onError);
          },
        };
        const cache = await restart(backend, breakable);
        try {
          await cache.list('/a/'); // warm: the re-list must take it back to cold
          fail!(new StorageError('Unavailable', '', 'connection lost'));
          const watchable = (): boolean => {
            try { cache.watch('/', cache.currentRV(), () => undefined).stop(); return true; } catch { return false; }
          };
          await eventually(watchable, 're-listed');
          assert.equal(cache.coldClusters(), COLD.length);
          assert.deepEqual(cache.sharedOwnRows('test'), [crKey('a', 'edit'), crKey('a', 'view')]);
          assert.equal(await cache.get(crKey('a', 'view')), undefined);
          assert.deepEqual((await cache.list('/a/')).items, before.get('a'));
        } finally {
          await cache.close();
        }
      } finally {
        await backend.cleanup();
      }
    });
  });
}

/** A backend's methods bound to it (a wrapper spreads them). */
function bound(s: Storage): Storage {
  return {
    get: (k) => s.get(k), list: (p, o) => s.list(p, o), listRaw: (p, f) => s.listRaw(p, f),
    create: (k, o) => s.create(k, o), update: (k, o, rv) => s.update(k, o, rv), delete: (k, rv) => s.delete(k, rv),
    batch: (ops) => s.batch(ops),
    watch: (p, rv, on, err) => s.watch(p, rv, on, err), close: () => s.close(),
  };
}

restartTests('sqlite', sqlite);
restartTests('postgres', postgres);
