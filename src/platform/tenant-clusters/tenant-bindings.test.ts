// Tests of the role-mapping bindings inside a cluster (reconcileBindings, called directly on a cluster that is not a
// tenant, so that no controller pass runs in between): a binding of our name made by someone else, and parts.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { logicalClusterType } from '../../apiserver/controllers/logical-clusters.ts';
import type { KObject } from '../../apiserver/storage/interface.ts';
import type { ResourceType } from '../../apiserver/registry/types.ts';
import { BINDING_SUBJECTS } from '../access/access.ts';
import { startTestPlatform, type TestPlatform } from '../platform-test-support.ts';
import { reconcileBindings } from './tenant-bindings.ts';

const RBAC = 'rbac.authorization.k8s.io';
const CLUSTER = 'scratch';
const user = (name: string) => ({ apiGroup: RBAC, kind: 'User', name });

describe('role-mapping bindings', () => {
  let p: TestPlatform;
  let crb: ResourceType;
  const reconcile = (mapping: Map<string, string[]>) => reconcileBindings(p.server.store, p.server.catalog, CLUSTER, mapping);
  /** A ClusterRoleBinding as someone who may bind cluster-admin in the cluster would make it. */
  const plant = (name: string, meta: Partial<KObject['metadata']> = {}) => p.server.store.create({ cluster: CLUSTER }, crb, '', {
    apiVersion: `${RBAC}/v1`, kind: 'ClusterRoleBinding', metadata: { name, ...meta },
    roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: 'cluster-admin' }, subjects: [],
  });

  before(async () => {
    p = await startTestPlatform({ bootstrapAdmin: false });
    await p.server.store.create({ cluster: 'root' }, logicalClusterType, '', {
      apiVersion: 'tenancy.portcullis.io/v1alpha1', kind: 'LogicalCluster', metadata: { name: CLUSTER },
    });
    await p.server.settle();
    crb = p.type(CLUSTER, RBAC, 'clusterrolebindings');
  });
  after(async () => { await p?.close(); });

  it('replaces a binding of our name that binds another ClusterRole instead of giving it the role\'s users', async () => {
    await plant('portcullis:access:view');
    const r = await reconcile(new Map([['alice', ['view']], ['bob', ['view']]]));
    const b = await p.get(crb, 'portcullis:access:view', CLUSTER);
    assert.deepEqual(b?.roleRef, { apiGroup: RBAC, kind: 'ClusterRole', name: 'view' }, 'the view users are not bound to cluster-admin');
    assert.deepEqual(b?.subjects, [user('alice'), user('bob')]);
    assert.equal(b?.metadata.labels?.['management.portcullis.io/managed'], 'true');
    assert.equal(r.created, 1);
  });

  it('fails rather than bind when such a binding cannot be removed (its deletion held by a finalizer)', async () => {
    const held = { labels: { 'management.portcullis.io/managed': 'true' }, finalizers: ['example.com/hold'] };
    await plant('portcullis:access:edit', held);
    await assert.rejects(reconcile(new Map([['alice', ['edit']]])), (e: Error) => /already exists/.test(e.message));
    const b = await p.get(crb, 'portcullis:access:edit', CLUSTER);
    assert.equal((b?.roleRef as { name: string }).name, 'cluster-admin');
    assert.deepEqual(b?.subjects ?? [], [], 'alice is not bound to cluster-admin');
    assert.ok(b?.metadata.deletionTimestamp);
    await p.server.store.update({ cluster: CLUSTER }, crb, '', 'portcullis:access:edit', (c) => ({ ...c!, metadata: { ...c!.metadata, finalizers: [] } }));
    await reconcile(new Map([['alice', ['edit']]]));
    assert.deepEqual((await p.get(crb, 'portcullis:access:edit', CLUSTER))?.subjects, [user('alice')]);
  });

  it('empties a binding no longer wanted whose deletion is held, so that its users do not keep the role', async () => {
    await reconcile(new Map([['alice', ['edit']], ['bob', ['view']]]));
    // a finalizer needs no bind (only garbage-collection fields change): whoever may update bindings can hold one
    await p.server.store.update({ cluster: CLUSTER }, crb, '', 'portcullis:access:edit', (c) => ({ ...c!, metadata: { ...c!.metadata, finalizers: ['example.com/hold'] } }));
    const r = await reconcile(new Map([['bob', ['view']]]));
    assert.equal(r.deleted, 1);
    const b = await p.get(crb, 'portcullis:access:edit', CLUSTER);
    assert.ok(b?.metadata.deletionTimestamp);
    assert.deepEqual(b?.subjects, [], 'alice left the rule: she does not keep edit while the binding lingers');
    await p.server.store.update({ cluster: CLUSTER }, crb, '', 'portcullis:access:edit', (c) => ({ ...c!, metadata: { ...c!.metadata, finalizers: [] } }));
    assert.equal(await p.get(crb, 'portcullis:access:edit', CLUSTER), undefined);
  });

  it('moves users between parts as others come and go, and names a missing ClusterRole once', async () => {
    const names = Array.from({ length: BINDING_SUBJECTS + 1 }, (_, i) => `u${String(i).padStart(5, '0')}`);
    const first = await reconcile(new Map(names.map((n) => [n, ['nope']])));
    assert.deepEqual(first.missingRoles, ['nope']);
    const last = names[BINDING_SUBJECTS];
    assert.deepEqual((await p.get(crb, 'portcullis:access-part-2:nope', CLUSTER))?.subjects, [user(last)]);
    // the first user leaves: the last moves into the first part, the second part goes
    await reconcile(new Map(names.slice(1).map((n) => [n, ['nope']])));
    const one = (await p.get(crb, 'portcullis:access:nope', CLUSTER))?.subjects as Array<{ name: string }>;
    assert.equal(one.length, BINDING_SUBJECTS);
    assert.equal(one[0].name, names[1]);
    assert.equal(one.at(-1)?.name, last);
    assert.equal(await p.get(crb, 'portcullis:access-part-2:nope', CLUSTER), undefined);
  });
});
