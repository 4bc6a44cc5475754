// End-to-end: management access to a tenant cluster (seed 002's default list), role mapping rules
// (match / several / none) materialised as ClusterRoleBindings, the CLI, reconciliation and project deletion.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, type Harness } from '../support/harness.ts';
import { canI, cli, userCreds, type UserCreds } from './platform-helpers.ts';

const TC = 'payments-dev';
const SETUP = `
apiVersion: management.portcullis.io/v1
kind: User
metadata: {name: gadmin}
spec: {displayName: Global Admin, globalAdmin: true}
---
apiVersion: management.portcullis.io/v1
kind: User
metadata: {name: alice}
spec: {displayName: Alice, email: alice@example.com}
${['bob', 'carol', 'dave', 'erin', 'frank', 'gina'].map((n) => `---
apiVersion: management.portcullis.io/v1
kind: User
metadata: {name: ${n}}
spec: {displayName: ${n}}`).join('\n')}
---
apiVersion: management.portcullis.io/v1
kind: Team
metadata: {name: devteam}
spec: {members: [bob, erin]}
---
apiVersion: management.portcullis.io/v1
kind: Team
metadata: {name: ops}
spec: {members: [gina]}
---
apiVersion: management.portcullis.io/v1
kind: Project
metadata: {name: payments}
spec:
  displayName: Payments
  members: [{user: alice, role: admin}, {user: frank, role: member}]
---
apiVersion: management.portcullis.io/v1
kind: TenantCluster
metadata: {name: ${TC}}
spec:
  project: payments
  owner: {user: carol}
  access:
    defaultClusterRole: cluster-admin
    rules:
    - users: [bob]
      clusterRole: view
    - teams: [devteam]
      clusterRole: edit
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: tenant-user}
rules:
- apiGroups: [management.portcullis.io]
  resources: [tenantclusters]
  verbs: [use]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: dave-uses-tenants}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: tenant-user}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: dave}]
`;

