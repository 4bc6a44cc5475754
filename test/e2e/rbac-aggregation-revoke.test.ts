// End-to-end: a role leaving an aggregation takes its rules out of the aggregate. A tenant's role labelled
// aggregate-to-view gives `view` its rules; removing its labels (or the built-in role's) must take them out again,
// also right after a restart (the cluster replayed at its first request), and never in another cluster.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startHarness, type Harness } from '../support/harness.ts';

const RBAC = '/apis/rbac.authorization.k8s.io/v1';
const LC = '/apis/tenancy.portcullis.io/v1alpha1/logicalclusters';
const TO_VIEW = { 'rbac.authorization.k8s.io/aggregate-to-view': 'true' };
const role = (name: string, resource: string, labels?: Record<string, string>) => ({
  apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name, ...(labels ? { labels } : {}) },
  rules: [{ apiGroups: [''], resources: [resource], verbs: ['get'] }],
});

describe('RBAC aggregation: a role leaving the aggregate is revoked', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'portcullis-aggr-revoke-'));
  const dataDir = path.join(dir, 'data');
  let h: Harness;
  const can = async (c: string, resource: string): Promise<boolean> => {
    const r = await h.request('POST', `/clusters/${c}/apis/authorization.k8s.io/v1/subjectaccessreviews`, { body: {
      apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview',
      spec: { user: 'alice', resourceAttributes: { verb: 'get', resource, namespace: 'default' } } } });
    assert.equal(r.status, 201, r.body);
    return r.json().status.allowed === true;
  };
  const put = async (c: string, body: ReturnType<typeof role>) => {
    const cur = await h.request('GET', `/clusters/${c}${RBAC}/clusterroles/${body.metadata.name}`);
    const r = cur.status === 404
      ? await h.request('POST', `/clusters/${c}${RBAC}/clusterroles`, { body })
      : await h.request('PUT', `/clusters/${c}${RBAC}/clusterroles/${body.metadata.name}`, { body });
    assert.ok(r.status < 300, r.body);
    await h.server.settle();
  };

  before(async () => {
    h = await startHarness({ dataDir });
    for (const name of ['a', 'b']) {
      const r = await h.request('POST', LC, { body: { apiVersion: 'tenancy.portcullis.io/v1alpha1', kind: 'LogicalCluster', metadata: { name } } });
      assert.equal(r.status, 201, r.body);
    }
    await h.server.settle();
    for (const c of ['a', 'b']) {
      const r = await h.request('POST', `/clusters/${c}${RBAC}/clusterrolebindings`, { body: {
        apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'alice-view' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
        subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'alice' }] } });
      assert.equal(r.status, 201, r.body);
    }
  });
  after(async () => { await h?.close(); rmSync(dir, { recursive: true, force: true }); });

  it('a tenant role whose labels are removed leaves view', async () => {
    await put('a', role('secret-reader', 'secrets', TO_VIEW));
    assert.equal(await can('a', 'secrets'), true, 'aggregated into view in a');
    assert.equal(await can('b', 'secrets'), false, 'and only in a');
    await put('a', role('secret-reader', 'secrets'));
    assert.equal(await can('a', 'secrets'), false, 'no label: no longer part of view');
  });

  it('a built-in aggregated role whose labels are removed leaves view', async () => {
    await put('a', role('system:aggregate-to-view', 'secrets', TO_VIEW));
    assert.equal(await can('a', 'secrets'), true);
    await put('a', { ...role('system:aggregate-to-view', 'secrets'),
      metadata: { name: 'system:aggregate-to-view', annotations: { 'rbac.authorization.kubernetes.io/autoupdate': 'false' } } } as never);
    assert.equal(await can('a', 'secrets'), false, 'unlabelled: its rules leave view');
    assert.equal(await can('b', 'secrets'), false, 'b never had them');
  });

  it('after a restart, the first change in a cluster not yet replayed is applied as before', async () => {
    await put('a', role('secret-reader', 'secrets', TO_VIEW));
    assert.equal(await can('a', 'secrets'), true);
    await h.server.close();
    const prev = h;
    h = await startHarness({ dataDir });
    rmSync(prev.dir, { recursive: true, force: true });
    await put('a', role('secret-reader', 'secrets'));
    assert.equal(await can('a', 'secrets'), false, 'the label removed right after the restart takes the rules out');
  });
});
