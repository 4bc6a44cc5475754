// End-to-end: the kubectl session against a real server — namespaces, service accounts,
// config maps, client-side and server-side apply, -A lists, watch, delete with wait, tokens, labels, patches.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, type Harness } from '../support/harness.ts';

const ROLE_YAML = `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: developer
  labels: { tier: dev }
rules:
- apiGroups: [""]
  resources: ["pods", "services", "configmaps"]
  verbs: ["get", "list", "watch", "create", "update", "patch"]
`;

describe('kubectl against Portcullis', () => {
  let h: Harness;
  before(async () => { h = await startHarness(); });
  after(async () => { await h?.close(); });

  it('reports a 1.32 server version', async () => {
    const r = await h.kubectl(['version', '-o', 'json']);
    const v = JSON.parse(r.stdout) as { serverVersion: { major: string; minor: string } };
    assert.equal(v.serverVersion.major, '1');
    assert.equal(v.serverVersion.minor, '32');
  });

  it('creates a namespace, a service account and a configmap (protobuf bodies)', async () => {
    assert.match((await h.kubectl(['create', 'namespace', 'team-a'])).stdout, /namespace\/team-a created/);
    assert.match((await h.kubectl(['-n', 'team-a', 'create', 'serviceaccount', 'developer'])).stdout, /serviceaccount\/developer created/);
    assert.match((await h.kubectl(['-n', 'team-a', 'create', 'configmap', 'app', '--from-literal=a=1'])).stdout, /configmap\/app created/);
    const cm = JSON.parse((await h.kubectl(['-n', 'team-a', 'get', 'configmap', 'app', '-o', 'json'])).stdout);
    assert.deepEqual(cm.data, { a: '1' });
    assert.match(cm.metadata.uid, /^[0-9a-f-]{36}$/);
    const dup = await h.kubectl(['create', 'namespace', 'team-a'], { allowFail: true });
    assert.notEqual(dup.code, 0);
    assert.match(dup.stderr, /AlreadyExists/);
  });

  it('applies a role client-side (default validation) and server-side', async () => {
    const file = h.writeFile('role.yaml', ROLE_YAML);
    assert.match((await h.kubectl(['-n', 'team-a', 'apply', '-f', file])).stdout, /role.rbac.authorization.k8s.io\/developer created/);
    assert.match((await h.kubectl(['-n', 'team-a', 'apply', '-f', file])).stdout, /unchanged/);
    const changed = h.writeFile('role2.yaml', ROLE_YAML.replace('tier: dev', 'tier: prod'));
    assert.match((await h.kubectl(['-n', 'team-a', 'apply', '-f', changed])).stdout, /configured/);
    const role = JSON.parse((await h.kubectl(['-n', 'team-a', 'get', 'role', 'developer', '-o', 'json'])).stdout);
    assert.equal(role.metadata.labels.tier, 'prod');
    assert.ok(role.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']);
    const ssa = await h.kubectl(['-n', 'team-a', 'apply', '--server-side', '--force-conflicts', '-f', changed]);
    assert.match(ssa.stdout, /serverside-applied/);
    const bad = h.writeFile('bad.yaml', ROLE_YAML.replace('rules:', 'rulez: []\nrules:'));
    const r = await h.kubectl(['-n', 'team-a', 'apply', '-f', bad], { allowFail: true });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /unknown field "rulez"/);
  });

  it('lists across namespaces with a NAMESPACE column', async () => {
    const r = await h.kubectl(['get', 'roles', '-A']);
    assert.match(r.stdout, /NAMESPACE\s+NAME\s+CREATED AT/);
    assert.match(r.stdout, /team-a\s+developer/);
    assert.match(r.stdout, /kube-system\s+system:controller:bootstrap-signer/);
  });

  it('labels and patches objects', async () => {
    await h.kubectl(['-n', 'team-a', 'label', 'configmap', 'app', 'env=test']);
    await h.kubectl(['-n', 'team-a', 'patch', 'configmap', 'app', '--type=merge', '-p', '{"data":{"b":"2"}}']);
    await h.kubectl(['-n', 'team-a', 'patch', 'configmap', 'app', '--type=json', '-p', '[{"op":"remove","path":"/data/a"}]']);
    const cm = JSON.parse((await h.kubectl(['-n', 'team-a', 'get', 'cm', '-l', 'env=test', '-o', 'json'])).stdout);
    assert.equal(cm.items.length, 1);
    assert.deepEqual(cm.items[0].data, { b: '2' });
  });

  it('issues a ServiceAccount token that authenticates as the ServiceAccount', async () => {
    const token = (await h.kubectl(['-n', 'team-a', 'create', 'token', 'developer', '--duration=1h'])).stdout.trim();
    assert.equal(token.split('.').length, 3);
    const kc = h.kubeconfigFor({ token });
    const r = await h.kubectl(['get', 'configmaps', '-n', 'team-a'], { kubeconfig: kc, allowFail: true });
    assert.match(r.stderr, /User "system:serviceaccount:team-a:developer" cannot list resource "configmaps"/);
    await h.kubectl(['-n', 'team-a', 'delete', 'serviceaccount', 'developer']);
    const after = await h.kubectl(['get', 'configmaps', '-n', 'team-a'], { kubeconfig: kc, allowFail: true });
    assert.match(after.stderr, /You must be logged in to the server .*no longer exists/);
  });

  it('watches namespaces and deletes one, waiting until it is gone', async () => {
    await h.kubectl(['create', 'namespace', 'team-w']);
    await h.kubectl(['-n', 'team-w', 'create', 'configmap', 'c1', '--from-literal=x=y']);
    const watch = h.kubectl(['get', 'ns', '-w', '--request-timeout=8s'], { allowFail: true });
    await new Promise((r) => setTimeout(r, 1000));
    const del = await h.kubectl(['delete', 'ns', 'team-w', '--timeout=30s']);
    assert.match(del.stdout, /namespace "team-w" deleted/);
    const gone = await h.kubectl(['get', 'ns', 'team-w'], { allowFail: true });
    assert.match(gone.stderr, /NotFound/);
    const w = await watch;
    assert.match(w.stdout, /team-w\s+Terminating/);
  });
});
