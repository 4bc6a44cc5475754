// Escalation through every object that creates bindings (issue 12): a user with a small grant (view inside a tenant,
// and the right to write its TenantCluster, templates and Kubeconfigs in root) tries to gain more than he holds
// through each — Kubeconfig authorization, access rules, defaultClusterRole, owner, objects, templates' access and
// objects, host-tier RBAC, delegation — and is refused with a 403 naming what he lacks; a user who holds it is not.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startCredHarness, type CredHarness } from './credentials-harness.ts';
import { kubeconfigYaml, personalIdentity, type CertIdentity } from './security-helpers.ts';

const API = '/apis/management.portcullis.io/v1';
const TC = `${API}/tenantclusters/shop-dev`;
const TPL = `${API}/tenantclustertemplates/base`;
const ALL = [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }];
const CRB_ADMIN = (user: string) => `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: grab-${user}}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: ${user}}]
`;

const SETUP = `
apiVersion: management.portcullis.io/v1
kind: TenantClusterTemplate
metadata: {name: base}
spec: {displayName: Base}
---
apiVersion: management.portcullis.io/v1
kind: Project
metadata: {name: shop}
spec: {allowedTemplates: [base]}
---
apiVersion: management.portcullis.io/v1
kind: TenantCluster
metadata: {name: shop-dev}
spec:
  project: shop
  templateRef: {name: base}
  access: {rules: [{users: [carol], clusterRole: view}]}
---
apiVersion: management.portcullis.io/v1
kind: User
metadata: {name: devu}
spec: {displayName: Dev}
---
apiVersion: management.portcullis.io/v1
kind: Team
metadata: {name: ops}
spec: {members: [carol]}
---
apiVersion: v1
kind: Namespace
metadata: {name: dev-ns}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: tenant-writer}
rules:
- {apiGroups: [management.portcullis.io], resources: [tenantclusters, tenantclustertemplates], verbs: [get, list, create, update, patch]}
- {apiGroups: [management.portcullis.io], resources: [kubeconfigs], verbs: [create, get]}
- {apiGroups: [management.portcullis.io], resources: [users, teams, projects], verbs: [get, list, update, patch]}
- {apiGroups: [''], resources: [users], verbs: [impersonate], resourceNames: [dev, lead]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: tenant-writer}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: tenant-writer}
subjects:
- {apiGroup: rbac.authorization.k8s.io, kind: User, name: dev}
- {apiGroup: rbac.authorization.k8s.io, kind: User, name: lead}
`;

