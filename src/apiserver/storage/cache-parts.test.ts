// A large cold cluster held in parts (CacheIndex, PART_ROWS objects each): whatever parts a get, a list or a write
// restores, and whatever is written while others are still cold, the cache must serve exactly what a warm index
// holding the same rows serves; after a restart over SQLite, get, list and watch across collections too.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CacheIndex, PART_ROWS, parsedRow } from './cache-index.ts';
import { RowSorter } from './load-rows.ts';
import { createCacher } from './cacher.ts';
import { openSqliteStorage } from './sqlite.ts';
import { record } from './conformance-helpers.ts';
import type { KObject, Stored } from './interface.ts';
import { sharedSetMarker, sharedSetMarkerKey, type SharedSet } from './shared-sets.ts';

const obj = (kind: string, name: string, v: string): KObject =>
  ({ apiVersion: 'v1', kind, metadata: { name, namespace: 'default' }, data: { v } });
const cm = (i: number) => `/h/core/configmaps/default/cm${String(i).padStart(5, '0')}`;
const secret = (i: number) => `/h/core/secrets/default/s${String(i).padStart(5, '0')}`;
/** Cluster h: configmaps then secrets, the secrets starting inside the second part and spanning three. */
const CMS = PART_ROWS + 300;
const SECRETS = PART_ROWS + 500;
const TOTAL = CMS + SECRETS;

function rows(): Array<[string, number, string]> {
  const out: Array<[string, number, string]> = [];
  for (let i = 0; i < CMS; i++) out.push([cm(i), out.length + 1, JSON.stringify(obj('ConfigMap', `cm${i}`, `c${i}`))]);
  for (let i = 0; i < SECRETS; i++) {
    out.push([secret(i), out.length + 1, JSON.stringify(obj('Secret', `s${i}`, `s${i}`))]);
  }
  out.push(['/o/core/configmaps/default/x', out.length + 1, JSON.stringify(obj('ConfigMap', 'x', 'o'))]);
  return out.sort((a, b) => (a[0] < b[0] ? -1 : 1));
}

const creates = () => rows().map(([key, , json]) =>
  ({ op: 'create' as const, key, object: JSON.parse(json) as KObject }));

/** The index a restart loads (h cold, in parts), and a warm one holding the same rows. */
function indexes(): { cold: CacheIndex; warm: CacheIndex } {
  const sorter = new RowSorter();
  const warm = new CacheIndex();
  for (const [k, rv, json] of rows()) {
    sorter.row(k, rv, json);
    warm.put(parsedRow(k, rv, JSON.parse(json) as KObject));
  }
  const cold = new CacheIndex();
  const loaded = sorter.done();
  for (const s of loaded.warm) cold.put(s);
  for (const c of loaded.cold) cold.putRaw(c.prefix, c.parts);
  const h = loaded.cold.find((c) => c.prefix === '/h/');
  assert.deepEqual(h?.parts.map((p) => p.keys.length), [PART_ROWS, PART_ROWS, TOTAL - 2 * PART_ROWS]);
  return { cold, warm };
}

/** Both indexes list the same under `prefix`, page by page. */
function sameList(a: CacheIndex, b: CacheIndex, prefix: string, limit?: number): void {
  let after: string | undefined;
  do {
    const pa = a.list(prefix, { limit, after });
    assert.deepEqual(pa, b.list(prefix, { limit, after }), `${prefix} after ${after}`);
    after = pa.next;
  } while (after !== undefined);
}

/** Objects of h held warm (o's lone object is always warm). */
const hWarm = (index: CacheIndex) => index.size - 1;

describe('a large cold cluster held in parts', () => {
  it('restores only the parts a get or a collection list touches, and serves what a warm index serves', () => {
    const { cold, warm } = indexes();
    const keys: string[] = [];
    cold.forEachKey((k) => keys.push(k));
    assert.equal(keys.length, TOTAL + 1, 'every key once, h still cold');
    assert.equal(hWarm(cold), 0);
    assert.deepEqual(cold.get(secret(600)), warm.get(secret(600)));
    assert.equal(hWarm(cold), PART_ROWS, 'one part restored (the second)');
    assert.equal(cold.get('/h/core/secrets/default/none'), undefined);
    sameList(cold, warm, '/h/core/configmaps/', 250);
    assert.equal(hWarm(cold), 2 * PART_ROWS, 'the configmaps\' parts: the first two');
    sameList(cold, warm, '/h/core/secrets/');
    assert.equal(cold.coldClusters, 0);
    sameList(cold, warm, '/h/', 333);
    sameList(cold, warm, '');
  });

  it('applies writes made while the parts holding their keys are cold, and a restore does not undo them', () => {
    const { cold, warm } = indexes();
    cold.get(cm(0)); // the first part warm, the others cold (the writes restore the third)
    for (const index of [cold, warm]) {
      index.put(parsedRow(secret(SECRETS - 1), 9_001, obj('Secret', 'last', 'edited')));
      index.put(parsedRow(`${secret(900)}a`, 9_002, obj('Secret', 'new', 'inside a cold part')));
      index.put(parsedRow('/h/core/services/default/svc', 9_003, obj('Service', 'svc', 'after all')));
      index.remove(secret(1_000));
    }
    assert.ok(cold.coldClusters === 1 && hWarm(cold) < TOTAL, 'h partly cold');
    assert.deepEqual(cold.get(secret(SECRETS - 1))?.object.data, { v: 'edited' });
    sameList(cold, warm, '/h/core/secrets/', 400);
    sameList(cold, warm, '/h/', 1_000);
    sameList(cold, warm, '/h/core/services/');
  });

  it('compacts a partly restored cluster into parts, restored by key range again', () => {
    const { cold, warm } = indexes();
    cold.get(secret(0));
    for (const index of [cold, warm]) index.put(parsedRow(cm(5), 9_001, obj('ConfigMap', 'cm5', 'x')));
    cold.idleClusters();
    assert.deepEqual(cold.idleClusters(), ['/h/'], 'o is too small to be held cold');
    assert.equal(cold.compact('/h/'), true);
    assert.equal(cold.size, 1, 'o alone warm');
    assert.deepEqual(cold.get(secret(SECRETS - 2)), warm.get(secret(SECRETS - 2)));
    assert.ok(hWarm(cold) > 0 && hWarm(cold) <= PART_ROWS, `one part restored (${hWarm(cold)})`);
    sameList(cold, warm, '/h/core/configmaps/', 777);
    sameList(cold, warm, '', 2_000);
  });
});

