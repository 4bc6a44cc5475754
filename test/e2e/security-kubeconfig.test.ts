// Regression tests of issue 12's Kubeconfig findings, each attempted by a user with small permissions (each fails on
// the code before the fix): 1 escalation through spec.authorization and certificates honoured in every cluster;
// 2 identities and bindings shared by same-named objects, and a certificate group others can claim; 8 secretRef
// overwriting and deleting a Secret the controller does not own.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setupPlatform, startCredHarness, type CredHarness } from './credentials-harness.ts';
import { kubeconfigIdentity, kubeconfigObject, kubeconfigYaml, personalIdentity, type CertIdentity } from './security-helpers.ts';

const KC = '/apis/management.portcullis.io/v1/namespaces';

const RBAC_SETUP = ['team-a', 'team-b'].map((ns) => `
apiVersion: v1
kind: Namespace
metadata: {name: ${ns}}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: kubeconfig-writer, namespace: ${ns}}
rules:
- {apiGroups: [management.portcullis.io], resources: [kubeconfigs], verbs: ['*']}
- {apiGroups: [''], resources: [secrets], verbs: [get, list]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: kubeconfig-writer, namespace: ${ns}}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: kubeconfig-writer}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: ${ns === 'team-a' ? 'mallory' : 'bob'}}]
`).join('---\n') + `
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: impersonate-mallory}
rules: [{apiGroups: [''], resources: [users], verbs: [impersonate], resourceNames: [mallory]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: impersonate-mallory}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: impersonate-mallory}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: mallory}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: impersonate-bob-any-group}
rules:
- {apiGroups: [''], resources: [users], verbs: [impersonate], resourceNames: [bob]}
- {apiGroups: [''], resources: [groups], verbs: [impersonate]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: impersonate-bob-any-group}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: impersonate-bob-any-group}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: bob}]
`;

