// Tests of the TenantCluster controller against an in-process server: provisioning, audit annotation,
// templates, a host cluster to wait for, conflicts, objects, and deletion through the finalizer.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { logicalClusterType } from '../../apiserver/controllers/logical-clusters.ts';
import type { KObject } from '../../apiserver/storage/interface.ts';
import { startTestPlatform, type TestPlatform } from '../platform-test-support.ts';
import { projectType, templateType, tenantClusterType, userType, type TenantClusterStatus } from '../resources/index.ts';

const status = (o: KObject | undefined) => o?.status as TenantClusterStatus | undefined;
const condition = (o: KObject | undefined, type: string) => status(o)?.conditions?.find((c) => c.type === type);

describe('TenantCluster controller', () => {
  let p: TestPlatform;
  before(async () => {
    p = await startTestPlatform({ bootstrapAdmin: false });
    await p.create(userType, 'alice', {});
    await p.create(projectType, 'proj', { members: [{ user: 'alice', role: 'admin' }] });
  });
  after(async () => { await p?.close(); });

  it('provisions a logical cluster, the host cluster and bindings, with audit off when asked', async () => {
    await p.create(tenantClusterType, 'quiet', { project: 'proj', auditLog: { enabled: false } });
    await p.server.settle();
    const lc = await p.get(logicalClusterType, 'quiet');
    assert.equal(lc?.metadata.labels?.['management.portcullis.io/tenant-cluster'], 'quiet');
    assert.equal(lc?.metadata.annotations?.['audit.portcullis.io/enabled'], 'false');
    assert.ok(await p.get(logicalClusterType, 'host'));
    const tc = await p.get(tenantClusterType, 'quiet');
    assert.equal(status(tc)?.phase, 'Ready');
    assert.equal(status(tc)?.logicalCluster, 'quiet');
    const crb = p.type('quiet', 'rbac.authorization.k8s.io', 'clusterrolebindings');
    const b = await p.get(crb, 'portcullis:access:cluster-admin', 'quiet');
    assert.deepEqual(b?.subjects, [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'alice' }]);
    // turning audit back on removes the annotation
    await p.server.store.update({ cluster: 'root' }, tenantClusterType, '', 'quiet', (cur) => { (cur!.spec as { auditLog: { enabled: boolean } }).auditLog.enabled = true; return cur!; });
    await p.server.settle();
    assert.equal((await p.get(logicalClusterType, 'quiet'))?.metadata.annotations?.['audit.portcullis.io/enabled'], undefined);
  });

  it('says it waits for its template when the template disappears, and recovers when it is back', async () => {
    await p.create(templateType, 'tpl', { template: { access: { defaultClusterRole: 'view' } } });
    await p.create(tenantClusterType, 'templated', { project: 'proj', templateRef: { name: 'tpl' } });
    await p.server.settle();
    assert.equal(status(await p.get(tenantClusterType, 'templated'))?.effective?.access?.defaultClusterRole, 'view');
    await p.server.store.delete({ cluster: 'root' }, templateType, '', 'tpl');
    await p.server.settle();
    const waiting = await p.get(tenantClusterType, 'templated');
    assert.equal(status(waiting)?.phase, 'Pending');
    assert.equal(condition(waiting, 'Ready')?.reason, 'WaitingForTemplate');
    assert.match(condition(waiting, 'Ready')!.message, /TenantClusterTemplate "tpl", which does not exist/);
    await p.create(templateType, 'tpl', { template: { access: { defaultClusterRole: 'edit' } } });
    await p.server.settle();
    const back = await p.get(tenantClusterType, 'templated');
    assert.equal(status(back)?.phase, 'Ready');
    const crb = p.type('templated', 'rbac.authorization.k8s.io', 'clusterrolebindings');
    assert.deepEqual((await p.get(crb, 'portcullis:access:edit', 'templated'))?.subjects, [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'alice' }]);
    assert.equal(await p.get(crb, 'portcullis:access:view', 'templated'), undefined);
  });

  it('keeps one binding per ClusterRole with exactly the mapped users: added subjects and old per-user bindings go', async () => {
    await p.create(userType, 'bob', {});
    await p.create(tenantClusterType, 'mapped', { project: 'proj', access: { rules: [{ users: ['bob', 'alice'], clusterRole: 'view' }] } });
    await p.server.settle();
    const crb = p.type('mapped', 'rbac.authorization.k8s.io', 'clusterrolebindings');
    const user = (name: string) => ({ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name });
    assert.deepEqual((await p.get(crb, 'portcullis:access:view', 'mapped'))?.subjects, [user('alice'), user('bob')]);
    // a tenant admin adds herself to the managed binding, and a binding of the earlier one-per-user form is left over
    await p.server.store.update({ cluster: 'mapped' }, crb, '', 'portcullis:access:view', (cur) => ({ ...cur!, subjects: [...(cur!.subjects as object[]), user('mallory')] }));
    await p.server.store.create({ cluster: 'mapped' }, crb, '', {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding',
      metadata: { name: 'portcullis:user:bob:view', labels: { 'management.portcullis.io/managed': 'true' } },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' }, subjects: [user('bob')],
    });
    await p.server.settle();
    assert.deepEqual((await p.get(crb, 'portcullis:access:view', 'mapped'))?.subjects, [user('alice'), user('bob')]);
    assert.equal(await p.get(crb, 'portcullis:user:bob:view', 'mapped'), undefined);
    // bob leaves the rule: he leaves the binding
    await p.server.store.update({ cluster: 'root' }, tenantClusterType, '', 'mapped', (cur) => ({ ...cur!, spec: { ...cur!.spec as object, access: { rules: [{ users: ['alice'], clusterRole: 'view' }] } } }));
    await p.server.settle();
    assert.deepEqual((await p.get(crb, 'portcullis:access:view', 'mapped'))?.subjects, [user('alice')]);
  });

  it('says it waits for a host cluster that does not exist yet, and provisions once it does', async () => {
    await p.create(tenantClusterType, 'hosted', { project: 'proj', hostCluster: 'later-host' });
    await p.server.settle();
    const waiting = await p.get(tenantClusterType, 'hosted');
    assert.equal(status(waiting)?.phase, 'Pending');
    assert.equal(condition(waiting, 'Ready')?.reason, 'WaitingForHostCluster');
    assert.match(condition(waiting, 'Ready')!.message, /host cluster "later-host"/);
    assert.equal(await p.get(logicalClusterType, 'hosted'), undefined, 'nothing is provisioned before the host exists');
    await p.server.store.create({ cluster: 'root' }, logicalClusterType, '', { apiVersion: 'tenancy.portcullis.io/v1alpha1', kind: 'LogicalCluster', metadata: { name: 'later-host' } });
    await p.server.settle();
    const ready = await p.get(tenantClusterType, 'hosted');
    assert.equal(status(ready)?.phase, 'Ready');
    assert.equal(condition(ready, 'Ready')?.reason, 'Ready');
  });

  it('refuses a name taken by a logical cluster it does not own', async () => {
    await p.server.store.create({ cluster: 'root' }, logicalClusterType, '', { apiVersion: 'tenancy.portcullis.io/v1alpha1', kind: 'LogicalCluster', metadata: { name: 'taken' } });
    await assert.rejects(p.create(tenantClusterType, 'taken', { project: 'proj' }), /logical cluster "taken" already exists and is not managed by the platform/);
  });

  it('applies objects, removes ones dropped from the list, and deletes everything with the tenant', async () => {
    const cm = (n: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${n}}\ndata: {a: "1"}\n`;
    await p.create(tenantClusterType, 'objs', { project: 'proj', objects: `${cm('one')}---\n${cm('two')}` });
    await p.server.settle();
    const cmType = p.type('objs', '', 'configmaps');
    assert.equal((await p.get(cmType, 'two', 'objs', 'default'))?.metadata.labels?.['management.portcullis.io/managed-by'], 'platform');
    await p.server.store.update({ cluster: 'root' }, tenantClusterType, '', 'objs', (cur) => { (cur!.spec as { objects: string }).objects = cm('one'); return cur!; });
    await p.server.settle();
    assert.ok(await p.get(cmType, 'one', 'objs', 'default'));
    assert.equal(await p.get(cmType, 'two', 'objs', 'default'), undefined);
    await p.server.store.delete({ cluster: 'root' }, tenantClusterType, '', 'objs');
    await p.server.settle();
    assert.equal(await p.get(tenantClusterType, 'objs'), undefined);
    assert.equal(await p.get(logicalClusterType, 'objs'), undefined);
    assert.equal(p.server.clusters.state('objs'), undefined);
  });
});
