// End-to-end: the seed's "Virtual Cluster RBAC" and "Testing RBAC" commands with the real kubectl:
// can-i exit codes, --list, --as/--as-group, whoami, aggregated roles, escalation prevention.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, type Harness } from '../support/harness.ts';

const DEVELOPER = `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: developer
  namespace: default
rules:
  - apiGroups: [""]
    resources: ["pods", "services", "configmaps"]
    verbs: ["get", "list", "watch", "create", "update", "patch"]
  - apiGroups: ["apps"]
    resources: ["deployments", "replicasets"]
    verbs: ["get", "list", "watch", "create", "update", "patch"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: developer-binding
  namespace: default
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: developer
subjects:
  - kind: ServiceAccount
    name: developer
    namespace: default
`;

describe('RBAC with kubectl', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
    await h.server.settle();
    await h.kubectl(['create', 'serviceaccount', 'developer']);
    await h.kubectl(['apply', '-f', h.writeFile('dev.yaml', DEVELOPER)]);
  });
  after(async () => { await h?.close(); });

  const SA = 'system:serviceaccount:default:developer';

  it('answers can-i with the seed examples (exit codes)', async () => {
    const yes = await h.kubectl(['auth', 'can-i', 'list', 'pods', `--as=${SA}`, '-n', 'default']);
    assert.equal(yes.stdout.trim(), 'yes');
    const no = await h.kubectl(['auth', 'can-i', 'delete', 'deployments', `--as=${SA}`, '-n', 'production'], { allowFail: true });
    assert.equal(no.code, 1);
    assert.equal(no.stdout.trim(), 'no');
    const noDelete = await h.kubectl(['auth', 'can-i', 'delete', 'pods', `--as=${SA}`, '-n', 'default'], { allowFail: true });
    assert.equal(noDelete.code, 1);
  });

  it('lists what a subject can do', async () => {
    const r = await h.kubectl(['auth', 'can-i', '--list', `--as=${SA}`, '-n', 'default']);
    assert.match(r.stdout, /Resources\s+Non-Resource URLs\s+Resource Names\s+Verbs/);
    assert.match(r.stdout, /deployments\.apps\s+\[\]\s+\[\]\s+\[get list watch create update patch\]/);
    assert.match(r.stdout, /selfsubjectaccessreviews\.authorization\.k8s\.io/);
    const dev = await h.kubectl(['auth', 'can-i', '--list', '--as=developer']);
    assert.doesNotMatch(dev.stdout, /deployments/);
  });

  it('tells who I am', async () => {
    const r = await h.kubectl(['auth', 'whoami']);
    assert.match(r.stdout, /Username\s+admin/);
    assert.match(r.stdout, /system:masters/);
    const as = await h.kubectl(['auth', 'whoami', '--as=developer', '--as-group=developers']);
    assert.match(as.stdout, /Username\s+developer/);
    assert.match(as.stdout, /developers/);
  });

  it('denies impersonated users with Kubernetes wording', async () => {
    const r = await h.kubectl(['get', 'pods', '--as=developer', '--as-group=developers'], { allowFail: true });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /pods is forbidden: User "developer" cannot list resource "pods" in API group "" in the namespace "default"/);
  });

  it('shows aggregated rules in the built-in view role', async () => {
    const r = await h.kubectl(['describe', 'clusterrole', 'view']);
    assert.match(r.stdout, /configmaps\s+\[\]\s+\[\]\s+\[get list watch\]/);
    const role = JSON.parse((await h.kubectl(['get', 'clusterrole', 'admin', '-o', 'json'])).stdout);
    assert.ok(role.rules.length > 10, 'admin aggregates edit and view');
  });

  it('aggregates a labelled role into admin (seed 002 example)', async () => {
    await h.kubectl(['apply', '-f', h.writeFile('agg.yaml', `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: admin-create-namespace
  labels:
    rbac.authorization.k8s.io/aggregate-to-admin: "true"
rules:
- apiGroups: [""]
  resources: ["namespaces"]
  verbs: ["create"]
`)]);
    await h.kubectl(['create', 'clusterrolebinding', 'team-admin', '--clusterrole=admin', '--group=api-framework']);
    await h.server.settle();
    const r = await h.kubectl(['auth', 'can-i', 'create', 'namespaces', '--as=alice', '--as-group=api-framework']);
    assert.equal(r.stdout.trim(), 'yes');
  });

  it('prevents privilege escalation through roles and bindings', async () => {
    await h.kubectl(['create', 'role', 'role-writer', '--verb=create,get', '--resource=roles,rolebindings', '-n', 'default']);
    await h.kubectl(['create', 'rolebinding', 'rw', '--role=role-writer', '--user=mallory', '-n', 'default']);
    const esc = await h.kubectl(['create', 'role', 'too-much', '--verb=delete', '--resource=secrets', '-n', 'default', '--as=mallory'], { allowFail: true });
    assert.notEqual(esc.code, 0);
    assert.match(esc.stderr, /is attempting to grant RBAC permissions not currently held/);
    const ok = await h.kubectl(['create', 'role', 'fine', '--verb=get', '--resource=roles', '-n', 'default', '--as=mallory']);
    assert.match(ok.stdout, /created/);
    const bind = await h.kubectl(['create', 'rolebinding', 'grab', '--clusterrole=cluster-admin', '--user=mallory', '-n', 'default', '--as=mallory'], { allowFail: true });
    assert.notEqual(bind.code, 0);
    assert.match(bind.stderr, /forbidden/);
  });

  it('refuses impersonation without permission and groups without a user', async () => {
    const token = (await h.kubectl(['create', 'token', 'developer'])).stdout.trim();
    const kc = h.kubeconfigFor({ token });
    const r = await h.kubectl(['get', 'pods', '--as=bob'], { kubeconfig: kc, allowFail: true });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /users "bob" is forbidden: User "system:serviceaccount:default:developer" cannot impersonate resource "users" in API group "" at the cluster scope/);
    const groupsOnly = await h.request('GET', '/clusters/root/api/v1/namespaces', { headers: { 'Impersonate-Group': 'devs' } });
    assert.equal(groupsOnly.status, 400);
    assert.match(groupsOnly.json().message, /without impersonating a user/);
  });
});
