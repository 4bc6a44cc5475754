// End-to-end: templates overriding an instance, objects applied inside the tenant (seed 002's
// edit-no-pvc-write role and the aggregation example), conditions for problems, validation, passwords.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, type Harness } from '../support/harness.ts';
import { canI, userCreds } from './platform-helpers.ts';
import { verifyPassword } from '../../src/platform/index.ts';

const EDIT_NO_PVC = `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: edit-no-pvc-write
rules:
- apiGroups: [""]
  resources: ["pods", "services", "configmaps", "secrets", "endpoints"]
  verbs: ["get", "list", "watch", "create", "update", "patch", "delete"]
- apiGroups: [""]
  resources: ["persistentvolumeclaims"]
  verbs: ["get", "list", "watch", "delete"]
- apiGroups: ["apps"]
  resources: ["deployments", "statefulsets", "daemonsets", "replicasets"]
  verbs: ["get", "list", "watch", "create", "update", "patch", "delete"]
`;
const ADMIN_NS = `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: admin-create-namespace
  labels:
    rbac.authorization.k8s.io/aggregate-to-admin: "true"
rules:
- apiGroups: [""]
  resources: ["namespaces"]
  verbs: ["create"]
`;
const indent = (s: string, n: number) => s.split('\n').map((l) => (l ? ' '.repeat(n) + l : l)).join('\n');

const SETUP = `
${['hank', 'ivy', 'judy', 'owner1'].map((n) => `apiVersion: management.portcullis.io/v1
kind: User
metadata: {name: ${n}}
spec: {displayName: ${n}}
---`).join('\n')}
apiVersion: management.portcullis.io/v1
kind: Team
metadata: {name: storage-restricted-team}
spec: {members: [hank]}
---
apiVersion: management.portcullis.io/v1
kind: Team
metadata: {name: api-framework}
spec: {members: [ivy]}
---
apiVersion: management.portcullis.io/v1
kind: Project
metadata: {name: shop}
spec: {members: [{user: judy, role: admin}]}
---
apiVersion: management.portcullis.io/v1
kind: TenantClusterTemplate
metadata: {name: restricted-storage}
spec:
  template:
    objects: |
${indent(EDIT_NO_PVC, 6)}
    access:
      defaultClusterRole: cluster-admin
      rules:
      - teams: [storage-restricted-team]
        clusterRole: edit-no-pvc-write
---
apiVersion: management.portcullis.io/v1
kind: TenantCluster
metadata: {name: store-dev}
spec:
  project: shop
  owner: {user: owner1}
  templateRef: {name: restricted-storage}
  access:
    defaultClusterRole: view
    rules:
    - users: [ivy]
      clusterRole: admin
---
apiVersion: management.portcullis.io/v1
kind: TenantCluster
metadata: {name: agg-dev}
spec:
  project: shop
  objects: |
${indent(ADMIN_NS, 4)}
  access:
    defaultClusterRole: view
    rules:
    - teams: [api-framework]
      clusterRole: admin
`;