describe('a large cluster after a restart over SQLite', () => {
  it('serves get, list and watch across collections and writes while partly cold', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'portcullis-parts-'));
    try {
      const path = join(dir, 'state.db');
      const first = await createCacher(await openSqliteStorage({ path }));
      await first.batch(creates());
      const before = (await first.list('/h/')).items;
      await first.close();
      const cache = await createCacher(await openSqliteStorage({ path }));
      try {
        assert.equal(cache.coldClusters(), 1, 'h (o is too small to be held cold)');
        const from = cache.currentRV();
        const secrets = record(cache, '/h/core/secrets/', from);
        const all = record(cache, '/h/', from);
        const got = (await cache.get(secret(1_200)))!;
        assert.deepEqual(got, before.find((s) => s.key === secret(1_200)));
        const last = before.find((s) => s.key === cm(CMS - 1))!; // in a part still cold
        const updated = await cache.update(last.key, { ...last.object, data: { v: 'edited' } }, last.rv);
        const created = await cache.create(`${secret(3)}b`, obj('Secret', 'b', 'new'));
        await secrets.until(created.key, created.rv);
        await all.until(created.key, created.rv);
        assert.deepEqual(secrets.events.map((e) => [e.type, e.key]), [['ADDED', created.key]]);
        assert.deepEqual(all.events.map((e) => [e.type, e.key, e.rv]),
          [['MODIFIED', last.key, updated.rv], ['ADDED', created.key, created.rv]]);
        const want = [...before.map((s) => (s.key === last.key ? updated : s)), created]
          .sort((a, b) => (a.key < b.key ? -1 : 1));
        const secretsWanted = want.filter((s) => s.key.startsWith('/h/core/secrets/'));
        assert.deepEqual((await cache.list('/h/core/secrets/')).items, secretsWanted);
        assert.deepEqual((await cache.list('/h/')).items, want);
        secrets.watcher.stop(); all.watcher.stop();
      } finally {
        await cache.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('pages a shared view of a cluster held in parts as the whole list (own rows, shared, tombstones)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'portcullis-parts-'));
    const role = (name: string): KObject =>
      ({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name }, rules: [] });
    const names = ['a', 'edit', 'm', 'view', 'zz'];
    const objects = new Map(names.map((n) => [`rbac.authorization.k8s.io/clusterroles/${n}`, role(n)]));
    const set: SharedSet = { name: 't', objects };
    const crKey = (n: string) => `/h/rbac.authorization.k8s.io/clusterroles/${n}`;
    try {
      const path = join(dir, 'state.db');
      const first = await createCacher(await openSqliteStorage({ path }));
      first.share(set);
      await first.batch(creates());
      await first.create(sharedSetMarkerKey('h', 't'), sharedSetMarker('t'));
      await first.create(crKey('own'), role('own'));
      const edit = (await first.get(crKey('edit')))!;
      await first.update(edit.key, { ...edit.object, rules: [{ verbs: ['get'] }] }, edit.rv); // an own row
      await first.delete(crKey('view')); // a tombstone
      const whole = (await first.list('/h/')).items;
      await first.close();
      const cache = await createCacher(await openSqliteStorage({ path }));
      cache.share(set);
      try {
        assert.equal(cache.coldClusters(), 1);
        const cases = [['/h/rbac.authorization.k8s.io/', 1], ['/h/', 2], ['/h/', 997], ['/h/', 1_000]] as const;
        for (const [prefix, limit] of cases) {
          const paged: Stored[] = [];
          let after: string | undefined;
          do {
            const page = await cache.list(prefix, { limit, after });
            assert.ok(page.items.length > 0 && page.items.length <= limit);
            paged.push(...page.items);
            after = page.next;
          } while (after !== undefined);
          assert.deepEqual(paged, whole.filter((s) => s.key.startsWith(prefix)), `${prefix} by ${limit}`);
        }
        const roles = whole.filter((s) => s.key.includes('clusterroles'));
        assert.deepEqual(roles.map((s) => [s.key.split('/').pop(), s.shared]),
          [['a', true], ['edit', undefined], ['m', true], ['own', undefined], ['zz', true]]);
      } finally {
        await cache.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
