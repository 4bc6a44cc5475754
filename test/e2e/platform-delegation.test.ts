// End-to-end: delegated authorization (seed 001). `nodes` requests into a tenant are decided by the host
// cluster's RBAC for the requesting user, sent as the tenant's host ServiceAccount; other resources by the tenant.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, type Harness } from '../support/harness.ts';
import { userCreds, type UserCreds } from './platform-helpers.ts';

/** `kubectl auth can-i` as the user: true for "yes"; a "no" may carry the denial reason ("no - ..."). */
async function canI(h: Harness, u: UserCreds, context: string, ...args: string[]): Promise<boolean> {
  const r = await h.kubectl(['auth', 'can-i', ...args], { kubeconfig: u.kubeconfig(context), allowFail: true });
  const out = r.stdout.trim();
  if (out === 'yes') return true;
  if (out === 'no' || out.startsWith('no - ')) return false;
  throw new Error(`auth can-i ${args.join(' ')} in ${context}: ${r.stderr}${r.stdout}`);
}

const SETUP = `
apiVersion: management.portcullis.io/v1
kind: User
metadata: {name: bob}
spec: {displayName: Bob}
---
apiVersion: management.portcullis.io/v1
kind: Project
metadata: {name: payments}
spec: {}
---
apiVersion: management.portcullis.io/v1
kind: TenantCluster
metadata: {name: payments-dev}
spec:
  project: payments
  owner: {user: bob}
---
apiVersion: management.portcullis.io/v1
kind: TenantCluster
metadata: {name: no-sar}
spec:
  project: payments
  owner: {user: bob}
  rbac: {clusterRole: {enabled: false}}
---
apiVersion: management.portcullis.io/v1
kind: TenantCluster
metadata: {name: custom}
spec:
  project: payments
  owner: {user: bob}
  delegation:
    resources: [{group: apps, resource: deployments}]
    nonResourceURLs: [/logs/*]
`;

const GRANT = `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: node-reader}
rules:
- {apiGroups: [""], resources: [nodes], verbs: [get, list, watch]}
- {nonResourceURLs: [/logs/*], verbs: [get]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: bob-reads-nodes}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: node-reader}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: bob}]
`;

describe('platform: delegated authorization', () => {
  let h: Harness;
  let bob: UserCreds;
  const getNodes = (cluster: string) => h.kubectl(['get', 'nodes'], { kubeconfig: bob.kubeconfig(cluster), allowFail: true });

  before(async () => {
    h = await startHarness();
    await h.kubectl(['apply', '-f', '-'], { input: SETUP });
    await h.server.settle();
    bob = await userCreds(h, 'bob');
  });
  after(async () => { await h?.close(); });

  it('denies nodes when the host does not allow the user, although the tenant RBAC would', async () => {
    assert.equal(await canI(h, bob, 'payments-dev', 'create', 'clusterroles'), true); // cluster-admin inside
    const r = await getNodes('payments-dev');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /User "bob" cannot list resource "nodes" in API group "" at the cluster scope: delegated to host cluster "host": denied by the host/);
    assert.equal(await canI(h, bob, 'payments-dev', 'get', 'pods'), true); // not delegated: the tenant decides
  });

  it('allows nodes once the host grants them to the user, and denies again when revoked', async () => {
    await h.kubectl(['--context', 'host', 'apply', '-f', '-'], { input: GRANT });
    await h.server.settle();
    const ok = await getNodes('payments-dev');
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(await canI(h, bob, 'payments-dev', 'watch', 'nodes'), true);
    assert.equal(await canI(h, bob, 'payments-dev', 'delete', 'nodes'), false); // the host grants reads only
    const why = await h.kubectl(['auth', 'can-i', 'delete', 'nodes'], { kubeconfig: bob.kubeconfig('payments-dev'), allowFail: true });
    assert.match(why.stdout, /no - delegated to host cluster "host": denied by the host/);

    await h.kubectl(['--context', 'host', 'delete', 'clusterrolebinding', 'bob-reads-nodes']);
    await h.server.settle();
    assert.match((await getNodes('payments-dev')).stderr, /delegated to host cluster "host": denied by the host/);
    await h.kubectl(['--context', 'host', 'apply', '-f', '-'], { input: GRANT });
    await h.server.settle();
  });

  it("denies when the tenant's host identity may not send reviews to the host", async () => {
    assert.equal((await getNodes('payments-dev')).code, 0);
    const r = await getNodes('no-sar');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /the tenant's host identity system:serviceaccount:tc-no-sar:vc-no-sar may not create subjectaccessreviews there/);
  });

  it('follows the tenant\'s delegation config: resources and non-resource paths', async () => {
    const nodes = await getNodes('custom'); // not delegated here: tenant RBAC (cluster-admin) decides
    assert.equal(nodes.code, 0, nodes.stderr);
    assert.equal(await canI(h, bob, 'custom', 'create', 'deployments'), false); // delegated; the host does not grant it
    assert.equal(await canI(h, bob, 'custom', 'create', 'statefulsets'), true);
    assert.equal(await canI(h, bob, 'custom', 'get', '/logs/app.log'), true); // delegated; node-reader grants /logs/*
    assert.equal(await canI(h, bob, 'custom', 'get', '/metrics'), true); // not delegated
  });
});
