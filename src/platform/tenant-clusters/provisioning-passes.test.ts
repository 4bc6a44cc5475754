// Provisioning a tenant costs a fixed number of controller passes, whatever the number of tenants: two tenant
// passes (create the LogicalCluster; once it is Ready, bindings and status), one host-tier pass, and no ClusterRole
// aggregation pass (the built-in roles arrive aggregated; host-tier roles are selected by no aggregation rule).
// A tenant's own labelled role that an aggregation rule selects is still aggregated, in that tenant only.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../server/config.ts';
import { startServer, type RunningServer } from '../../server/server.ts';
import { rbacModule } from '../../auth/rbac-module/index.ts';
import type { ModuleContext } from '../../apiserver/extension.ts';
import type { KObject } from '../../apiserver/storage/interface.ts';
import { platformModule } from '../module.ts';
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE, projectType, tenantClusterType, userType } from '../resources/index.ts';

const RBAC = 'rbac.authorization.k8s.io';

describe('provisioning passes', () => {
  let server: RunningServer;
  let m!: ModuleContext;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'portcullis-passes-'));
  const passes = (queue: string) => m.queues.get(queue)?.workDuration.count ?? NaN;
  const mk = (t: typeof userType, name: string, spec: unknown) =>
    server.store.create({ cluster: 'root' }, t, '', { apiVersion: `${t.group}/${t.version}`, kind: t.kind, metadata: { name }, spec });
  const crType = (cluster: string) => server.catalog.lookup(cluster, RBAC, 'v1', 'clusterroles')!;
  const role = (cluster: string, name: string, labels: Record<string, string>): Promise<KObject> =>
    server.store.create({ cluster }, crType(cluster), '', {
      apiVersion: `${RBAC}/v1`, kind: 'ClusterRole', metadata: { name, labels },
      rules: [{ apiGroups: ['example.com'], resources: ['widgets'], verbs: ['get'] }],
    });
  const viewHasWidgets = async (cluster: string) => {
    const view = await server.store.read(cluster, crType(cluster), '', 'view');
    return JSON.stringify(view.rules).includes('widgets');
  };

  before(async () => {
    const capture = { name: 'capture', setup(ctx: ModuleContext) { m = ctx; } };
    server = await startServer(loadConfig({ dataDir: dir, listen: '127.0.0.1:0' }), () => undefined, [rbacModule(), platformModule({ bootstrapAdmin: false }), capture]);
    await mk(userType, 'alice', {});
    await mk(projectType, 'proj', { members: [{ user: 'alice', role: 'admin' }] });
    await mk(tenantClusterType, 'first', { project: 'proj' }); // makes the host cluster
    await server.settle();
  });
  after(async () => { await server?.close(); rmSync(dir, { recursive: true, force: true }); });

  it('two tenant passes, one host-tier pass and no aggregation pass per new tenant', async () => {
    const before = { tenant: passes('tenantcluster'), host: passes('hostrbac'), agg: passes('clusterrole-aggregation') };
    for (const name of ['second', 'third']) await mk(tenantClusterType, name, { project: 'proj', access: { rules: [{ users: ['alice'], clusterRole: 'view' }] } });
    await server.settle();
    for (const name of ['second', 'third']) {
      const tc = await server.store.read('root', tenantClusterType, '', name);
      assert.equal((tc.status as { phase?: string }).phase, 'Ready', name);
      assert.ok(await server.store.read('host', crType('host'), '', `vc-${name}`), 'host-tier ClusterRole (labelled) made');
    }
    assert.equal(passes('tenantcluster') - before.tenant, 4);
    assert.equal(passes('hostrbac') - before.host, 2);
    assert.equal(passes('clusterrole-aggregation') - before.agg, 0);
  });

  it('aggregates a tenant role an aggregation rule selects, in that tenant only; other labelled roles cost nothing', async () => {
    const agg = passes('clusterrole-aggregation');
    await role('second', 'plain', { team: 'blue' });
    await server.settle();
    assert.equal(passes('clusterrole-aggregation'), agg, 'a role no rule selects');
    await role('second', 'widgets-view', { [`${RBAC}/aggregate-to-view`]: 'true' });
    await server.settle();
    assert.ok(passes('clusterrole-aggregation') > agg);
    assert.ok(await viewHasWidgets('second'), 'view aggregated the new role');
    assert.ok(!(await viewHasWidgets('third')), 'another tenant is untouched');
    await server.store.delete({ cluster: 'second' }, crType('second'), '', 'widgets-view');
    await server.settle();
    assert.ok(!(await viewHasWidgets('second')), 'deleting it takes its rules out of view again');
  });

  it('a status written by someone else is rewritten at once (no forged phase or apiURL stays)', async () => {
    const tc = await server.store.read('root', tenantClusterType, '', 'third');
    const real = (tc.status as { apiURL?: string }).apiURL;
    const before = passes('tenantcluster');
    await server.store.update({ cluster: 'root', subresource: 'status' }, tenantClusterType, '', 'third', (cur) => {
      cur!.status = { ...(cur!.status as object), apiURL: 'https://attacker.example/clusters/third' };
      return cur!;
    });
    await server.settle();
    const now = await server.store.read('root', tenantClusterType, '', 'third');
    assert.equal((now.status as { apiURL?: string }).apiURL, real);
    assert.equal(passes('tenantcluster') - before, 1, 'one pass rewrites it, and its own write brings no other');
  });

  it('a forged status.appliedObjects never names what a pass deletes', async () => {
    // an object in the tenant that carries the platform's label (as its own template objects do)
    const cmType = server.catalog.lookup('third', '', 'v1', 'configmaps')!;
    await server.store.create({ cluster: 'third' }, cmType, 'default', {
      apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'keep-me', labels: { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE } },
    });
    // a /status writer claims the platform applied it, then the template (here: the spec) changes, so a pass prunes
    await server.store.update({ cluster: 'root', subresource: 'status' }, tenantClusterType, '', 'third', (cur) => {
      cur!.status = { ...(cur!.status as object), appliedObjects: [{ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'default', name: 'keep-me' }] };
      return cur!;
    });
    await server.store.update({ cluster: 'root' }, tenantClusterType, '', 'third', (cur) => {
      cur!.metadata.labels = { ...(cur!.metadata.labels ?? {}), touched: 'yes' };
      return cur!;
    });
    await server.settle();
    assert.ok(await server.store.read('third', cmType, 'default', 'keep-me'), 'still there');
    const now = await server.store.read('root', tenantClusterType, '', 'third');
    assert.deepEqual((now.status as { appliedObjects?: unknown[] }).appliedObjects ?? [], [], 'the record is rewritten');
  });
});
