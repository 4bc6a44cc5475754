// End-to-end: `portcullis explain` through the CLI and the server's /platform/v1/explain: allowed and
// denied cases at each step (impersonation, door, key scope, delegation, tenant RBAC), short names, who may ask,
// and the same requests through the chain and explain agreeing.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, type Harness } from '../support/harness.ts';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { userCreds, type UserCreds } from './platform-helpers.ts';
import { parseWords } from '../../src/cli/explain.ts';

const BIN = path.resolve(import.meta.dirname, '../../bin/portcullis.mjs');

/** `portcullis explain <flags> -- <words>` as the user (connection flags go before "--"). */
function cli(h: Harness, u: UserCreds, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const ca = h.writeFile('ca.pem', h.server.pki.caCertPem);
  const cut = args.indexOf('--');
  const full = [BIN, ...args.slice(0, cut), '--server', h.server.url, '--ca-file', ca, '--client-cert', u.certFile, '--client-key', u.keyFile, ...args.slice(cut)];
  return new Promise((resolve) => {
    execFile(process.execPath, full, { env: { ...process.env, PORTCULLIS_CONFIG: path.join(h.dir, 'no-config.json') }, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

const TC = 'payments-dev';
const SETUP = `
apiVersion: management.portcullis.io/v1
kind: User
metadata: {name: gadmin}
spec: {globalAdmin: true}
${['bob', 'carol'].map((n) => `---
apiVersion: management.portcullis.io/v1
kind: User
metadata: {name: ${n}}
spec: {}`).join('\n')}
---
apiVersion: management.portcullis.io/v1
kind: Team
metadata: {name: devteam}
spec: {members: [bob]}
---
apiVersion: management.portcullis.io/v1
kind: Project
metadata: {name: payments}
spec: {}
---
apiVersion: management.portcullis.io/v1
kind: TenantCluster
metadata: {name: ${TC}}
spec:
  project: payments
  access:
    rules:
    - {users: [bob], clusterRole: view}
    - {teams: [devteam], clusterRole: edit}
`;

describe('platform: explain', () => {
  let h: Harness;
  let gadmin: UserCreds;
  let bob: UserCreds;
  const explain = async (...args: string[]) => {
    const r = await cli(h, gadmin, ['explain', ...args]);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout;
  };

  before(async () => {
    h = await startHarness();
    await h.kubectl(['apply', '-f', '-'], { input: SETUP });
    await h.server.settle();
    gadmin = await userCreds(h, 'gadmin');
    bob = await userCreds(h, 'bob');
  });
  after(async () => { await h?.close(); });

  it('explains an allowed request layer by layer', async () => {
    const out = await explain('--user', 'bob', '--cluster', TC, '--', 'get', 'pods', '-n', 'default');
    const lines = out.trim().split('\n');
    assert.match(lines[0], /^Request: user "bob" \(groups: portcullis:team:devteam, system:authenticated\) get pods in namespace "default" in cluster "payments-dev"$/);
    assert.match(lines[1], /^1\. impersonation\s+-\s+no impersonation headers$/);
    assert.match(lines[2], /^2\. management access\s+ALLOW\s+management access: access-rule$/);
    assert.match(lines[3], /^3\. role mapping\s+-\s+matched access rule\(s\) #1 \(user "bob" → view\), #2 \(team "devteam" → edit\); ClusterRoles "edit", "view" bound by ClusterRoleBinding "portcullis:access:edit", ClusterRoleBinding "portcullis:access:view"$/);
    assert.match(lines[4], /^4\. credential scope\s+-\s+the credential is not scoped$/);
    assert.match(lines[5], /^5\. system:masters\s+-\s+not a member of "system:masters"$/);
    // the authorizer union's order: delegation, then RBAC
    assert.match(lines[6], /^6\. delegation\s+-\s+resource "pods" is not delegated \(delegated: nodes\)$/);
    assert.match(lines[7], /^7\. tenant RBAC\s+ALLOW\s+RBAC: allowed by ClusterRoleBinding "portcullis:access:(edit|view)" of ClusterRole "(edit|view)" to User "bob"$/);
    assert.match(lines[8], /^Result: ALLOWED by tenant RBAC: RBAC: allowed by ClusterRoleBinding/);
  });

  it('explains a request the tenant RBAC denies', async () => {
    const out = await explain('--user', 'bob', '--cluster', TC, '--', 'create', 'clusterroles');
    assert.match(out, /7\. tenant RBAC\s+DENY\s+no RBAC binding in "payments-dev" grants this to User "bob" or its groups/);
    assert.match(out, /Result: DENIED by tenant RBAC/);
    const can = await h.kubectl(['auth', 'can-i', 'create', 'clusterroles'], { kubeconfig: bob.kubeconfig(TC), allowFail: true });
    assert.match(can.stdout, /^no/); // explain agrees with the server's own decision
  });

  it('explains a denial at the door, and one by the host (delegation)', async () => {
    const door = await explain('--user', 'carol', '--cluster', TC, '--', 'get', 'pods');
    assert.match(door, /2\. management access\s+DENY\s+User "carol" has no management access to tenant cluster "payments-dev"/);
    assert.match(door, /7\. tenant RBAC\s+DENY .*\(not reached\)/);
    assert.match(door, /Result: DENIED by management access/);
    const nodes = await explain('--user', 'bob', '--cluster', TC, '--', 'list', 'no');
    assert.match(nodes, /list nodes in cluster/);
    assert.match(nodes, /7\. tenant RBAC\s+DENY .*\(not reached\)/);
    assert.match(nodes, /6\. delegation\s+DENY\s+delegated to host cluster "host": denied by the host: no RBAC rule allows it/);
    assert.match(nodes, /Result: DENIED by delegation/);
  });

  it('resolves short names and groups, and prints JSON', async () => {
    const r = await cli(h, gadmin, ['explain', '--user', 'bob', '--cluster', TC, '-o', 'json', '--', 'create', 'deploy', 'web', '-n', 'default']);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.deepEqual(j.request, { user: { username: 'bob', groups: ['portcullis:team:devteam', 'system:authenticated'] }, cluster: TC, tenant: true, verb: 'create', resource: 'deployments', group: 'apps', namespace: 'default', name: 'web' });
    assert.equal(j.decision, 'allow');
    assert.equal(j.decidedBy, 'tenant-rbac');
  });

  it('is refused to callers who may not review others\' access', async () => {
    const r = await cli(h, bob, ['explain', '--user', 'carol', '--cluster', TC, '--', 'get', 'pods']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /User "bob" may not explain other users' access/);
  });

  it('agrees with the chain: key scope, impersonation, the door, system:masters, delegation, RBAC', async () => {
    const key = async (name: string, scope?: unknown) => {
      const r = await h.request('POST', '/apis/management.portcullis.io/v1/accesskeys', { body: {
        apiVersion: 'management.portcullis.io/v1', kind: 'AccessKey', metadata: { name },
        spec: { user: 'bob', displayName: name, scope },
      } });
      assert.equal(r.status, 201, r.body);
      return { secret: r.json().status.key as string, credential: `accesskey:${name}` };
    };
    const plain = await key('bob-all');
    const scoped = await key('bob-default', { namespaces: [{ cluster: TC, namespace: 'default' }] });
    await h.server.settle();
    type Case = {
      as: 'admin' | typeof plain; verb: string; resource: string; namespace?: string;
      impersonate?: { user: string; groups?: string[] }; want: [decision: 'allow' | 'deny', decidedBy: string];
    };
    const pods = { verb: 'list', resource: 'pods', namespace: 'default' };
    const cases: Case[] = [
      { as: plain, verb: 'list', resource: 'pods', namespace: 'default', want: ['allow', 'tenant-rbac'] },
      { as: scoped, verb: 'list', resource: 'pods', namespace: 'default', want: ['allow', 'tenant-rbac'] },
      { as: scoped, verb: 'list', resource: 'pods', namespace: 'kube-system', want: ['deny', 'credential-scope'] },
      { as: plain, verb: 'list', resource: 'pods', namespace: 'kube-system', want: ['allow', 'tenant-rbac'] },
      { as: scoped, verb: 'list', resource: 'namespaces', want: ['deny', 'credential-scope'] },
      { as: plain, verb: 'create', resource: 'clusterroles', want: ['deny', 'tenant-rbac'] },
      { as: plain, verb: 'list', resource: 'nodes', want: ['deny', 'delegation'] },
      { as: plain, ...pods, impersonate: { user: 'carol' }, want: ['deny', 'impersonation'] },
      { as: 'admin', ...pods, want: ['allow', 'system:masters'] },
      { as: 'admin', ...pods, impersonate: { user: 'carol' }, want: ['deny', 'management-access'] },
      { as: 'admin', ...pods, impersonate: { user: 'bob' }, want: ['allow', 'tenant-rbac'] },
      { as: 'admin', ...pods, impersonate: { user: 'bob', groups: ['system:masters'] },
        want: ['allow', 'system:masters'] },
    ];
    for (const c of cases) {
      const who = `${c.as === 'admin' ? 'admin' : c.as.credential}${c.impersonate ? ` as ${c.impersonate.user}` : ''}`;
      const what = `${who}: ${c.verb} ${c.resource} ${c.namespace ?? ''}`;
      const headers: Record<string, string | string[]> = {};
      if (c.as !== 'admin') headers.authorization = `Bearer ${c.as.secret}`;
      if (c.impersonate) {
        headers['impersonate-user'] = c.impersonate.user;
        if (c.impersonate.groups) headers['impersonate-group'] = c.impersonate.groups;
      }
      const group = c.resource === 'clusterroles' ? '/apis/rbac.authorization.k8s.io/v1' : '/api/v1';
      const p = `/clusters/${TC}${group}${c.namespace ? `/namespaces/${c.namespace}` : ''}/${c.resource}`;
      // (an array value goes out as one header line per value)
      const o = { anonymous: c.as !== 'admin', headers: headers as Record<string, string> };
      const http = c.verb === 'create'
        ? await h.request('POST', p, { ...o, body: { metadata: { name: 'x' }, rules: [] } })
        : await h.request('GET', p, o);
      const ex = await h.request('POST', '/platform/v1/explain', { body: {
        user: c.as === 'admin' ? 'admin' : 'bob', groups: c.as === 'admin' ? ['system:masters'] : undefined, cluster: TC,
        verb: c.verb, resource: c.resource, namespace: c.namespace,
        impersonate: c.impersonate, credential: c.as === 'admin' ? undefined : c.as.credential,
      } });
      assert.equal(ex.status, 200, ex.body);
      const j = ex.json();
      assert.deepEqual([j.decision, j.decidedBy], c.want, `explain ${what}: ${j.reason}`);
      const chain = http.status < 400 ? 'allow' : 'deny';
      assert.equal(chain, j.decision, `the chain ${what}: ${http.status} ${http.body.slice(0, 200)}`);
      if (j.decision === 'deny') assert.equal(http.status, 403, `${what}: ${http.body.slice(0, 200)}`);
    }
  });

  it('parses kubectl-like words', () => {
    assert.deepEqual(parseWords(['get', 'pods', '-n', 'default']), { verb: 'get', resource: 'pods', namespace: 'default' });
    assert.deepEqual(parseWords(['delete', 'deployments.apps/web', '--namespace=prod']), { verb: 'delete', resource: 'deployments', group: 'apps', name: 'web', namespace: 'prod' });
    assert.deepEqual(parseWords(['create', 'pods', 'p1', '--subresource', 'exec', '-n', 'x']), { verb: 'create', resource: 'pods', name: 'p1', subresource: 'exec', namespace: 'x' });
    assert.deepEqual(parseWords(['get', '/healthz']), { verb: 'get', path: '/healthz' });
    assert.throws(() => parseWords(['get']), /give a resource/);
    assert.throws(() => parseWords(['get', 'pods', '-x']), /unknown flag -x/);
  });
});