describe('platform: management access and role mapping', () => {
  let h: Harness;
  const u: Record<string, UserCreds> = {};
  const managedBindings = async () => {
    const r = await h.kubectl(['--context', TC, 'get', 'clusterrolebindings', '-l', 'management.portcullis.io/managed=true', '-o', 'json']);
    type Item = { metadata: { name: string; resourceVersion: string }; subjects?: Array<{ name: string }> };
    return (JSON.parse(r.stdout).items as Item[]).map((i) => ({ ...i.metadata, users: (i.subjects ?? []).map((s) => s.name) }))
      .sort((a, b) => a.name.localeCompare(b.name));
  };
  /** What the managed bindings grant, as 'user:ClusterRole' (one binding per ClusterRole, its users as subjects). */
  const granted = async () => (await managedBindings())
    .flatMap((b) => b.users.map((user) => `${user}:${b.name.replace(/^portcullis:access:/, '')}`)).sort();
  const door = async (who: string) => h.kubectl(['get', 'namespaces'], { kubeconfig: u[who].kubeconfig(TC), allowFail: true });

  before(async () => {
    h = await startHarness();
    await h.kubectl(['apply', '-f', '-'], { input: SETUP });
    await h.server.settle();
    for (const n of ['admin', 'gadmin', 'alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'gina']) u[n] = await userCreds(h, n);
  });
  after(async () => { await h?.close(); });

  it('provisions the tenant: Ready, API URL, its logical cluster and the host cluster', async () => {
    const tc = JSON.parse((await h.kubectl(['get', 'tc', TC, '-o', 'json'])).stdout);
    assert.equal(tc.status.phase, 'Ready');
    assert.equal(tc.status.apiURL, `${h.server.url}/clusters/${TC}`);
    assert.equal(tc.spec.hostNamespace, `tc-${TC}`);
    const lcs = (await h.kubectl(['get', 'logicalclusters', '-o', 'name'])).stdout;
    assert.match(lcs, /logicalcluster.tenancy.portcullis.io\/host/);
    assert.match(lcs, new RegExp(`logicalcluster.tenancy.portcullis.io/${TC}`));
  });

  it('gives management access to the global admin, the project admin, the owner and use-verb holders', async () => {
    for (const who of ['gadmin', 'alice', 'carol', 'dave']) {
      const r = await door(who);
      assert.equal(r.code, 0, `${who}: ${r.stderr}`);
      assert.match(r.stdout, /kube-system/);
    }
  });

  it('refuses a platform user without management access at the door', async () => {
    const r = await door('frank');
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, new RegExp(`User "frank" has no management access to tenant cluster "${TC}"`));
  });

  it('lets non-platform identities through to the tenant RBAC', async () => {
    const stranger = await userCreds(h, 'not-a-platform-user');
    const r = await h.kubectl(['get', 'namespaces'], { kubeconfig: stranger.kubeconfig(TC), allowFail: true });
    assert.match(r.stderr, /User "not-a-platform-user" cannot list resource "namespaces"/);
  });

  it('maps roles as seed 002 says: a match replaces the default, several matches add up, no match gets the default', async () => {
    const names = (await managedBindings()).map((b) => b.name);
    assert.deepEqual(names, ['portcullis:access:cluster-admin', 'portcullis:access:edit', 'portcullis:access:view']);
    assert.deepEqual(await granted(), [
      'admin:cluster-admin', 'alice:cluster-admin', 'bob:edit', 'bob:view', 'carol:cluster-admin', 'dave:cluster-admin', 'erin:edit',
      'gadmin:cluster-admin',
    ]);
    // erin (team devteam -> edit): may create deployments, not roles
    assert.equal(await canI(h, u.erin, TC, 'create', 'deployments'), true);
    assert.equal(await canI(h, u.erin, TC, 'create', 'roles'), false);
    // bob (view + edit)
    assert.equal(await canI(h, u.bob, TC, 'create', 'deployments'), true);
    assert.equal(await canI(h, u.bob, TC, 'create', 'clusterroles'), false);
    // alice (no rule -> cluster-admin)
    assert.equal(await canI(h, u.alice, TC, 'create', 'clusterroles'), true);
  });

  it('lists what a user can reach with the CLI, with the roles and the reason', async () => {
    const r = await cli(h, u.bob, ['tenant-clusters', 'list', '-o', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const items = JSON.parse(r.stdout) as Array<{ name: string; roles: string[]; reasons: string[] }>;
    assert.deepEqual(items.map((i) => [i.name, i.roles, i.reasons]), [[TC, ['edit', 'view'], ['access-rule']]]);
    const none = await cli(h, u.frank, ['tenant-clusters', 'list']);
    assert.match(none.stdout, /No tenant clusters you can reach/);
    const table = await cli(h, u.alice, ['tenant-clusters', 'list']);
    assert.match(table.stdout, new RegExp(`${TC}\\s+payments\\s+Ready\\s+cluster-admin\\s+project-admin`));
  });

  it('adds and removes permissions with the CLI; only managers may', async () => {
    const denied = await cli(h, u.bob, ['tenant-clusters', 'permissions', 'add', TC, '--team', 'ops', '--role', 'view']);
    assert.notEqual(denied.code, 0);
    assert.match(denied.stderr, /may not change the permissions/);
    assert.equal((await door('gina')).code, 1);
    const added = await cli(h, u.alice, ['tenant-clusters', 'permissions', 'add', TC, '--team', 'ops', '--role', 'view']);
    assert.equal(added.code, 0, added.stderr);
    await h.server.settle();
    assert.equal((await door('gina')).code, 0);
    assert.equal(await canI(h, u.gina, TC, 'get', 'pods'), true);
    assert.equal(await canI(h, u.gina, TC, 'create', 'deployments'), false);
    const removed = await cli(h, u.alice, ['tenant-clusters', 'permissions', 'remove', TC, '--team', 'ops']);
    assert.equal(removed.code, 0, removed.stderr);
    await h.server.settle();
    assert.match((await door('gina')).stderr, /User "gina" has no management access/);
    assert.ok(!(await granted()).some((g) => g.startsWith('gina:')));
  });

  it('reconciles when a team membership changes', async () => {
    await h.kubectl(['patch', 'team', 'devteam', '--type=merge', '-p', '{"spec":{"members":["bob"]}}']);
    await h.server.settle();
    assert.match((await door('erin')).stderr, /User "erin" has no management access/);
    assert.ok(!(await granted()).some((g) => g.startsWith('erin:')));
  });

  it('is idempotent: a resync changes nothing, and a deleted binding comes back', async () => {
    const before = await managedBindings();
    const tcBefore = JSON.parse((await h.kubectl(['get', 'tc', TC, '-o', 'json'])).stdout).metadata.resourceVersion;
    await h.kubectl(['label', 'user', 'frank', 'touched=yes']); // every tenant is reconciled again
    await h.server.settle();
    assert.deepEqual(await managedBindings(), before);
    assert.equal(JSON.parse((await h.kubectl(['get', 'tc', TC, '-o', 'json'])).stdout).metadata.resourceVersion, tcBefore);
    await h.kubectl(['--context', TC, 'delete', 'clusterrolebinding', 'portcullis:access:cluster-admin']);
    await h.server.settle();
    assert.ok((await granted()).includes('alice:cluster-admin'));
  });

  it('warns (kubectl prints it) when role mapping names a user, team or ClusterRole that does not exist', async () => {
    const r = await h.kubectl(['apply', '-f', '-'], { input: `
apiVersion: management.portcullis.io/v1
kind: TenantCluster
metadata: {name: typo-dev}
spec:
  project: payments
  access:
    rules:
    - users: [bobby]
      teams: [devteem]
      clusterRole: veiw
    - users: [bob]
      clusterRole: view
` });
    assert.equal(r.code, 0);
    assert.match(r.stderr, /Warning: TenantCluster "typo-dev": team "devteem" does not exist/);
    assert.match(r.stderr, /Warning: TenantCluster "typo-dev": user "bobby" does not exist/);
    assert.match(r.stderr, /ClusterRole "veiw" does not exist in the tenant cluster/);
    assert.doesNotMatch(r.stderr, /ClusterRole "view"/);
    await h.server.settle();
    const ok = await h.kubectl(['apply', '-f', '-'], { input: `
apiVersion: management.portcullis.io/v1
kind: TenantCluster
metadata: {name: typo-dev}
spec: {project: payments, access: {rules: [{users: [bob], clusterRole: view}]}}
` });
    assert.doesNotMatch(ok.stderr, /Warning/);
    await h.kubectl(['delete', 'tc', 'typo-dev']);
    await h.server.settle();
  });

  it('refuses to delete a project with tenant clusters unless asked to cascade', async () => {
    const r = await h.kubectl(['delete', 'project', 'payments', '--wait=false'], { allowFail: true });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /project still has 1 tenant cluster\(s\) \(payments-dev\)/);
    await h.kubectl(['annotate', 'project', 'payments', 'management.portcullis.io/cascade-delete=true']);
    await h.kubectl(['delete', 'project', 'payments', '--wait=false']);
    await h.server.settle();
    assert.equal((await h.kubectl(['get', 'tc', '-o', 'name'])).stdout.trim(), '');
    assert.equal((await h.kubectl(['get', 'project', 'payments'], { allowFail: true })).code, 1);
    assert.doesNotMatch((await h.kubectl(['get', 'logicalclusters', '-o', 'name'])).stdout, new RegExp(TC));
  });
});
