// End-to-end with @kubernetes/client-node 1.4 (the official JavaScript client) against a real server:
// typed create/read/list/patch/delete, watch, server-side apply, and a second logical cluster.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as k8s from '@kubernetes/client-node';
import { startHarness, type Harness } from '../support/harness.ts';

describe('@kubernetes/client-node against Portcullis', () => {
  let h: Harness;
  let kc: k8s.KubeConfig;
  before(async () => {
    h = await startHarness();
    kc = new k8s.KubeConfig();
    kc.loadFromFile(h.kubeconfig);
  });
  after(async () => { await h?.close(); });

  it('creates, reads, lists, patches and deletes', async () => {
    const core = kc.makeApiClient(k8s.CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: 'js-ns' } } });
    await core.createNamespacedConfigMap({ namespace: 'js-ns', body: { metadata: { name: 'cfg', labels: { app: 'js' } }, data: { a: '1' } } });
    const cm = await core.readNamespacedConfigMap({ name: 'cfg', namespace: 'js-ns' });
    assert.equal(cm.data?.a, '1');
    const list = await core.listNamespacedConfigMap({ namespace: 'js-ns', labelSelector: 'app=js' });
    assert.deepEqual(list.items.map((i) => i.metadata?.name), ['cfg']);
    const patched = await core.patchNamespacedConfigMap({ name: 'cfg', namespace: 'js-ns', body: { data: { b: '2' } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch));
    assert.deepEqual(patched.data, { a: '1', b: '2' });
    await assert.rejects(core.createNamespacedConfigMap({ namespace: 'js-ns', body: { metadata: { name: 'cfg' } } }), (e: { code?: number }) => e.code === 409);
    await core.deleteNamespacedConfigMap({ name: 'cfg', namespace: 'js-ns' });
    await assert.rejects(core.readNamespacedConfigMap({ name: 'cfg', namespace: 'js-ns' }), (e: { code?: number }) => e.code === 404);
  });

  it('watches changes', async () => {
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const events: string[] = [];
    const watch = new k8s.Watch(kc);
    const req = await watch.watch('/api/v1/namespaces/js-ns/configmaps', {}, (type, obj: k8s.V1ConfigMap) => events.push(`${type} ${obj.metadata?.name}`), () => undefined);
    await core.createNamespacedConfigMap({ namespace: 'js-ns', body: { metadata: { name: 'w1' } } });
    await core.deleteNamespacedConfigMap({ name: 'w1', namespace: 'js-ns' });
    for (let i = 0; i < 50 && events.length < 2; i++) await new Promise((r) => setTimeout(r, 50));
    req.abort();
    assert.deepEqual(events, ['ADDED w1', 'DELETED w1']);
  });

  it('applies server-side through the generic object API', async () => {
    const objects = k8s.KubernetesObjectApi.makeApiClient(kc);
    const role = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'reader', namespace: 'js-ns' }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }] };
    const created = await objects.patch(role, undefined, undefined, 'js-client', true, k8s.PatchStrategy.ServerSideApply);
    assert.equal(created.metadata?.name, 'reader');
    const again = await objects.read({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'reader', namespace: 'js-ns' } });
    assert.ok((again.metadata?.managedFields ?? []).some((f) => f.manager === 'js-client' && f.operation === 'Apply'));
  });

  it('talks to another logical cluster through its context', async () => {
    await h.kubectl(['apply', '-f', '-'], { input: 'apiVersion: tenancy.portcullis.io/v1alpha1\nkind: LogicalCluster\nmetadata:\n  name: js-tenant\n' });
    await h.server.settle();
    const other = new k8s.KubeConfig();
    other.loadFromFile(h.kubeconfig);
    other.setCurrentContext('js-tenant');
    const names = (await other.makeApiClient(k8s.CoreV1Api).listNamespace()).items.map((n) => n.metadata?.name);
    assert.ok(names.includes('kube-system'));
    assert.ok(!names.includes('js-ns'));
  });
});
