// Cross-tenant isolation, by class: every kind of credential that belongs to tenant A (payments-dev) — a tenant
// admin's client certificate, an access key, a platform token, a ServiceAccount token, a Kubeconfig object's
// certificate and a browser session — works in A and is refused in cluster B (other-dev) and in root: nothing of
// B is read or written, and root's secrets and platform objects stay out of reach.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setupPlatform, startCredHarness, type CredHarness } from './credentials-harness.ts';
import { rawRequest, type RawOptions } from './security-http.ts';

const B_SECRET = 'b-private-value-7f3a';
const KUBECONFIG = `
apiVersion: management.portcullis.io/v1
kind: Kubeconfig
metadata: {name: a-robot, namespace: default}
spec:
  username: a-robot
  secretRef: {name: a-robot-kubeconfig}
  target: {tenantCluster: payments-dev}
  validity: 24h
  authorization:
    clusterRoleBindings: {cluster: payments-dev, clusterRoles: [view]}
`;

interface Credential { kind: string; options: RawOptions }

describe('security: cross-tenant isolation of every credential kind', () => {
  let h: CredHarness;
  const credentials: Credential[] = [];
  const req = (method: string, p: string, o: RawOptions = {}) => rawRequest(h.server.url, h.server.pki.caCertPem, method, p, o);
  const bearer = (token: string): RawOptions => ({ headers: { authorization: `Bearer ${token}` } });

  before(async () => {
    h = await startCredHarness();
    await setupPlatform(h);
    await h.kubectl(['--context', 'other-dev', '-n', 'app', 'create', 'secret', 'generic', 'b-private', `--from-literal=v=${B_SECRET}`]);
    await h.kubectl(['--context', 'other-dev', '-n', 'app', 'create', 'configmap', 'b-config', `--from-literal=v=${B_SECRET}`]);

    // a tenant admin's client certificate: cluster-admin of payments-dev through a binding there only
    await h.kubectl(['--context', 'payments-dev', 'create', 'clusterrolebinding', 'a-admin', '--clusterrole=cluster-admin', '--user=a-admin']);
    const cert = await h.server.pki.issueClientCert({ commonName: 'a-admin', organizations: [], validitySeconds: 3600 });
    credentials.push({ kind: 'tenant admin certificate', options: { cert } });

    // carol (view in payments-dev): her access key, a platform token for payments-dev, a browser session
    const login = await req('POST', '/platform/v1/login', { body: { username: 'carol', password: 'carol-password-1' } });
    const session = login.json().status.key as string;
    const made = await req('POST', '/apis/management.portcullis.io/v1/accesskeys', { ...bearer(session), body: {
      apiVersion: 'management.portcullis.io/v1', kind: 'AccessKey', metadata: { name: 'carol-ci' }, spec: { displayName: 'ci' } } });
    assert.equal(made.status, 201, made.body);
    credentials.push({ kind: 'access key', options: bearer(made.json().status.key as string) });
    const token = await req('POST', '/platform/v1/tokens', { ...bearer(session), body: { cluster: 'payments-dev' } });
    assert.equal(token.status, 201, token.body);
    credentials.push({ kind: 'platform token', options: bearer(token.json().status.token as string) });
    const origin = h.server.url;
    const browser = await req('POST', '/platform/v1/session/login', { headers: { origin }, body: { username: 'carol', password: 'carol-password-1' } });
    assert.equal(browser.status, 200, browser.body);
    const setCookie = browser.headers['set-cookie'];
    const cookies = (Array.isArray(setCookie) ? setCookie : [setCookie ?? '']).map((c) => c.split(';')[0]).join('; ');
    credentials.push({ kind: 'browser session', options: { headers: { cookie: cookies, origin, 'x-csrf-token': browser.json().status.csrfToken } } });

    // a ServiceAccount of payments-dev with cluster-admin there
    await h.kubectl(['--context', 'payments-dev', '-n', 'app', 'create', 'serviceaccount', 'robot']);
    await h.kubectl(['--context', 'payments-dev', 'create', 'clusterrolebinding', 'robot-admin', '--clusterrole=cluster-admin', '--serviceaccount=app:robot']);
    const sa = (await h.kubectl(['--context', 'payments-dev', '-n', 'app', 'create', 'token', 'robot'])).stdout.trim();
    credentials.push({ kind: 'ServiceAccount token', options: bearer(sa) });

    // a Kubeconfig object's certificate, targeted at payments-dev
    await h.kubectl(['create', '-f', '-'], { input: KUBECONFIG });
    await h.server.settle();
    await h.kubectl(['-n', 'default', 'wait', '--for=jsonpath={.status.phase}=Ready', 'kubeconfig/a-robot', '--timeout=20s']);
    const secret = JSON.parse((await h.kubectl(['-n', 'default', 'get', 'secret', 'a-robot-kubeconfig', '-o', 'json'])).stdout);
    const text = Buffer.from(secret.data.kubeconfig, 'base64').toString();
    const field = (name: string) => Buffer.from((text.match(new RegExp(`${name}: (\\S+)`)) ?? [])[1] ?? '', 'base64').toString();
    credentials.push({ kind: 'Kubeconfig certificate', options: { cert: { certPem: field('client-certificate-data'), keyPem: field('client-key-data') } } });
  });
  after(async () => { await h?.close(); });

  it('every credential works in its own cluster (the probes below are not vacuous)', async () => {
    assert.equal(credentials.length, 6);
    for (const c of credentials) {
      const r = await req('GET', '/clusters/payments-dev/api/v1/namespaces/app/configmaps/cfg', c.options);
      assert.equal(r.status, 200, `${c.kind} in payments-dev: ${r.body}`);
    }
  });

  it('no credential of tenant A reads or writes anything of cluster B', async () => {
    const reads = ['/api/v1/namespaces', '/api/v1/namespaces/app/configmaps/b-config', '/api/v1/namespaces/app/secrets/b-private',
      '/api/v1/secrets', '/api/v1/configmaps', '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', '/api/v1/namespaces/app/serviceaccounts'];
    for (const c of credentials) {
      for (const p of reads) {
        const r = await req('GET', `/clusters/other-dev${p}`, c.options);
        assert.ok(r.status === 401 || r.status === 403, `${c.kind} GET other-dev${p}: ${r.status} ${r.body.slice(0, 200)}`);
        assert.ok(!r.body.includes(B_SECRET), `${c.kind} GET other-dev${p} shows B's data`);
      }
      const write = await req('POST', '/clusters/other-dev/api/v1/namespaces/app/configmaps', { ...c.options,
        body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `from-a-${c.kind.replace(/\W+/g, '-').toLowerCase()}` } } });
      assert.ok(write.status === 401 || write.status === 403, `${c.kind} writes in other-dev: ${write.status}`);
      const del = await req('DELETE', '/clusters/other-dev/api/v1/namespaces/app/configmaps/b-config', c.options);
      assert.ok(del.status === 401 || del.status === 403, `${c.kind} deletes in other-dev: ${del.status}`);
    }
    const left = await h.kubectl(['--context', 'other-dev', '-n', 'app', 'get', 'configmaps', '-o', 'name']);
    assert.deepEqual(left.stdout.trim().split('\n').sort(), ['configmap/b-config', 'configmap/cfg', 'configmap/kube-root-ca.crt'].filter((n) => left.stdout.includes(n)).sort());
    assert.doesNotMatch(left.stdout, /from-a-/);
  });

  it('no credential of tenant A reaches root\'s secrets, clusters or platform objects', async () => {
    const reads = ['/api/v1/secrets', '/api/v1/namespaces/default/secrets/a-robot-kubeconfig', '/apis/tenancy.portcullis.io/v1alpha1/logicalclusters',
      '/apis/management.portcullis.io/v1/tenantclusters/other-dev', '/apis/management.portcullis.io/v1/kubeconfigs',
      '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings'];
    for (const c of credentials) {
      for (const p of reads) {
        const r = await req('GET', p, c.options);
        assert.ok(r.status === 401 || r.status === 403, `${c.kind} GET root${p}: ${r.status} ${r.body.slice(0, 200)}`);
      }
      const lc = await req('POST', '/apis/tenancy.portcullis.io/v1alpha1/logicalclusters', { ...c.options,
        body: { apiVersion: 'tenancy.portcullis.io/v1alpha1', kind: 'LogicalCluster', metadata: { name: 'a-made-this' } } });
      assert.ok(lc.status === 401 || lc.status === 403, `${c.kind} creates a LogicalCluster: ${lc.status}`);
    }
  });
});
