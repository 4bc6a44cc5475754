// Provisioning a tenant cluster is a handful of store transactions, not one per object: template objects and
// role-mapping bindings are created together, host-tier RBAC objects together. When such a transaction is refused
// (an object invalid, or needing an earlier one, such as a namespace), each object is written alone, as before.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject, Storage } from '../../apiserver/storage/interface.ts';
import { startTestPlatform, type TestPlatform } from '../platform-test-support.ts';
import { projectType, tenantClusterType, userType, type TenantClusterStatus } from '../resources/index.ts';

const cm = (name: string, ns = 'default') => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${name}, namespace: ${ns}}\ndata: {a: "1"}\n`;
const condition = (o: KObject | undefined, type: string) => (o?.status as TenantClusterStatus | undefined)?.conditions?.find((c) => c.type === type);

/** Counts write transactions reaching the store (create, update, delete, batch). */
function countWrites(storage: Storage): { n: number } {
  const count = { n: 0 };
  const s = storage as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
  for (const op of ['create', 'update', 'delete', 'batch']) {
    const inner = s[op].bind(storage);
    s[op] = (...a: unknown[]) => { count.n++; return inner(...a); };
  }
  return count;
}

describe('tenant provisioning writes', () => {
  let p: TestPlatform;
  let writes: { n: number };
  before(async () => {
    p = await startTestPlatform({ bootstrapAdmin: false });
    await p.create(userType, 'alice', {});
    await p.create(userType, 'viewer', {});
    await p.create(projectType, 'proj', { members: [{ user: 'alice', role: 'admin' }] });
    await p.create(tenantClusterType, 'first', { project: 'proj' }); // makes the host cluster
    await p.server.settle();
    writes = countWrites(p.server.store.storage);
  });
  after(async () => { await p?.close(); });

  it('provisions a tenant with objects, a role mapping and host RBAC in 6 transactions', async () => {
    writes.n = 0;
    await p.create(tenantClusterType, 'batched', {
      project: 'proj', objects: `${cm('one')}---\n${cm('two')}---\n${cm('three')}`, access: { rules: [{ users: ['viewer'], clusterRole: 'view' }] },
    });
    await p.server.settle();
    const tc = await p.get(tenantClusterType, 'batched');
    assert.equal(condition(tc, 'Ready')?.status, 'True');
    assert.equal(condition(tc, 'ObjectsApplied')?.message, '3 object(s) applied');
    const cmType = p.type('batched', '', 'configmaps');
    for (const n of ['one', 'two', 'three']) assert.equal((await p.get(cmType, n, 'batched', 'default'))?.metadata.labels?.['management.portcullis.io/managed-by'], 'platform');
    const crb = p.type('batched', 'rbac.authorization.k8s.io', 'clusterrolebindings');
    assert.deepEqual((await p.get(crb, 'portcullis:access:cluster-admin', 'batched'))?.subjects, [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'alice' }]);
    assert.deepEqual((await p.get(crb, 'portcullis:access:view', 'batched'))?.subjects, [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'viewer' }]);
    const sa = p.type('host', '', 'serviceaccounts');
    assert.ok(await p.get(sa, 'vc-batched', 'host', 'tc-batched'), 'host-tier RBAC provisioned');
    // create, LogicalCluster, its bootstrap with its Ready status, host namespace with host objects, objects and bindings,
    // status Ready: one transaction each (seventeen when every object was its own; nine with a Pending status written
    // while the LogicalCluster was bootstrapped, and its Ready status apart).
    assert.equal(writes.n, 6, `${writes.n} write transactions`);
  });

  it('writes objects one at a time when they cannot go together, with the same outcome', async () => {
    const ns = 'apiVersion: v1\nkind: Namespace\nmetadata: {name: apps}\n';
    const bad = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: Not_Valid, namespace: default}\n';
    await p.create(tenantClusterType, 'ordered', { project: 'proj', objects: `${ns}---\n${cm('in-apps', 'apps')}---\n${bad}---\n${cm('fine')}` });
    await p.server.settle();
    const tc = await p.get(tenantClusterType, 'ordered');
    assert.equal(condition(tc, 'ObjectsApplied')?.status, 'False');
    assert.match(condition(tc, 'ObjectsApplied')!.message, /^ConfigMap "default\/Not_Valid": /);
    assert.ok(await p.get(p.type('ordered', '', 'configmaps'), 'in-apps', 'ordered', 'apps'), 'the namespace was created before its object');
    assert.ok(await p.get(p.type('ordered', '', 'configmaps'), 'fine', 'ordered', 'default'));
    assert.ok(await p.get(p.type('ordered', 'rbac.authorization.k8s.io', 'clusterrolebindings'), 'portcullis:access:cluster-admin', 'ordered'),
      'bindings queued with the refused objects are created too');
    assert.deepEqual((tc?.status as TenantClusterStatus).appliedObjects?.map((r) => r.name), ['apps', 'in-apps', 'Not_Valid', 'fine']);
  });
  it('keeps a "__proto__" key of an object\'s data as data, in a batch and inherited by nothing', async () => {
    const hostile = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: hostile, namespace: default}\n'
      + '__proto__: {data: {injected: "yes"}}\ndata: {__proto__: kept, a: "1"}\n';
    await p.create(tenantClusterType, 'protokey', { project: 'proj', objects: `${hostile}---\n${cm('other')}` });
    await p.server.settle();
    assert.equal(condition(await p.get(tenantClusterType, 'protokey'), 'ObjectsApplied')?.status, 'True');
    const got = await p.get(p.type('protokey', '', 'configmaps'), 'hostile', 'protokey', 'default');
    const data = got!.data as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(data), Object.prototype);
    assert.deepEqual(Object.keys(data).sort(), ['__proto__', 'a']);
    assert.equal(Object.getOwnPropertyDescriptor(data, '__proto__')?.value, 'kept');
    assert.equal(data.injected, undefined);
  });
});