describe('security: escalation through every object that creates bindings', () => {
  let h: CredHarness;
  let dev: CertIdentity;
  let lead: CertIdentity;
  const refused = async (r: Promise<{ status: number; json(): any }>, ...patterns: RegExp[]) => {
    const res = await r;
    assert.equal(res.status, 403, JSON.stringify(res.json()));
    for (const p of patterns) assert.match(res.json().message, p);
  };

  before(async () => {
    h = await startCredHarness();
    await h.kubectl(['create', '-f', '-'], { input: SETUP });
    await h.server.settle();
    await h.kubectl(['--context', 'shop-dev', 'create', 'clusterrolebinding', 'dev-view', '--clusterrole=view', '--user=dev']);
    await h.kubectl(['--context', 'shop-dev', 'create', 'clusterrolebinding', 'lead-admin', '--clusterrole=cluster-admin', '--user=lead']);
    dev = await personalIdentity(h, 'dev');
    lead = await personalIdentity(h, 'lead');
    await h.server.settle();
  });
  after(async () => { await h?.close(); });

  it('Kubeconfig authorization: binding a role the writer does not hold in the cluster is refused', async () => {
    const ask = (name: string, roles: string[]) => dev.request('POST', `${API}/namespaces/dev-ns/kubeconfigs`,
      JSON.parse(kubeconfigYaml('dev-ns', name, { username: 'dev', target: 'shop-dev', roles })));
    await refused(ask('admin', ['cluster-admin']), /binding ClusterRole "cluster-admin" in cluster "shop-dev"/, /not currently held/);
    assert.equal((await ask('viewer', ['view'])).status, 201, 'binding what he holds is fine');
  });

  it('access rules, defaultClusterRole and owner: the role mapping cannot give the writer more than he holds', async () => {
    await refused(dev.request('PATCH', TC, { spec: { access: { rules: [{ users: ['dev'], clusterRole: 'cluster-admin' }] } } }),
      /spec\.access: binding ClusterRole "cluster-admin" in cluster "shop-dev" needs what making it directly would/, /not currently held/);
    await refused(dev.request('PATCH', TC, { spec: { access: { defaultClusterRole: 'admin', rules: [{ users: ['carol'], clusterRole: 'view' }] } } }),
      /binding ClusterRole "admin"/);
    await refused(dev.request('PATCH', TC, { spec: { owner: { user: 'dev' } } }), /binding ClusterRole "cluster-admin"/);
    const ok = await dev.request('PATCH', TC, { spec: { access: { rules: [{ users: ['carol'], clusterRole: 'view' }, { users: ['dev'], clusterRole: 'view' }] } } });
    assert.equal(ok.status, 200, `binding view, which he holds, is fine: ${JSON.stringify(ok.json())}`);
    const lifted = await lead.request('PATCH', TC, { spec: { access: { rules: [{ users: ['carol'], clusterRole: 'edit' }, { users: ['dev'], clusterRole: 'view' }] } } });
    assert.equal(lifted.status, 200, `a cluster-admin of the tenant may grant edit: ${JSON.stringify(lifted.json())}`);
  });

  it('objects of the TenantCluster and of its template: applied only if the writer could apply them directly', async () => {
    await refused(dev.request('PATCH', TC, { spec: { objects: CRB_ADMIN('dev') } }),
      /spec\.objects: ClusterRoleBinding "grab-dev" in cluster "shop-dev"/, /cannot create resource "clusterrolebindings"/);
    await refused(dev.request('PATCH', TC, { spec: { objects: 'apiVersion: v1\nkind: Secret\nmetadata: {name: planted, namespace: default}\n' } }),
      /cannot create resource "secrets" in API group "" in the namespace "default"/);
    await refused(dev.request('PATCH', TPL, { spec: { template: { objects: CRB_ADMIN('dev') } } }),
      /spec\.objects \(tenant cluster "shop-dev"\): ClusterRoleBinding "grab-dev"/);
    await refused(dev.request('PATCH', TPL, { spec: { template: { access: { defaultClusterRole: 'cluster-admin', rules: [{ users: ['dev'], clusterRole: 'admin' }] } } } }),
      /tenantclustertemplates.management.portcullis.io "base" is forbidden: spec\.access \(tenant cluster "shop-dev"\): binding ClusterRole "admin"/);
    // the holder of cluster-admin there may, and the RBAC object's own escalation check still applies to him
    const cm = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: from-template, namespace: default}\ndata: {a: "1"}\n';
    assert.equal((await lead.request('PATCH', TPL, { spec: { template: { objects: cm } } })).status, 200);
    await h.server.settle();
    assert.equal((await h.kubectl(['--context', 'shop-dev', '-n', 'default', 'get', 'configmap', 'from-template'], { allowFail: true })).code, 0);
  });

  it('host-tier RBAC: custom host rules need the writer to hold them in the host cluster, also for a new tenant', async () => {
    await refused(dev.request('PATCH', TC, { spec: { rbac: { clusterRole: { extraRules: ALL } } } }),
      /spec\.rbac\.clusterRole: ClusterRole "vc-shop-dev" in cluster "host"/, /not currently held/);
    await refused(dev.request('PATCH', TC, { spec: { rbac: { role: { extraRules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['get'] }] } } } }),
      /spec\.rbac\.role: Role "tc-shop-dev\/vc-shop-dev" in cluster "host"/);
    const fresh = (name: string, rbac?: unknown) => dev.request('POST', `${API}/tenantclusters`, {
      apiVersion: 'management.portcullis.io/v1', kind: 'TenantCluster', metadata: { name }, spec: { project: 'shop', ...(rbac ? { rbac } : {}) },
    });
    await refused(fresh('dev-own-x', { clusterRole: { extraRules: ALL } }), /ClusterRole "vc-dev-own-x" in cluster "host"/);
    assert.equal((await fresh('dev-own')).status, 201, 'a new tenant of his own, without custom host rules, is fine');
  });

  it('delegation: delegating a resource to the host needs every verb on it in the tenant', async () => {
    await refused(dev.request('PATCH', TC, { spec: { delegation: { resources: [{ group: '', resource: 'nodes' }, { group: '', resource: 'secrets' }] } } }),
      /spec\.delegation: delegating secrets to the host in cluster "shop-dev"/, /Resources:\["secrets"\], Verbs:\["\*"\]/);
    const ok = await lead.request('PATCH', TC, { spec: { delegation: { resources: [{ group: '', resource: 'nodes' }, { group: '', resource: 'secrets' }] } } });
    assert.equal(ok.status, 200, JSON.stringify(ok.json()));
  });

  it('Users, Teams and Projects: groups, global admin, team membership and project admin are granted only by holders', async () => {
    await refused(dev.request('PATCH', `${API}/users/devu`, { spec: { groups: ['system:masters'] } }),
      /spec\.groups: conferring group "system:masters" requires what impersonating it would \(impersonate on groups\/system:masters\)/);
    await refused(dev.request('PATCH', `${API}/users/devu`, { spec: { globalAdmin: true } }),
      /spec\.globalAdmin: binding ClusterRole "cluster-admin" in cluster "root"/, /not currently held/);
    await refused(dev.request('PATCH', `${API}/teams/ops`, { spec: { members: ['carol', 'devu'] } }), /impersonate on groups\/portcullis:team:ops/);
    await refused(dev.request('PATCH', `${API}/projects/shop`, { spec: { members: [{ user: 'devu', role: 'admin' }] } }),
      /spec\.members: binding ClusterRole "cluster-admin" \(project admin\) in cluster "shop-dev"/);
    // re-linking someone's account to an identity-provider account would hand it to whoever logs in as that one
    await refused(dev.request('PATCH', `${API}/users/devu`, { spec: { identity: { provider: 'corp' } } }),
      /spec\.identity: changing the account of user "devu" requires what impersonating them would \(impersonate on users\/devu\)/);
    assert.equal((await dev.request('PATCH', `${API}/users/devu`, { spec: { displayName: 'Dev Eloper' } })).status, 200, 'granting nothing is fine');
  });

  it('Team members: joining a team that administers a project needs what the team membership grants in its tenants', async () => {
    // impersonating the team's group is not what membership gives: project admins (and owners, rule subjects) get
    // ClusterRoles bound to them by name inside each tenant, which the writer must be able to bind himself.
    await h.kubectl(['create', '-f', '-'], { input: `apiVersion: management.portcullis.io/v1
kind: Team
metadata: {name: leads}
spec: {members: [lead]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: leads-impersonator}
rules: [{apiGroups: [''], resources: [groups], verbs: [impersonate], resourceNames: ['portcullis:team:leads']}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: leads-impersonator}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: leads-impersonator}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: dev}]
` });
    await h.kubectl(['patch', 'projects.management.portcullis.io', 'shop', '--type=merge', '-p',
      JSON.stringify({ spec: { members: [{ team: 'leads', role: 'admin' }] } })]);
    await h.server.settle();
    await refused(dev.request('PATCH', `${API}/teams/leads`, { spec: { members: ['lead', 'devu'] } }),
      /spec\.members: binding ClusterRole "cluster-admin" \(project admin of "shop"\) in cluster "shop-dev"/, /not currently held/);
    await h.server.settle();
    const team = JSON.parse((await h.kubectl(['get', 'teams.management.portcullis.io', 'leads', '-o', 'json'])).stdout);
    assert.deepEqual(team.spec.members, ['lead'], 'nothing joined');
  });

  it('IdentityProviders: an IdP asserts users and groups, so writing one needs what impersonating them would', async () => {
    // Its logins create Users with the groups it sends (no User admission runs for them): an IdP the writer points at
    // an issuer he runs would hand him any group bound in root, e.g. one bound to cluster-admin.
    await h.kubectl(['create', 'clusterrole', 'idp-writer', '--verb=create,update,patch,get',
      '--resource=identityproviders.management.portcullis.io']);
    await h.kubectl(['create', 'clusterrolebinding', 'idp-writer', '--clusterrole=idp-writer', '--user=dev']);
    await h.server.settle();
    const idp = (name: string, prefix: string, groups: boolean) => ({
      apiVersion: 'management.portcullis.io/v1', kind: 'IdentityProvider', metadata: { name },
      spec: { oidc: { issuer: 'https://127.0.0.1:9/', clientID: name, usernamePrefix: prefix,
        ...(groups ? { groupsClaim: 'groups' } : {}) } },
    });
    await refused(dev.request('POST', `${API}/identityproviders`, idp('rogue', 'rogue:', true)),
      /identityproviders\.management\.portcullis\.io "rogue" is forbidden/, /impersonate on groups/);
    await refused(dev.request('POST', `${API}/identityproviders`, idp('rogue-users', 'ru:', false)), /impersonate on users/);
    assert.equal((await h.kubectl(['get', 'identityproviders', 'rogue'], { allowFail: true })).code === 0, false, 'nothing created');
    // an administrator may; and a writer may not widen an existing IdP's mapping either
    await h.kubectl(['create', '-f', '-'], { input: JSON.stringify(idp('corp', 'corp:', false)) });
    await refused(dev.request('PATCH', `${API}/identityproviders/corp`, { spec: { oidc: { groupsClaim: 'groups', groupsPrefix: 'c:' } } }),
      /impersonate on groups/);
    assert.equal((await dev.request('PATCH', `${API}/identityproviders/corp`, { spec: { displayName: 'Corp' } })).status, 200,
      'changing what it shows grants nothing');
  });

  it('nothing the refused writes asked for exists', async () => {
    await h.server.settle();
    for (const b of ['grab-dev']) {
      assert.notEqual((await h.kubectl(['--context', 'shop-dev', 'get', 'clusterrolebinding', b], { allowFail: true })).code, 0);
    }
    const can = await dev.kubectl('shop-dev', ['auth', 'can-i', 'create', 'secrets', '-n', 'default']);
    assert.match(can.stdout, /^no/);
    const host = JSON.parse((await h.kubectl(['--context', 'host', 'get', 'clusterrole', 'vc-shop-dev', '-o', 'json'], { allowFail: true })).stdout || '{}');
    assert.ok(!JSON.stringify(host.rules ?? []).includes('"*"'), 'the host ClusterRole gained no wildcard');
  });
});
