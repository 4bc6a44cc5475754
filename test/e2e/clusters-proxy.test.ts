// End-to-end: a second Portcullis server is a real connected cluster (real impersonation; in this process, so that
// killing and restarting it on the same port and data dir is quick). kubectl through the
// front's /clusters/prod: get/list/apply/delete/watch, auth can-i answered upstream, management access, incoming
// impersonation, a scoped key, role-mapping bindings upstream following access, upstream down (503) and back.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import https from 'node:https';
import path from 'node:path';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { parse as parseYaml, stringify } from 'yaml';
import { startHarness, type Harness } from '../support/harness.ts';
import { call, certFor, freePort, kubeconfigTo, type Cert } from './clusters-support.ts';

const BIN = path.resolve(import.meta.dirname, '../../bin/portcullis.mjs');
const CC = '/apis/management.portcullis.io/v1/connectedclusters';
const SETUP = `
${['alice', 'bob', 'carol'].map((n) => `apiVersion: management.portcullis.io/v1
kind: User
metadata: {name: ${n}}
spec: {displayName: ${n}}`).join('\n---\n')}
---
apiVersion: management.portcullis.io/v1
kind: Project
metadata: {name: payments}
spec: {displayName: Payments}
`;

function cliRun(h: Harness, admin: { cert: string; key: string } | undefined, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const full = !admin ? [BIN, ...args] : [BIN, ...args, '--server', h.server.url, '--ca-file', h.writeFile('front-ca.pem', h.server.pki.caCertPem), '--client-cert', admin.cert, '--client-key', admin.key];
  return new Promise((resolve) => {
    execFile(process.execPath, full, { env: { ...process.env, PORTCULLIS_CONFIG: path.join(h.dir, 'none.json') }, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? 1 : 0, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

describe('connected clusters: the impersonating proxy against a real upstream', () => {
  let h: Harness;
  let up: Harness;
  let upKubeconfig: string;
  let upDir: string;
  let upPort: number;
  let upToken: string;
  let admin: { cert: string; key: string };
  const u: Record<string, Cert> = {};
  const kc: Record<string, string> = {};
  const upstreamKubectl = (args: string[]) => h.kubectl(args, { kubeconfig: upKubeconfig });
  /** Portcullis' bindings upstream, as 'name=subject subject'. */
  const managed = async () => {
    const r = await upstreamKubectl(['get', 'clusterrolebindings', '-l', 'clusters.portcullis.io/managed-by=portcullis', '-o',
      'jsonpath={range .items[*]}{.metadata.name}={.subjects[*].name}{"\\n"}{end}']);
    return r.stdout.split('\n').filter(Boolean).sort();
  };
  const startUpstream = () => startHarness({ dataDir: upDir, config: { listen: `127.0.0.1:${upPort}` } });

  before(async () => {
    upDir = mkdtempSync(path.join(os.tmpdir(), 'portcullis-upstream-'));
    upPort = await freePort();
    [h, up] = await Promise.all([startHarness(), startUpstream()]);
    upKubeconfig = up.kubeconfig;
    // Upstream: the proxy's ServiceAccount with exactly the RBAC `portcullis clusters rbac` prints.
    await upstreamKubectl(['create', 'serviceaccount', 'portcullis-proxy', '-n', 'default']);
    const masters = await certFor(h, 'root-admin', ['system:masters']);
    admin = { cert: h.writeFile('admin.crt', masters.certPem), key: h.writeFile('admin.key', masters.keyPem) };
    const rbac = await cliRun(h, undefined, ['clusters', 'rbac', '--service-account', 'default/portcullis-proxy']);
    assert.equal(rbac.code, 0, rbac.stderr);
    await h.kubectl(['apply', '-f', '-'], { kubeconfig: upKubeconfig, input: rbac.stdout });
    upToken = (await upstreamKubectl(['create', 'token', 'portcullis-proxy', '-n', 'default', '--duration', '2h'])).stdout.trim();
    const upKc = parseYaml(readFileSync(upKubeconfig, 'utf8')) as { clusters: Array<{ cluster: Record<string, string> }> };
    h.writeFile('upstream.kubeconfig', stringify({
      apiVersion: 'v1', kind: 'Config', 'current-context': 'up',
      clusters: [{ name: 'up', cluster: { server: up.server.url, 'certificate-authority-data': upKc.clusters[0].cluster['certificate-authority-data'] } }],
      users: [{ name: 'proxy', user: { token: upToken } }],
      contexts: [{ name: 'up', context: { cluster: 'up', user: 'proxy' } }],
    }));
    await h.kubectl(['apply', '-f', '-'], { input: SETUP });
    for (const n of ['alice', 'bob', 'carol']) { u[n] = await certFor(h, n); kc[n] = kubeconfigTo(h, 'prod', u[n], `${n}.kubeconfig`); }
  });
  after(async () => {
    await up?.close();
    await h?.close();
    if (upDir) rmSync(upDir, { recursive: true, force: true });
  });

  it('connects: the ConnectedCluster is reachable, the credential is neither printed nor returned', async () => {
    const r = await cliRun(h, admin, ['clusters', 'connect', 'prod', '--kubeconfig', path.join(h.dir, 'upstream.kubeconfig'), '--project', 'payments']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /clusters\/prod/);
    assert.match(r.stdout, /impersonate/);
    assert.ok(!r.stdout.includes(upToken) && !r.stderr.includes(upToken));
    await h.kubectl(['patch', 'connectedcluster', 'prod', '--type=merge', '-p', '{"spec":{"access":{"rules":[{"users":["alice"],"clusterRole":"edit"}]}}}']);
    await h.server.settle();
    const cc = await h.kubectl(['get', 'connectedcluster', 'prod', '-o', 'json']);
    assert.ok(!cc.stdout.includes(upToken) && !cc.stdout.includes(Buffer.from(upToken).toString('base64')));
    const status = JSON.parse(cc.stdout).status;
    assert.equal(status.reachable, true, JSON.stringify(status));
    assert.match(status.serverVersion, /^v1\./);
    // A plain-http or metadata-address upstream is refused.
    const bad = await h.kubectl(['apply', '-f', '-'], { allowFail: true, input: stringify({ apiVersion: 'management.portcullis.io/v1', kind: 'ConnectedCluster', metadata: { name: 'plain' }, spec: { project: 'payments', server: 'http://10.0.0.1:6443' } }) });
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /https/);
  });

  it('role mapping: bindings upstream follow access; kubectl as alice (edit) works through the proxy', async () => {
    assert.deepEqual(await managed(), ['portcullis:access:cluster-admin=admin', 'portcullis:access:edit=alice']);
    const cm = stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'web', namespace: 'default' }, data: { a: '1' } });
    await h.kubectl(['apply', '-f', '-'], { kubeconfig: kc.alice, input: cm });
    assert.equal((await upstreamKubectl(['get', 'configmap', 'web', '-n', 'default', '-o', 'jsonpath={.data.a}'])).stdout, '1', 'created upstream');
    const list = await h.kubectl(['get', 'configmaps', '-n', 'default', '-o', 'name'], { kubeconfig: kc.alice });
    assert.match(list.stdout, /configmap\/web/);
    // auth can-i is answered upstream for the impersonated identity (edit: configmaps yes, bindings no)
    assert.equal((await h.kubectl(['auth', 'can-i', 'create', 'deployments', '-n', 'default'], { kubeconfig: kc.alice, allowFail: true })).stdout.trim(), 'yes');
    assert.equal((await h.kubectl(['auth', 'can-i', 'create', 'clusterrolebindings'], { kubeconfig: kc.alice, allowFail: true })).stdout.trim(), 'no');
    const who = await h.kubectl(['auth', 'whoami', '-o', 'json'], { kubeconfig: kc.alice });
    const info = JSON.parse(who.stdout).status.userInfo;
    assert.equal(info.username, 'alice');
    assert.ok(!info.groups.includes('system:masters'));
    assert.match(info.extra['original-user-info.portcullis.io'][0], /"username":"alice"/);
    await h.kubectl(['delete', 'configmap', 'web', '-n', 'default'], { kubeconfig: kc.alice });
    assert.notEqual((await h.kubectl(['get', 'configmap', 'web', '-n', 'default'], { kubeconfig: upKubeconfig, allowFail: true })).code, 0);
  });

  it('role mapping is an escalation path: a writer of the ConnectedCluster binds upstream only what he holds there', async () => {
    // alice (edit upstream through the mapping) may update the ConnectedCluster in root, as a delegated operator
    await h.kubectl(['create', 'clusterrole', 'cc-writer', '--verb=get,update,patch', '--resource=connectedclusters.management.portcullis.io']);
    await h.kubectl(['create', 'clusterrolebinding', 'cc-writer', '--clusterrole=cc-writer', '--user=alice']);
    await h.server.settle();
    const asAlice = kubeconfigTo(h, 'root', u.alice, 'alice-root.kubeconfig');
    const patch = (spec: unknown) => h.kubectl(['patch', 'connectedcluster', 'prod', '--type=merge', '-p', JSON.stringify({ spec })],
      { kubeconfig: asAlice, allowFail: true });
    const grab = await patch({ access: { rules: [{ users: ['alice'], clusterRole: 'edit' }, { users: ['alice'], clusterRole: 'cluster-admin' }] } });
    assert.notEqual(grab.code, 0);
    assert.match(grab.stderr, /binding ClusterRole "cluster-admin" in connected cluster "prod"/);
    const owner = await patch({ owner: { user: 'alice' } });
    assert.notEqual(owner.code, 0);
    assert.match(owner.stderr, /Forbidden|forbidden/);
    const uid = async () => (await upstreamKubectl(['get', 'clusterrolebinding', 'portcullis:access:edit', '-o', 'jsonpath={.metadata.uid}'])).stdout;
    const before = await uid();
    const same = await patch({ access: { rules: [{ users: ['alice', 'carol'], clusterRole: 'edit' }] } });
    assert.equal(same.code, 0, `binding edit, which she holds there, is fine: ${same.stderr}`);
    await h.server.settle();
    assert.deepEqual(await managed(), ['portcullis:access:cluster-admin=admin', 'portcullis:access:edit=alice carol']);
    assert.equal(await uid(), before, 'carol joined the binding in place: alice kept it throughout');
    await h.kubectl(['patch', 'connectedcluster', 'prod', '--type=merge', '-p', '{"spec":{"access":{"rules":[{"users":["alice"],"clusterRole":"edit"}]}}}']);
    await h.server.settle();
    assert.deepEqual(await managed(), ['portcullis:access:cluster-admin=admin', 'portcullis:access:edit=alice']);
  });

  it('project admins and team members get the default role upstream: writing them needs what it gives there', async () => {
    await h.kubectl(['create', 'clusterrole', 'dir-writer', '--verb=get,update,patch',
      '--resource=projects.management.portcullis.io,teams.management.portcullis.io']);
    await h.kubectl(['create', 'clusterrolebinding', 'dir-writer', '--clusterrole=dir-writer', '--user=alice']);
    // the platform's own check of team membership (impersonate the team's group) passes: the upstream one must refuse
    await h.kubectl(['create', 'clusterrole', 'team-group', '--verb=impersonate', '--resource=groups',
      '--resource-name=portcullis:team:prod-admins']);
    await h.kubectl(['create', 'clusterrolebinding', 'team-group', '--clusterrole=team-group', '--user=alice']);
    await h.kubectl(['apply', '-f', '-'], { input: `apiVersion: management.portcullis.io/v1
kind: Team
metadata: {name: prod-admins}
spec: {members: [admin]}
` });
    await h.kubectl(['patch', 'project', 'payments', '--type=merge', '-p', '{"spec":{"members":[{"team":"prod-admins","role":"admin"}]}}']);
    await h.server.settle();
    const asAlice = kubeconfigTo(h, 'root', u.alice, 'alice-dir.kubeconfig');
    const self = await h.kubectl(['patch', 'project', 'payments', '--type=merge', '-p',
      '{"spec":{"members":[{"team":"prod-admins","role":"admin"},{"user":"alice","role":"admin"}]}}'], { kubeconfig: asAlice, allowFail: true });
    assert.notEqual(self.code, 0);
    assert.match(self.stderr, /gives ClusterRole "cluster-admin" in connected cluster "prod"/);
    const join = await h.kubectl(['patch', 'team', 'prod-admins', '--type=merge', '-p', '{"spec":{"members":["admin","alice"]}}'],
      { kubeconfig: asAlice, allowFail: true });
    assert.notEqual(join.code, 0);
    assert.match(join.stderr, /gives ClusterRole "cluster-admin" in connected cluster "prod"/);
    await h.kubectl(['patch', 'project', 'payments', '--type=merge', '-p', '{"spec":{"members":[]}}']);
    await h.kubectl(['delete', 'team', 'prod-admins']);
    await h.kubectl(['delete', 'clusterrolebinding', 'dir-writer', 'team-group']);
    await h.server.settle();
  });

  it('management access and impersonation are Portcullis\' decisions, before anything goes upstream', async () => {
    const bob = await h.kubectl(['get', 'configmaps', '-n', 'default'], { kubeconfig: kc.bob, allowFail: true });
    assert.notEqual(bob.code, 0);
    assert.match(bob.stderr, /User "bob" has no management access to connected cluster "prod"/);
    // alice may not impersonate anyone in Portcullis: her --as never reaches the upstream
    const as = await h.kubectl(['get', 'configmaps', '-n', 'default', '--as', 'admin'], { kubeconfig: kc.alice, allowFail: true });
    assert.notEqual(as.code, 0);
    assert.match(as.stderr, /cannot impersonate/);
    // a raw Impersonate-Group header from alice is refused too (not forwarded)
    const raw = await new Promise<number>((resolve, reject) => {
      const req = https.request(`${h.server.url}/clusters/prod/api/v1/namespaces/default/configmaps`, {
        ca: h.server.pki.caCertPem, cert: u.alice.certPem, key: u.alice.keyPem, agent: false, headers: { 'Impersonate-User': 'alice', 'Impersonate-Group': 'system:masters' },
      }, (res) => { res.resume(); resolve(res.statusCode ?? 0); });
      req.on('error', reject);
      req.end();
    });
    assert.equal(raw, 403);
    // system:masters in Portcullis is not system:masters upstream; the front's admin impersonating alice is alice there
    const asAlice = await h.kubectl(['auth', 'can-i', 'create', 'clusterrolebindings', '--as', 'alice'], { kubeconfig: kubeconfigTo(h, 'prod', await certFor(h, 'admin', ['system:masters']), 'masters.kubeconfig'), allowFail: true });
    assert.equal(asAlice.stdout.trim(), 'no');
  });

  it('a key scoped to one namespace of prod is refused elsewhere', async () => {
    const created = await h.request('POST', '/apis/management.portcullis.io/v1/accesskeys', { body: {
      apiVersion: 'management.portcullis.io/v1', kind: 'AccessKey', metadata: { generateName: 'alice-' },
      spec: { user: 'alice', displayName: 'ci', scope: { namespaces: [{ cluster: 'prod', namespace: 'default' }] } },
    } });
    assert.equal(created.status, 201, created.body);
    const key = { token: created.json().status.key as string };
    assert.equal((await call(h, 'GET', '/clusters/prod/api/v1/namespaces/default/configmaps', key)).status, 200);
    // an HTTP/1.1 request body (Content-Length) reaches the upstream whole
    const made = await call(h, 'POST', '/clusters/prod/api/v1/namespaces/default/configmaps', key,
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'from-key' }, data: { k: 'v'.repeat(100_000) } });
    assert.equal(made.status, 201, made.body);
    assert.equal(made.json().data.k.length, 100_000);
    const other = await call(h, 'GET', '/clusters/prod/api/v1/namespaces/kube-system/configmaps', key);
    assert.equal(other.status, 403);
    assert.match(other.json().message, /namespace "kube-system" in cluster "prod" is outside its scope/);
    assert.equal((await call(h, 'GET', '/clusters/prod/api/v1/configmaps', key)).status, 403, 'cluster-wide');
  });

  it('a watch across the proxy sees every event exactly once', async () => {
    const list = await call(h, 'GET', '/clusters/prod/api/v1/namespaces/default/configmaps', u.alice);
    const rv = list.json().metadata.resourceVersion;
    const events: string[] = [];
    let stop!: () => void;
    const done = new Promise<void>((resolve, reject) => {
      const req = https.request(`${h.server.url}/clusters/prod/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=${rv}`, {
        ca: h.server.pki.caCertPem, cert: u.alice.certPem, key: u.alice.keyPem, agent: false,
      }, (res) => {
        let buf = '';
        res.on('data', (c: Buffer) => {
          buf += c.toString();
          let i: number;
          while ((i = buf.indexOf('\n')) >= 0) {
            const ev = JSON.parse(buf.slice(0, i)) as { type: string; object: { metadata: { name: string } } };
            buf = buf.slice(i + 1);
            if (ev.type !== 'BOOKMARK') events.push(`${ev.type} ${ev.object.metadata.name}`);
            if (events.length === 5) resolve();
          }
        });
      });
      req.on('error', (e) => { if (events.length < 5) reject(e); });
      stop = () => req.destroy();
      req.end();
    });
    for (const n of ['w1', 'w2', 'w3']) await upstreamKubectl(['create', 'configmap', n, '-n', 'default']);
    await upstreamKubectl(['label', 'configmap', 'w1', '-n', 'default', 'x=y']);
    await upstreamKubectl(['delete', 'configmap', 'w2', '-n', 'default']);
    await done;
    stop();
    assert.deepEqual(events, ['ADDED w1', 'ADDED w2', 'ADDED w3', 'MODIFIED w1', 'DELETED w2']);
  });

  it('access changes remove bindings upstream; audit names the original and the impersonated user', async () => {
    await h.kubectl(['patch', 'connectedcluster', 'prod', '--type=merge', '-p', '{"spec":{"access":{"rules":[{"users":["carol"],"clusterRole":"view"}]}}}']);
    await h.server.settle();
    assert.deepEqual(await managed(), ['portcullis:access:cluster-admin=admin', 'portcullis:access:view=carol']);
    const alice = await h.kubectl(['get', 'configmaps', '-n', 'default'], { kubeconfig: kc.alice, allowFail: true });
    assert.match(alice.stderr, /no management access/);
    assert.equal((await h.kubectl(['auth', 'can-i', 'create', 'configmaps', '-n', 'default'], { kubeconfig: kc.carol, allowFail: true })).stdout.trim(), 'no');
    // The audit sink writes in the background: wait for the event to land.
    let line: string | undefined;
    for (let i = 0; i < 100 && !line; i++) {
      const audit = readFileSync(path.join(h.dir, 'data', 'audit.log'), 'utf8');
      line = audit.split('\n').find((l) => l.includes('clusters.portcullis.io/upstream-user') && l.includes('"username":"carol"'));
      if (!line) await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(line, 'an audit event for carol through the proxy');
    assert.match(line!, /clusters.portcullis.io\/original-user/);
  });

  it('a binding of our name made upstream by someone else is never written into, and the status says so', async () => {
    // whoever may bind cluster-admin upstream names a binding as Portcullis would, unlabelled: bob (edit) must not land in it
    await upstreamKubectl(['create', 'clusterrolebinding', 'portcullis:access:edit', '--clusterrole=cluster-admin']);
    const rules = (r: unknown[]) => h.kubectl(['patch', 'connectedcluster', 'prod', '--type=merge', '-p', JSON.stringify({ spec: { access: { rules: r } } })]);
    await rules([{ users: ['carol'], clusterRole: 'view' }, { users: ['bob'], clusterRole: 'edit' }]);
    await h.server.settle();
    const squat = JSON.parse((await upstreamKubectl(['get', 'clusterrolebinding', 'portcullis:access:edit', '-o', 'json'])).stdout);
    assert.equal(squat.roleRef.name, 'cluster-admin');
    assert.equal(squat.subjects, undefined, 'bob was not added to a binding of cluster-admin');
    const status = JSON.parse((await h.kubectl(['get', 'connectedcluster', 'prod', '-o', 'json'])).stdout).status;
    assert.match(status.message, /ClusterRoleBinding\(s\) "portcullis:access:edit" exist upstream and are not Portcullis'/);
    assert.deepEqual(await managed(), ['portcullis:access:cluster-admin=admin', 'portcullis:access:view=carol']);
    await upstreamKubectl(['delete', 'clusterrolebinding', 'portcullis:access:edit']);
    // a binding no longer wanted whose deletion is held by a finalizer is emptied: carol does not keep view meanwhile
    const hold = (finalizers: string[] | null) => upstreamKubectl(['patch', 'clusterrolebinding', 'portcullis:access:view', '--type=merge',
      '-p', JSON.stringify({ metadata: { finalizers } })]);
    await hold(['example.com/hold']);
    await rules([{ users: ['bob'], clusterRole: 'edit' }]);
    await h.server.settle();
    const held = JSON.parse((await upstreamKubectl(['get', 'clusterrolebinding', 'portcullis:access:view', '-o', 'json'])).stdout);
    assert.ok(held.metadata.deletionTimestamp);
    assert.deepEqual(held.subjects ?? [], []);
    assert.equal(JSON.parse((await h.kubectl(['get', 'connectedcluster', 'prod', '-o', 'json'])).stdout).status.message, 'connected');
    await hold(null);
    await rules([{ users: ['carol'], clusterRole: 'view' }]);
    await h.server.settle();
    assert.deepEqual(await managed(), ['portcullis:access:cluster-admin=admin', 'portcullis:access:view=carol']);
  });

  it('upstream down: 503 naming the cluster; restarted: requests work again', async () => {
    await up.close();
    const down = await call(h, 'GET', '/clusters/prod/api/v1/namespaces/default/configmaps', u.carol);
    assert.equal(down.status, 503);
    assert.match(down.json().message, /connected cluster "prod" is unavailable/);
    up = await startUpstream();
    const again = await call(h, 'GET', '/clusters/prod/api/v1/namespaces/default/configmaps', u.carol);
    assert.equal(again.status, 200, again.body);
  });

  it('deleting the ConnectedCluster removes its bindings upstream, then the cluster and its credential', async () => {
    await h.kubectl(['delete', 'connectedcluster', 'prod', '--wait=false']);
    await h.server.settle();
    assert.deepEqual(await managed(), []);
    assert.notEqual((await h.kubectl(['get', 'connectedcluster', 'prod'], { allowFail: true })).code, 0);
    // gone: an unknown cluster answers like one carol may not see (403 before existence is revealed)
    assert.equal((await call(h, 'GET', '/clusters/prod/api/v1/namespaces/default/configmaps', u.carol)).status, 403);
    assert.equal((await h.kubectl(['get', 'secret', 'prod', '-n', 'portcullis-connected-clusters'], { allowFail: true })).code !== 0, true,
      'the credential Secret is collected with its owner');
  });
});