describe('platform: templates, objects and validation', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
    await h.kubectl(['apply', '-f', '-'], { input: SETUP });
    await h.server.settle();
  });
  after(async () => { await h?.close(); });

  it('lets the template override the instance and shows the effective spec in status', async () => {
    const tc = JSON.parse((await h.kubectl(['get', 'tc', 'store-dev', '-o', 'json'])).stdout);
    assert.equal(tc.status.phase, 'Ready');
    assert.equal(tc.spec.access.defaultClusterRole, 'view');
    assert.equal(tc.status.effective.access.defaultClusterRole, 'cluster-admin');
    assert.deepEqual(tc.status.effective.access.rules, [{ teams: ['storage-restricted-team'], clusterRole: 'edit-no-pvc-write' }]);
    const bindings = JSON.parse((await h.kubectl(['--context', 'store-dev', 'get', 'clusterrolebindings', '-l', 'management.portcullis.io/managed=true', '-o', 'json'])).stdout)
      .items.map((i: { metadata: { name: string }; subjects: Array<{ name: string }> }) => `${i.metadata.name}=${i.subjects.map((s) => s.name).join(',')}`).sort();
    // ivy's instance rule is overridden: ivy has no access at all; the owner gets the template's default
    assert.deepEqual(bindings, ['portcullis:access:cluster-admin=admin,judy,owner1', 'portcullis:access:edit-no-pvc-write=hank']);
  });

  it("applies the seed's edit-no-pvc-write role: PVC create is forbidden, pods are fine", async () => {
    const role = JSON.parse((await h.kubectl(['--context', 'store-dev', 'get', 'clusterrole', 'edit-no-pvc-write', '-o', 'json'])).stdout);
    assert.equal(role.metadata.labels['management.portcullis.io/managed-by'], 'platform');
    const hank = await userCreds(h, 'hank');
    assert.equal(await canI(h, hank, 'store-dev', 'create', 'persistentvolumeclaims'), false);
    assert.equal(await canI(h, hank, 'store-dev', 'get', 'persistentvolumeclaims'), true);
    assert.equal(await canI(h, hank, 'store-dev', 'create', 'pods'), true);
    const pvc = `apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data, namespace: default}
spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
`;
    const r = await h.kubectl(['create', '-f', '-'], { input: pvc, kubeconfig: hank.kubeconfig('store-dev'), allowFail: true });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /User "hank" cannot create resource "persistentvolumeclaims"/);
  });

  it('adds namespace create to admin through aggregation', async () => {
    const ivy = await userCreds(h, 'ivy');
    const judy = await userCreds(h, 'judy');
    assert.equal(await canI(h, ivy, 'agg-dev', 'create', 'namespaces'), true);
    assert.equal(await canI(h, judy, 'agg-dev', 'create', 'namespaces'), false); // default view
    const r = await h.kubectl(['create', 'namespace', 'team-x'], { kubeconfig: ivy.kubeconfig('agg-dev') });
    assert.match(r.stdout, /namespace\/team-x created/);
  });

  it('keeps objects reconciled: a changed ClusterRole from objects is restored', async () => {
    await h.kubectl(['--context', 'store-dev', 'patch', 'clusterrole', 'edit-no-pvc-write', '--type=json', '-p', '[{"op":"remove","path":"/rules/2"}]']);
    await h.server.settle();
    const role = JSON.parse((await h.kubectl(['--context', 'store-dev', 'get', 'clusterrole', 'edit-no-pvc-write', '-o', 'json'])).stdout);
    assert.equal(role.rules.length, 3);
  });

  it('reports unknown kinds, missing ClusterRoles and unknown teams in conditions', async () => {
    const tc = `apiVersion: management.portcullis.io/v1
kind: TenantCluster
metadata: {name: odd-dev}
spec:
  project: shop
  objects: |
    apiVersion: example.com/v1
    kind: Widget
    metadata: {name: w1}
  access:
    rules:
    - teams: [ghosts]
      clusterRole: no-such-role
    - users: [judy]
      clusterRole: missing-role
`;
    await h.kubectl(['apply', '-f', '-'], { input: tc });
    await h.server.settle();
    const o = JSON.parse((await h.kubectl(['get', 'tc', 'odd-dev', '-o', 'json'])).stdout);
    const c = Object.fromEntries(o.status.conditions.map((x: { type: string }) => [x.type, x]));
    assert.equal(c.ObjectsApplied.status, 'False');
    assert.match(c.ObjectsApplied.message, /kind Widget in example.com\/v1 is not served in the tenant cluster/);
    assert.equal(c.ReferencesResolved.status, 'False');
    assert.match(c.ReferencesResolved.message, /team "ghosts" does not exist/);
    assert.match(c.ReferencesResolved.message, /ClusterRole "missing-role" does not exist in the tenant cluster/);
  });

  it('validates: unknown project, bad names, owner shape, broken objects YAML', async () => {
    const bad = async (spec: string, name = 'x-dev') => (await h.kubectl(['apply', '-f', '-'], {
      input: `apiVersion: management.portcullis.io/v1\nkind: TenantCluster\nmetadata: {name: ${name}}\nspec: ${spec}\n`, allowFail: true,
    })).stderr;
    assert.match(await bad('{project: nope}'), /spec.project: project "nope" does not exist/);
    assert.match(await bad('{project: shop}', 'Bad_Name'), /Bad_Name|RFC 1123/);
    assert.match(await bad('{project: shop}', 'root'), /"root" is a reserved logical cluster name/);
    assert.match(await bad('{project: shop, owner: {user: a, team: b}}'), /set exactly one of user or team/);
    assert.match(await bad('{project: shop, objects: "a: [b"}'), /objects: document 1/);
    assert.match(await bad('{project: shop, templateRef: {name: nope}}'), /TenantClusterTemplate "nope" does not exist/);
    assert.match(await bad('{project: shop, access: {rules: [{clusterRole: view}]}}'), /a rule must name at least one user or team/);
  });

  it('stores only an argon2id hash of a password, also out of kubectl last-applied', async () => {
    const user = `apiVersion: management.portcullis.io/v1
kind: User
metadata: {name: pat}
spec: {displayName: Pat, password: "s3cret-enough-pw"}
`;
    await h.kubectl(['apply', '-f', '-'], { input: user });
    const stored = async () => ((await h.server.store.storage.get('/root/management.portcullis.io/users/pat'))!.object.spec as { passwordHash?: string; password?: string });
    const first = await stored();
    assert.match(first.passwordHash!, /^\$argon2id\$/);
    assert.equal(first.password, undefined);
    const o = JSON.parse((await h.kubectl(['get', 'user', 'pat', '-o', 'json'])).stdout);
    assert.equal(o.spec.passwordHash, undefined, 'clients never see the hash');
    assert.doesNotMatch(JSON.stringify(o), /s3cret-enough-pw|argon2id/);
    assert.equal(await verifyPassword(h.server.store, 'pat', 's3cret-enough-pw'), true);
    assert.equal(await verifyPassword(h.server.store, 'pat', 'wrong-password'), false);
    // re-applying the same manifest keeps the hash
    await h.kubectl(['apply', '-f', '-'], { input: user });
    assert.equal((await stored()).passwordHash, first.passwordHash);
  });

  it('creates the bootstrap admin with a password in <dataDir>/admin.password', async () => {
    const { readFileSync, statSync } = await import('node:fs');
    const file = `${h.dir}/data/admin.password`;
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const pw = readFileSync(file, 'utf8').trim();
    assert.equal(await verifyPassword(h.server.store, 'admin', pw), true);
    const admin = JSON.parse((await h.kubectl(['get', 'user', 'admin', '-o', 'json'])).stdout);
    assert.equal(admin.spec.globalAdmin, true);
    const crb = JSON.parse((await h.kubectl(['get', 'clusterrolebinding', 'portcullis:global-admins', '-o', 'json'])).stdout);
    assert.deepEqual(crb.subjects.map((s: { name: string }) => s.name), ['admin']);
  });

  it('deletes a tenant cluster together with its logical cluster', async () => {
    await h.kubectl(['delete', 'tc', 'odd-dev']);
    await h.server.settle();
    assert.doesNotMatch((await h.kubectl(['get', 'logicalclusters', '-o', 'name'])).stdout, /odd-dev/);
  });
});
