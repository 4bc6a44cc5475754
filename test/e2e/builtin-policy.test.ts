// End-to-end: Kubernetes' built-in RBAC is shared by every logical cluster, yet each cluster edits, deletes and
// re-creates its copy on its own; after a restart edits stay (only in their cluster), and the start-up
// reconciliation does what kube-apiserver's does: deleted defaults come back, edited ones regain missing rules
// unless annotated rbac.authorization.kubernetes.io/autoupdate=false.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startHarness, type Harness } from '../support/harness.ts';

const RBAC = '/apis/rbac.authorization.k8s.io/v1';
const LC = '/apis/tenancy.portcullis.io/v1alpha1/logicalclusters';
const SECRETS = { apiGroups: [''], resources: ['secrets'], verbs: ['get'] };
const cr = (c: string, name: string) => `/clusters/${c}${RBAC}/clusterroles/${name}`;

interface Role { metadata: { uid: string; resourceVersion: string; annotations?: Record<string, string>; labels?: Record<string, string> }; rules: unknown[] }

describe('built-in RBAC shared by logical clusters', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'portcullis-builtin-'));
  const dataDir = path.join(dir, 'data');
  let h: Harness;
  const get = async (p: string): Promise<{ status: number; obj: Role }> => { const r = await h.request('GET', p); return { status: r.status, obj: r.status === 200 ? r.json() : undefined }; };
  const canI = async (c: string, args: string[]) =>
    (await h.kubectl(['--context', c, 'auth', 'can-i', ...args, '--as=alice'], { allowFail: true })).stdout.trim();

  before(async () => {
    h = await startHarness({ dataDir });
    for (const name of ['a', 'b']) {
      const r = await h.request('POST', LC, { body: { apiVersion: 'tenancy.portcullis.io/v1alpha1', kind: 'LogicalCluster', metadata: { name } } });
      assert.equal(r.status, 201, r.body);
    }
    await h.server.settle();
  });
  after(async () => { await h?.close(); rmSync(dir, { recursive: true, force: true }); });

  let viewB: Role;
  let discoveryA: Role;
  let monitoringA: Role;

  it('each cluster holds its own copy: own uid, edits and deletes stay in their cluster', async () => {
    const [va, vb] = [(await get(cr('a', 'view'))).obj, (await get(cr('b', 'view'))).obj];
    viewB = vb;
    assert.notEqual(va.metadata.uid, vb.metadata.uid);
    assert.deepEqual(va.rules, vb.rules);
    assert.ok(va.rules.length >= 10, 'view carries its aggregated rules');
    for (const c of ['a', 'b']) await h.kubectl(['--context', c, 'create', 'clusterrolebinding', 'alice-view', '--clusterrole=view', '--user=alice']);
    assert.equal(await canI('a', ['get', 'secrets']), 'no');

    // Edit system:aggregate-to-view in a: a rule more (kept across restarts: reconciliation only adds), which the
    // aggregation controller copies into view, in a only.
    const patch = JSON.stringify([{ op: 'add', path: '/rules/-', value: SECRETS }]);
    await h.kubectl(['--context', 'a', 'patch', 'clusterrole', 'system:aggregate-to-view', '--type=json', '-p', patch]);
    await h.server.settle();
    assert.equal(await canI('a', ['get', 'secrets']), 'yes');
    assert.equal(await canI('b', ['get', 'secrets']), 'no');
    assert.equal((await get(cr('b', 'view'))).obj.metadata.resourceVersion, vb.metadata.resourceVersion);
    const va2 = (await get(cr('a', 'view'))).obj;
    assert.equal(va2.metadata.uid, va.metadata.uid);
    assert.notEqual(va2.metadata.resourceVersion, va.metadata.resourceVersion);

    // edit in a, protected from reconciliation, shrunk to one rule; system:basic-user in a shrunk, not protected.
    const shrink = (name: string, protect: boolean) => h.request('PUT', cr('a', name), { body: {
      ...(protect ? { metadata: { name, annotations: { 'rbac.authorization.kubernetes.io/autoupdate': 'false' } } } : { metadata: { name } }),
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', rules: [SECRETS],
    } });
    assert.equal((await shrink('edit', true)).status, 200);
    assert.equal((await shrink('system:basic-user', false)).status, 200);
    assert.deepEqual((await get(cr('b', 'edit'))).obj.rules.length > 1, true);

    // Delete a default in a: gone there (list too), present in b; deleting it again is a 404.
    discoveryA = (await get(cr('a', 'system:discovery'))).obj;
    await h.kubectl(['--context', 'a', 'delete', 'clusterrole', 'system:discovery']);
    assert.equal((await get(cr('a', 'system:discovery'))).status, 404);
    assert.equal((await h.request('DELETE', cr('a', 'system:discovery'))).status, 404);
    assert.equal((await get(cr('b', 'system:discovery'))).status, 200);
    const names = (await h.kubectl(['--context', 'a', 'get', 'clusterroles', '-o', 'name'])).stdout;
    assert.ok(!names.includes('clusterrole.rbac.authorization.k8s.io/system:discovery\n'));
    assert.ok(names.includes('clusterrole.rbac.authorization.k8s.io/view\n'));

    // Delete and re-create one: a new object (new uid) with the user's content, as in Kubernetes.
    const old = (await get(cr('a', 'system:monitoring'))).obj;
    await h.kubectl(['--context', 'a', 'delete', 'clusterrole', 'system:monitoring']);
    await h.kubectl(['--context', 'a', 'create', 'clusterrole', 'system:monitoring', '--verb=get', '--resource=configmaps']);
    monitoringA = (await get(cr('a', 'system:monitoring'))).obj;
    assert.notEqual(monitoringA.metadata.uid, old.metadata.uid);
    assert.equal(monitoringA.rules.length, 1);
    assert.equal((await h.kubectl(['--context', 'a', 'create', 'clusterrole', 'view', '--verb=get', '--resource=pods'], { allowFail: true })).code, 1);
  });

  it('after a restart: edits stay in their cluster, and defaults are reconciled as kube-apiserver does', async () => {
    await h.server.close();
    const prev = h;
    h = await startHarness({ dataDir });
    try {
      const vb = (await get(cr('b', 'view'))).obj;
      assert.equal(vb.metadata.uid, viewB.metadata.uid);
      assert.equal(vb.metadata.resourceVersion, viewB.metadata.resourceVersion);
      assert.equal(await canI('a', ['get', 'secrets']), 'yes');
      assert.equal(await canI('b', ['get', 'secrets']), 'no');
      // Protected: left as it was.
      assert.deepEqual((await get(cr('a', 'edit'))).obj.rules, [SECRETS]);
      // Not protected: regains the rules it lost (and keeps the added one).
      const basic = (await get(cr('a', 'system:basic-user'))).obj;
      assert.deepEqual(basic.rules[0], SECRETS);
      assert.ok(basic.rules.length > 1);
      // Deleted: created again, a new object.
      const discovery = (await get(cr('a', 'system:discovery'))).obj;
      assert.ok(discovery, 'a deleted default is re-created at start');
      assert.notEqual(discovery.metadata.uid, discoveryA.metadata.uid);
      // Re-created by the user: kept, and given what the default has that it lacks.
      const mon = (await get(cr('a', 'system:monitoring'))).obj;
      assert.equal(mon.metadata.uid, monitoringA.metadata.uid);
      assert.deepEqual(mon.rules[0], monitoringA.rules[0]);
      assert.ok(mon.rules.length > 1);
      assert.equal(mon.metadata.annotations?.['rbac.authorization.kubernetes.io/autoupdate'], 'true');
    } finally {
      rmSync(prev.dir, { recursive: true, force: true });
    }
  });
});