describe('security: Kubeconfig objects (issue 12 findings 1, 2, 8)', () => {
  let h: CredHarness;
  let mallory: CertIdentity;
  let bob: CertIdentity;
  const create = (who: CertIdentity, ns: string, body: string) => who.request('POST', `${KC}/${ns}/kubeconfigs`, JSON.parse(body));

  before(async () => {
    h = await startCredHarness();
    await setupPlatform(h);
    await h.kubectl(['apply', '-f', '-'], { input: RBAC_SETUP });
    for (const u of ['mallory', 'bob']) await h.kubectl(['--context', 'payments-dev', 'create', 'clusterrolebinding', `${u}-view`, '--clusterrole=view', `--user=${u}`]);
    mallory = await personalIdentity(h, 'mallory');
    bob = await personalIdentity(h, 'bob');
    await h.server.settle();
  });
  after(async () => { await h?.close(); });

  it('finding 1: authorization needs the requester\'s own RBAC escalation check, and the certificate works only in its target', async () => {
    const root = await create(mallory, 'team-a', kubeconfigYaml('team-a', 'escalate', { username: 'mallory', target: 'root', roles: ['cluster-admin'] }));
    assert.equal(root.status, 403, JSON.stringify(root.json()));
    assert.match(root.json().message, /binding ClusterRole "cluster-admin" in cluster "root" requires holding all of its permissions there or the bind verb/);
    assert.match(root.json().message, /attempting to grant RBAC permissions not currently held:\n\{APIGroups:\["\*"\], Resources:\["\*"\], Verbs:\["\*"\]\}/);
    const crbs = JSON.parse((await h.kubectl(['get', 'clusterrolebindings', '-o', 'json'])).stdout).items;
    assert.ok(!crbs.some((b: any) => b.metadata.name.startsWith('kubeconfig:')), 'no binding was made in root');

    const edit = await create(mallory, 'team-a', kubeconfigYaml('team-a', 'edit', { username: 'mallory', target: 'payments-dev', roles: ['edit'] }));
    assert.equal(edit.status, 403);
    assert.match(edit.json().message, /"edit" in cluster "payments-dev".*not currently held:[\s\S]*Verbs:\["create"/);

    const elsewhere = JSON.parse(kubeconfigYaml('team-a', 'elsewhere', { username: 'mallory', target: 'payments-dev', roles: ['view'] }));
    elsewhere.spec.authorization.clusterRoleBindings.cluster = 'other-dev';
    const mismatch = await mallory.request('POST', `${KC}/team-a/kubeconfigs`, elsewhere);
    assert.equal(mismatch.status, 422);

    const ok = await create(mallory, 'team-a', kubeconfigYaml('team-a', 'viewer', { username: 'mallory', target: 'payments-dev', roles: ['view'] }));
    assert.equal(ok.status, 201, JSON.stringify(ok.json()));
    assert.equal((await kubeconfigObject(h, 'team-a', 'viewer')).status.phase, 'Ready');
    const cert = await kubeconfigIdentity(h, 'team-a', 'viewer-kubeconfig');
    assert.equal((await cert.request('GET', '/clusters/payments-dev/api/v1/namespaces/app/configmaps')).status, 200);
    for (const other of ['other-dev', 'root']) {
      const r = await cert.request('GET', `/clusters/${other}/api/v1/namespaces`);
      assert.equal(r.status, 401, `the payments-dev certificate presented to ${other}`);
      assert.match(r.json().message, /valid only for cluster "payments-dev"/);
    }
    assert.equal((await cert.request('GET', '/platform/v1/credentials')).status, 401, 'nor to the platform routes (root)');
  });

  it('finding 2: a same-named Kubeconfig elsewhere inherits nothing, takes over nothing, and no one can claim its group', async () => {
    await h.kubectl(['apply', '-f', '-'], { input: kubeconfigYaml('team-a', 'deploy', { username: 'deployer', target: 'payments-dev', roles: ['edit'] }) });
    const a = await kubeconfigObject(h, 'team-a', 'deploy');
    assert.equal(a.status.phase, 'Ready');
    const aCert = await kubeconfigIdentity(h, 'team-a', 'deploy-kubeconfig');
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'by-a' } };
    assert.equal((await aCert.request('POST', '/clusters/payments-dev/api/v1/namespaces/app/configmaps', cm)).status, 201);

    // bob's same-named object in team-b: his certificate gets only what he bound (view), not team-a's edit
    assert.equal((await create(bob, 'team-b', kubeconfigYaml('team-b', 'deploy', { username: 'bob', target: 'payments-dev', roles: ['view'] }))).status, 201);
    assert.equal((await kubeconfigObject(h, 'team-b', 'deploy')).status.phase, 'Ready');
    const bCert = await kubeconfigIdentity(h, 'team-b', 'deploy-kubeconfig');
    const write = await bCert.request('POST', '/clusters/payments-dev/api/v1/namespaces/app/configmaps', { ...cm, metadata: { name: 'by-b' } });
    assert.equal(write.status, 403, 'team-b/deploy must not inherit team-a/deploy\'s edit binding');

    // claiming team-a's group: refused even though bob may impersonate any group
    const claim = await create(bob, 'team-b', kubeconfigYaml('team-b', 'claim', {
      username: 'bob', target: 'payments-dev', groups: [`kubeconfig:team-a:deploy:${a.metadata.uid}`],
    }));
    assert.equal(claim.status, 422);
    assert.match(claim.json().message, /must not start with "kubeconfig:"/);
    const user = await h.kubectl(['apply', '-f', '-'], { allowFail: true, input: JSON.stringify({
      apiVersion: 'management.portcullis.io/v1', kind: 'User', metadata: { name: 'claimer' }, spec: { groups: [`kubeconfig:team-a:deploy:${a.metadata.uid}`] },
    }) });
    assert.notEqual(user.code, 0);
    assert.match(user.stderr, /reserved for the implicit group/);

    // a binding of the name bob's object would use, made by someone else, is left alone (condition says why)
    await h.kubectl(['--context', 'payments-dev', 'create', 'clusterrolebinding', 'kubeconfig:team-b:grab:view', '--clusterrole=view', '--user=carol']);
    assert.equal((await create(bob, 'team-b', kubeconfigYaml('team-b', 'grab', { username: 'bob', target: 'payments-dev', roles: ['view'] }))).status, 201);
    const grab = await kubeconfigObject(h, 'team-b', 'grab');
    assert.equal(grab.status.phase, 'Failed');
    assert.equal(grab.status.conditions[0].reason, 'BindingNotOwned');
    const foreign = JSON.parse((await h.kubectl(['--context', 'payments-dev', 'get', 'clusterrolebinding', 'kubeconfig:team-b:grab:view', '-o', 'json'])).stdout);
    assert.deepEqual(foreign.subjects.map((s: any) => s.name), ['carol']);

    // deleting bob's object leaves team-a's binding and certificate alone
    await h.kubectl(['-n', 'team-b', 'delete', 'kubeconfig', 'deploy', 'grab']);
    await h.server.settle();
    assert.equal((await h.kubectl(['--context', 'payments-dev', 'get', 'clusterrolebinding', 'kubeconfig:team-a:deploy:edit'], { allowFail: true })).code, 0);
    assert.equal((await h.kubectl(['--context', 'payments-dev', 'get', 'clusterrolebinding', 'kubeconfig:team-b:grab:view'], { allowFail: true })).code, 0);
    assert.equal((await aCert.request('GET', '/clusters/payments-dev/api/v1/namespaces/app/configmaps/by-a')).status, 200);
  });

  it('finding 8: secretRef never overwrites or deletes a Secret the controller does not own', async () => {
    await h.kubectl(['-n', 'team-a', 'create', 'secret', 'generic', 'db-password', '--from-literal=password=hunter2-original']);
    const before = JSON.parse((await h.kubectl(['-n', 'team-a', 'get', 'secret', 'db-password', '-o', 'json'])).stdout);
    const r = await create(mallory, 'team-a', kubeconfigYaml('team-a', 'steal', { username: 'mallory', target: 'payments-dev', secret: 'db-password' }));
    assert.equal(r.status, 201);
    const kc = await kubeconfigObject(h, 'team-a', 'steal');
    assert.equal(kc.status.phase, 'Failed');
    assert.equal(kc.status.conditions[0].reason, 'SecretNotOwned');
    assert.match(kc.status.conditions[0].message, /Secret "team-a\/db-password" exists and is not owned by this Kubeconfig/);
    const during = JSON.parse((await h.kubectl(['-n', 'team-a', 'get', 'secret', 'db-password', '-o', 'json'])).stdout);
    assert.deepEqual(during.data, before.data);
    assert.equal(during.metadata.resourceVersion, before.metadata.resourceVersion);
    assert.equal((await mallory.request('DELETE', `${KC}/team-a/kubeconfigs/steal`)).status, 200);
    await h.server.settle();
    assert.equal((await h.kubectl(['-n', 'team-a', 'get', 'kubeconfig', 'steal'], { allowFail: true })).code, 1);
    const afterDelete = JSON.parse((await h.kubectl(['-n', 'team-a', 'get', 'secret', 'db-password', '-o', 'json'])).stdout);
    assert.deepEqual(afterDelete.data, before.data);
  });
});
