// End-to-end: two `portcullis serve` processes on one fresh PostgreSQL database — watches across replicas, 409 across
// replicas, credentials honoured by both, revocations of credential sources enforced by the other replica within a
// bound, a cut database connection (TCP proxy), kill -9 of the controllers' leader,
// and `portcullis migrate` from an embedded SQLite installation.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createTestDatabase, TcpProxy, type TestDatabase } from '../../src/apiserver/storage/postgres-test-support.ts';
import { startReplica, credsFrom, eventually, type Replica } from '../support/replicas.ts';
import { checkChainRevocationAcrossReplicas } from '../support/chain-replicas.ts';

const NS = 'rep';
const cmPath = (ns: string, name = '') => `/clusters/root/api/v1/namespaces/${ns}/configmaps${name ? `/${name}` : ''}`;
const cm = (name: string, data: Record<string, string> = {}, labels: Record<string, string> = {}) =>
  ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels }, data });
const rvOf = (o: Record<string, unknown>) => Number((o.metadata as { resourceVersion: string }).resourceVersion);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function createNamespace(r: Replica, name: string): Promise<void> {
  const res = await r.request('POST', '/clusters/root/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  assert.equal(res.status, 201, JSON.stringify(res.body));
}

async function whoami(r: Replica, token: string): Promise<string> {
  const res = await r.request('POST', '/clusters/root/apis/authentication.k8s.io/v1/selfsubjectreviews',
    { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' }, { token });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return (res.body.status as { userInfo: { username: string } }).userInfo.username;
}

describe('two replicas on one PostgreSQL database', () => {
  let db: TestDatabase;
  let proxy: TcpProxy;
  let dir: string;
  let a: Replica; // reaches PostgreSQL through the proxy
  let b: Replica;

  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'portcullis-replicas-'));
    db = await createTestDatabase();
    proxy = new TcpProxy();
    await proxy.listen();
    a = await startReplica({ name: 'A', store: db.url(proxy.port), dataDir: path.join(dir, 'a'), home: path.join(dir, 'home') });
    b = await startReplica({ name: 'B', store: db.url(), dataDir: path.join(dir, 'b'), home: path.join(dir, 'home') });
    await createNamespace(a, NS);
    await eventually(async () => (await b.request('GET', `/clusters/root/api/v1/namespaces/${NS}`)).status === 200, 'B sees the namespace');
  });
  after(async () => {
    await Promise.all([a?.stop('SIGKILL'), b?.stop('SIGKILL')]);
    await proxy?.close();
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a kubectl watch on B sees the writes made through A, in order', { timeout: 60_000 }, async () => {
    assert.equal((await a.request('POST', cmPath(NS), cm('m0'))).status, 201);
    await eventually(async () => (await b.request('GET', cmPath(NS, 'm0'))).status === 200, 'B sees m0');
    const watch = spawn('kubectl', ['--kubeconfig', b.kubeconfig, '--cache-dir', path.join(dir, 'kcache'), '-n', NS, 'get', 'configmaps', '--watch',
      '--output-watch-events', '-o', 'jsonpath={.type} {.object.metadata.name} {.object.metadata.resourceVersion}{"\\n"}'],
    { env: { ...process.env, HOME: path.join(dir, 'home') } });
    let out = '';
    watch.stdout.on('data', (d: Buffer) => { out += String(d); });
    try {
      await eventually(() => out.includes('ADDED m0 '), 'the watch to list m0');
      const expected: string[] = [];
      for (let i = 1; i <= 6; i++) {
        assert.equal((await a.request('POST', cmPath(NS), cm(`w${i}`, { i: String(i) }))).status, 201);
        expected.push(`ADDED w${i}`);
      }
      for (const i of [2, 4, 1]) {
        assert.equal((await a.request('PATCH', cmPath(NS, `w${i}`), { data: { changed: 'yes' } })).status, 200);
        expected.push(`MODIFIED w${i}`);
      }
      for (const i of [5, 3]) {
        assert.equal((await a.request('DELETE', cmPath(NS, `w${i}`))).status, 200);
        expected.push(`DELETED w${i}`);
      }
      const lines = await eventually(() => {
        const l = out.trim().split('\n').filter((x) => !x.startsWith('ADDED m0 '));
        return l.length >= expected.length && l;
      }, 'B to report every write');
      assert.deepEqual(lines.map((l) => l.split(' ').slice(0, 2).join(' ')), expected);
      const rvs = lines.map((l) => Number(l.split(' ')[2]));
      for (let i = 1; i < rvs.length; i++) assert.ok(rvs[i] > rvs[i - 1], `resourceVersions increase: ${rvs.join(',')}`);
    } finally {
      watch.kill();
    }
  });

  it('concurrent updates of one object through A and B: exactly one wins, the other gets 409', { timeout: 60_000 }, async () => {
    const created = await a.request('POST', cmPath(NS), cm('race', { v: '0' }));
    assert.equal(created.status, 201);
    let rv = rvOf(created.body);
    for (let round = 1; round <= 5; round++) {
      await eventually(async () => rvOf((await b.request('GET', cmPath(NS, 'race'))).body) === rv, `B at rv ${rv}`);
      const body = (who: string) => ({ ...cm('race', { v: `${round}-${who}` }), metadata: { name: 'race', resourceVersion: String(rv) } });
      const [ra, rb] = await Promise.all([a.request('PUT', cmPath(NS, 'race'), body('a')), b.request('PUT', cmPath(NS, 'race'), body('b'))]);
      assert.deepEqual([ra.status, rb.status].sort(), [200, 409], `round ${round}: ${JSON.stringify([ra.body, rb.body])}`);
      const [winner, loser] = ra.status === 200 ? [ra, rb] : [rb, ra];
      assert.equal(loser.body.reason, 'Conflict');
      rv = rvOf(winner.body);
      const stored = await a.request('GET', cmPath(NS, 'race'));
      await eventually(async () => rvOf((await a.request('GET', cmPath(NS, 'race'))).body) === rv, 'A has the winner');
      assert.deepEqual((await a.request('GET', cmPath(NS, 'race'))).body.data, winner.body.data, JSON.stringify(stored.body));
    }
  });

  it('credentials issued by one replica work on the other (admin client certificate, ServiceAccount token)', { timeout: 60_000 }, async () => {
    // A's admin kubeconfig (client certificate from A, CA shared through the store) against B.
    const r = await b.kubectl(['--server', `${b.url}/clusters/root`, 'get', 'namespace', NS, '-o', 'name'], { kubeconfig: a.kubeconfig });
    assert.equal(r.stdout.trim(), `namespace/${NS}`);
    assert.equal((await b.request('GET', `/clusters/root/api/v1/namespaces/${NS}`, undefined, a.creds)).status, 200);
    // A token signed by A verifies on B, and the other way round.
    assert.equal((await a.request('POST', `/clusters/root/api/v1/namespaces/${NS}/serviceaccounts`, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'robot' } })).status, 201);
    const tokenFrom = async (r: Replica) => {
      const res = await r.request('POST', `/clusters/root/api/v1/namespaces/${NS}/serviceaccounts/robot/token`,
        { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 3600 } });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      return (res.body.status as { token: string }).token;
    };
    await eventually(async () => (await b.request('GET', `/clusters/root/api/v1/namespaces/${NS}/serviceaccounts/robot`)).status === 200, 'B sees the SA');
    assert.equal(await whoami(b, await tokenFrom(a)), `system:serviceaccount:${NS}:robot`);
    assert.equal(await whoami(a, await tokenFrom(b)), `system:serviceaccount:${NS}:robot`);
  });

  it('access keys and platform tokens issued by one replica work on the other (shared pepper and signing keys)', { timeout: 60_000 }, async () => {
    const created = await a.request('POST', '/clusters/root/apis/management.portcullis.io/v1/accesskeys',
      { apiVersion: 'management.portcullis.io/v1', kind: 'AccessKey', metadata: { generateName: 'replica-' }, spec: { user: 'admin', displayName: 'replica test' } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const key = (created.body.status as { key: string }).key;
    assert.match(key, /^pcak_/);
    // B learns of the key through its watch of the shared store: a 401 until then, not a failure
    await eventually(async () => {
      const res = await b.request('POST', '/clusters/root/apis/authentication.k8s.io/v1/selfsubjectreviews',
        { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' }, { token: key });
      if (res.status === 401) return false;
      assert.equal(res.status, 201, JSON.stringify(res.body));
      return (res.body.status as { userInfo: { username: string } }).userInfo.username === 'admin';
    }, 'B accepts the key issued through A');
    const minted = await b.request('POST', '/clusters/root/platform/v1/tokens', { cluster: 'root' }, { token: key });
    assert.equal(minted.status, 201, JSON.stringify(minted.body));
    const token = String((minted.body as { token?: string; status?: { token?: string } }).token ?? (minted.body.status as { token?: string } | undefined)?.token);
    assert.equal(await whoami(a, token), 'admin');
  });

  it('a credential source ended through one replica ends what it minted on the other within a bound (credential chains)', { timeout: 60_000 }, async () => {
    await checkChainRevocationAcrossReplicas(a, b);
  });

  it('cutting A\'s database connection mid write stream: 503 while down, every acknowledged write kept, no duplicate events', { timeout: 120_000 }, async () => {
    const selector = 'labelSelector=stream%3Dcut';
    // Watch from a listed resourceVersion: every later event is delivered no matter when the stream is set up.
    const from = async (r: Replica) => (((await r.request('GET', cmPath(NS))).body.metadata) as { resourceVersion: string }).resourceVersion;
    const watches = [a.watch(`${cmPath(NS)}?watch=1&${selector}&resourceVersion=${await from(a)}`), b.watch(`${cmPath(NS)}?watch=1&${selector}&resourceVersion=${await from(b)}`)];
    const acked: string[] = [];
    const statuses = new Map<number, number>();
    let cutAt = -1;
    let restoredAt = -1;
    let okAfterRestore = 0;
    let unavailableWhileCut = 0;
    for (let i = 0; okAfterRestore < 15 && i < 2000; i++) {
      if (i === 15) { await proxy.cut(); cutAt = Date.now(); }
      if (cutAt > 0 && restoredAt < 0 && Date.now() - cutAt > 1500) { await proxy.listen(); restoredAt = Date.now(); }
      const res = await a.request('POST', cmPath(NS), cm(`s${i}`, { i: String(i) }, { stream: 'cut' }));
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      if (res.status === 201) {
        acked.push(`s${i}`);
        if (restoredAt > 0) okAfterRestore++;
      } else {
        assert.equal(res.status, 503, JSON.stringify(res.body));
        assert.equal(res.body.reason, 'ServiceUnavailable');
        if (restoredAt < 0) unavailableWhileCut++;
      }
      await sleep(20);
    }
    assert.ok(restoredAt > 0 && okAfterRestore >= 15, `A recovered after the cut (statuses ${JSON.stringify([...statuses])})`);
    assert.ok(unavailableWhileCut > 0, 'writes were refused with 503 while the database was unreachable');
    for (const r of [a, b]) {
      const names = await eventually(async () => {
        const list = await r.request('GET', `${cmPath(NS)}?${selector}`);
        const n = new Set((list.body.items as Array<{ metadata: { name: string } }>).map((o) => o.metadata.name));
        return acked.every((x) => n.has(x)) && n;
      }, `${r.name} lists every acknowledged write`);
      assert.ok(names.size >= acked.length);
    }
    for (const [i, w] of watches.entries()) {
      await eventually(() => { const seen = new Set(w.events.map((e) => e.object.metadata.name)); return acked.every((x) => seen.has(x)); },
        `watch ${i} to deliver every acknowledged write`);
      w.close();
      assert.equal(w.events.filter((e) => e.type === 'ERROR').length, 0, 'the watch was never broken');
      const names = w.events.map((e) => e.object.metadata.name);
      assert.equal(new Set(names).size, names.length, `no duplicate events on watch ${i}`);
      const rvs = w.events.map((e) => Number(e.object.metadata.resourceVersion));
      for (let k = 1; k < rvs.length; k++) assert.ok(rvs[k] > rvs[k - 1], 'events in commit order');
    }
  });

  it('kill -9 of the controllers\' leader: the other replica takes over (namespace deletion completes)', { timeout: 120_000 }, async () => {
    const leasePath = '/clusters/root/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/portcullis-controllers';
    const holder = async (r: Replica) => ((await r.request('GET', leasePath)).body.spec as { holderIdentity?: string } | undefined)?.holderIdentity ?? '';
    const first = await eventually(async () => { const h = await holder(b); return h.length > 0 && h; }, 'a leader');
    const leader = first.includes(`_${a.pid}_`) ? a : b;
    const survivor = leader === a ? b : a;
    assert.ok(first.includes(`_${leader.pid}_`), `lease holder ${first} is one of the replicas`);
    await createNamespace(survivor, 'doomed');
    assert.equal((await survivor.request('POST', cmPath('doomed'), cm('inside'))).status, 201);
    await eventually(async () => (await leader.request('GET', cmPath('doomed', 'inside'))).status === 200, 'the leader sees the new namespace');
    await leader.stop('SIGKILL');
    const del = await survivor.request('DELETE', '/clusters/root/api/v1/namespaces/doomed');
    assert.equal(del.status, 200, JSON.stringify(del.body));
    // Finalizing needs the namespace controller, which now runs only if the survivor took the lease over.
    await eventually(async () => (await survivor.request('GET', '/clusters/root/api/v1/namespaces/doomed')).status === 404, 'the namespace to be finalized', 90_000);
    assert.ok((await holder(survivor)).includes(`_${survivor.pid}_`), 'the survivor holds the lease');
    assert.ok(survivor.logs.some((l) => l.includes('is now the leader')));
  });
});

describe('portcullis migrate from SQLite to PostgreSQL', () => {
  let dir: string;
  let db: TestDatabase | undefined;
  const servers: Replica[] = [];
  before(() => { dir = mkdtempSync(path.join(os.tmpdir(), 'portcullis-migrate-')); });
  after(async () => {
    await Promise.all(servers.map((s) => s.stop('SIGKILL')));
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  const cli = (args: string[]) => new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, ['bin/portcullis.mjs', ...args], { cwd: path.resolve(import.meta.dirname, '../..'), timeout: 120_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout: String(stdout), stderr: String(stderr) }));
  });

  it('moves objects, CA and signing keys; refuses a non-empty target; a PostgreSQL server then serves everything', { timeout: 180_000 }, async () => {
    const sqliteDir = path.join(dir, 'sqlite');
    const old = await startReplica({ name: 'sqlite', store: `sqlite:${sqliteDir}`, dataDir: sqliteDir, home: path.join(dir, 'home') });
    servers.push(old);
    await createNamespace(old, 'legacy');
    for (const n of ['l1', 'l2', 'l3', 'l4']) assert.equal((await old.request('POST', cmPath('legacy'), cm(n, { n }))).status, 201);
    assert.equal((await old.request('PATCH', cmPath('legacy', 'l1'), { data: { n: 'l1-updated' } })).status, 200);
    assert.equal((await old.request('DELETE', cmPath('legacy', 'l3'))).status, 200);
    assert.equal((await old.request('POST', '/clusters/root/api/v1/namespaces/legacy/serviceaccounts', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'bot' } })).status, 201);
    const tr = await old.request('POST', '/clusters/root/api/v1/namespaces/legacy/serviceaccounts/bot/token', { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: {} });
    const token = (tr.body.status as { token: string }).token;
    const ak = await old.request('POST', '/clusters/root/apis/management.portcullis.io/v1/accesskeys',
      { apiVersion: 'management.portcullis.io/v1', kind: 'AccessKey', metadata: { generateName: 'legacy-' }, spec: { user: 'admin', displayName: 'before migration' } });
    assert.equal(ak.status, 201, JSON.stringify(ak.body));
    const accessKey = (ak.body.status as { key: string }).key;
    const before = (await old.request('GET', cmPath('legacy'))).body.items as Array<{ metadata: { name: string; resourceVersion: string }; data: unknown }>;
    await old.stop('SIGTERM');

    db = await createTestDatabase();
    const moved = await cli(['migrate', '--from', `sqlite:${sqliteDir}`, '--to', db.url()]);
    assert.equal(moved.code, 0, moved.stderr);
    assert.match(moved.stdout, /Migrated \d+ objects and 4 shared secrets/);
    const again = await cli(['migrate', '--from', `sqlite:${sqliteDir}`, '--to', db.url()]);
    assert.notEqual(again.code, 0);
    assert.match(again.stderr, /is not empty/);

    const pgServer = await startReplica({ name: 'pg', store: db.url(), dataDir: path.join(dir, 'pg'), home: path.join(dir, 'home') });
    servers.push(pgServer);
    // The old admin client certificate and the old ServiceAccount token are still honoured (same CA, same keys).
    const oldAdmin = credsFrom(path.join(sqliteDir, 'admin.kubeconfig'));
    const list = await pgServer.request('GET', cmPath('legacy'), undefined, oldAdmin);
    assert.equal(list.status, 200);
    const afterItems = list.body.items as typeof before;
    assert.deepEqual(afterItems.map((o) => [o.metadata.name, o.data]), before.map((o) => [o.metadata.name, o.data]));
    const byOldRv = [...before].sort((x, y) => Number(x.metadata.resourceVersion) - Number(y.metadata.resourceVersion)).map((o) => o.metadata.name);
    const byNewRv = [...afterItems].sort((x, y) => Number(x.metadata.resourceVersion) - Number(y.metadata.resourceVersion)).map((o) => o.metadata.name);
    assert.deepEqual(byNewRv, byOldRv, 'relative resourceVersion order kept');
    const maxOld = Math.max(...before.map((o) => Number(o.metadata.resourceVersion)));
    assert.ok(afterItems.every((o) => Number(o.metadata.resourceVersion) > maxOld), 'new resourceVersions are above the old ones');
    assert.equal(await whoami(pgServer, token), 'system:serviceaccount:legacy:bot');
    assert.equal(await whoami(pgServer, accessKey), 'admin', 'access keys survive the move (the pepper moved too)');
    const r = await pgServer.kubectl(['--server', `${pgServer.url}/clusters/root`, '-n', 'legacy', 'get', 'configmap', 'l1', '-o', 'jsonpath={.data.n}'], { kubeconfig: path.join(sqliteDir, 'admin.kubeconfig') });
    assert.equal(r.stdout, 'l1-updated');
  });
});
