// End-to-end: logical cluster isolation (same names, no leakage, watches per cluster), CRDs served with
// discovery and tables, kubectl wait --for=delete, edit-style strategic merge patches, ownerReference GC.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, type Harness } from '../support/harness.ts';

const CRD = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  scope: Namespaced
  names: { plural: widgets, singular: widget, kind: Widget, shortNames: [wd] }
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              size: { type: integer }
              color: { type: string }
    additionalPrinterColumns:
    - { name: Size, type: integer, jsonPath: .spec.size }
    - { name: Color, type: string, jsonPath: .spec.color }
`;

describe('logical clusters and custom resources', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
    await h.kubectl(['apply', '-f', '-'], { input: 'apiVersion: tenancy.portcullis.io/v1alpha1\nkind: LogicalCluster\nmetadata:\n  name: tenant-b\n' });
    await h.server.settle();
  });
  after(async () => { await h?.close(); });

  it('serves a second logical cluster, fully separate', async () => {
    const lc = JSON.parse((await h.kubectl(['get', 'logicalcluster', 'tenant-b', '-o', 'json'])).stdout);
    assert.equal(lc.status.phase, 'Ready');
    await h.kubectl(['create', 'namespace', 'shared-name']);
    await h.kubectl(['--context', 'tenant-b', 'create', 'namespace', 'shared-name']);
    await h.kubectl(['-n', 'shared-name', 'create', 'configmap', 'only-in-root', '--from-literal=a=1']);
    const b = await h.kubectl(['--context', 'tenant-b', '-n', 'shared-name', 'get', 'configmaps', '-o', 'name']);
    assert.doesNotMatch(b.stdout, /only-in-root/);
    const nsB = await h.kubectl(['--context', 'tenant-b', 'get', 'ns', '-o', 'name']);
    assert.match(nsB.stdout, /namespace\/kube-system/);
    const rolesB = await h.kubectl(['--context', 'tenant-b', 'get', 'clusterrole', 'view']);
    assert.match(rolesB.stdout, /view/);
    const missing = await h.request('GET', '/clusters/nope/api/v1/namespaces');
    assert.equal(missing.status, 404);
    assert.match(missing.json().message, /logical cluster "nope" not found/);
  });

  it('delivers watch events only from the watched cluster', async () => {
    const watch = h.kubectl(['--context', 'tenant-b', '-n', 'shared-name', 'get', 'configmaps', '-w', '--request-timeout=4s', '-o', 'name'], { allowFail: true });
    await new Promise((r) => setTimeout(r, 800));
    await h.kubectl(['-n', 'shared-name', 'create', 'configmap', 'root-event']);
    await h.kubectl(['--context', 'tenant-b', '-n', 'shared-name', 'create', 'configmap', 'b-event']);
    const out = (await watch).stdout;
    assert.match(out, /configmap\/b-event/);
    assert.doesNotMatch(out, /root-event/);
  });

  it('serves custom resources with discovery, printer columns and validation', async () => {
    await h.kubectl(['--context', 'tenant-b', 'apply', '-f', h.writeFile('crd.yaml', CRD)]);
    await h.server.settle();
    await h.kubectl(['--context', 'tenant-b', 'apply', '-f', '-'], { input: 'apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w1\n  namespace: default\nspec:\n  size: 3\n  color: blue\n' });
    const t = await h.kubectl(['--context', 'tenant-b', 'get', 'widgets']);
    assert.match(t.stdout, /NAME\s+SIZE\s+COLOR\n/);
    assert.match(t.stdout, /w1\s+3\s+blue/);
    assert.match((await h.kubectl(['--context', 'tenant-b', 'get', 'wd', '-o', 'name'])).stdout, /widget.example.com\/w1/);
    const rootSide = await h.kubectl(['get', 'widgets'], { allowFail: true });
    assert.match(rootSide.stderr, /doesn't have a resource type "widgets"/);
    const bad = await h.kubectl(['--context', 'tenant-b', 'apply', '-f', '-'], { input: 'apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w2\n  namespace: default\nspec:\n  sise: 3\n', allowFail: true });
    assert.match(bad.stderr, /unknown field "spec.sise"/);
  });

  it('patches like kubectl edit and waits for deletion', async () => {
    await h.kubectl(['create', 'deployment', 'web', '--image=nginx:1.25', '-n', 'shared-name']);
    await h.kubectl(['-n', 'shared-name', 'patch', 'deployment', 'web', '-p', '{"spec":{"template":{"spec":{"containers":[{"name":"nginx","image":"nginx:1.27"}]}}}}']);
    const d = JSON.parse((await h.kubectl(['-n', 'shared-name', 'get', 'deploy', 'web', '-o', 'json'])).stdout);
    assert.equal(d.spec.template.spec.containers.length, 1);
    assert.equal(d.spec.template.spec.containers[0].image, 'nginx:1.27');
    assert.equal(d.metadata.generation, 2);
    const waiter = h.kubectl(['-n', 'shared-name', 'wait', '--for=delete', 'deployment/web', '--timeout=20s']);
    await new Promise((r) => setTimeout(r, 500));
    await h.kubectl(['-n', 'shared-name', 'delete', 'deployment', 'web', '--wait=false']);
    assert.match((await waiter).stdout, /condition met|deleted/);
  });

  it('collects dependents by ownerReferences (background, foreground, orphan)', async () => {
    const owner = JSON.parse((await h.kubectl(['-n', 'shared-name', 'create', 'configmap', 'owner', '-o', 'json'])).stdout);
    const dep = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: shared-name\n  ownerReferences:\n  - apiVersion: v1\n    kind: ConfigMap\n    name: owner\n    uid: ${owner.metadata.uid}\n`;
    await h.kubectl(['apply', '-f', '-'], { input: dep('dep-1') });
    await h.kubectl(['-n', 'shared-name', 'delete', 'configmap', 'owner', '--cascade=foreground', '--timeout=20s']);
    await h.server.settle();
    assert.match((await h.kubectl(['-n', 'shared-name', 'get', 'cm', 'dep-1'], { allowFail: true })).stderr, /NotFound/);
    const owner2 = JSON.parse((await h.kubectl(['-n', 'shared-name', 'create', 'configmap', 'owner', '-o', 'json'])).stdout);
    await h.kubectl(['apply', '-f', '-'], { input: dep('dep-2').replace(owner.metadata.uid, owner2.metadata.uid) });
    await h.kubectl(['-n', 'shared-name', 'delete', 'configmap', 'owner', '--cascade=orphan', '--timeout=20s']);
    await h.server.settle();
    const kept = JSON.parse((await h.kubectl(['-n', 'shared-name', 'get', 'cm', 'dep-2', '-o', 'json'])).stdout);
    assert.equal(kept.metadata.ownerReferences, undefined);
  });

  it('deletes a logical cluster and everything in it', async () => {
    await h.kubectl(['delete', 'logicalcluster', 'tenant-b', '--timeout=30s']);
    await h.server.settle();
    const r = await h.request('GET', '/clusters/tenant-b/api/v1/namespaces');
    assert.equal(r.status, 404);
    const left = await h.server.store.storage.list('/tenant-b/');
    assert.equal(left.items.length, 0);
  });
});
