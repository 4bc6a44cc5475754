// Security regressions of issue 12, one test per finding: tenant CRDs in reserved groups (3), JSON-patch passwords in
// the audit log (10), world-readable store files (11), unaudited and unthrottled password logins (12), credential
// routes revealing another user's credentials (14) and anonymous enumeration of tenant names (15).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { setupPlatform, startCredHarness, type CredHarness } from './credentials-harness.ts';
import { rawRequest, shape, type RawOptions } from './security-http.ts';

const TENANT_CRD = (group: string, plural: string, kind: string) => `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: ${plural}.${group}}
spec:
  group: ${group}
  scope: Cluster
  names: {plural: ${plural}, singular: ${kind.toLowerCase()}, kind: ${kind}}
  versions:
  - name: v1alpha1
    served: true
    storage: true
    schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
`;

describe('security: tenancy, audit, files and logins (issue 12)', () => {
  let h: CredHarness;
  let previousUmask = 0;
  const req = (method: string, p: string, o: RawOptions = {}) => rawRequest(h.server.url, h.server.pki.caCertPem, method, p, o);
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const login = async (username: string, password: string) => req('POST', '/platform/v1/login', { body: { username, password } });
  const keyOf = async (username: string, password: string): Promise<string> => {
    const r = await login(username, password);
    assert.equal(r.status, 200, r.body);
    return r.json().status.key as string;
  };
  const auditLines = (): any[] => {
    const file = path.join(h.dataDir, 'audit.log');
    return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)) : [];
  };
  const waitForAudit = async (pred: (e: any) => boolean): Promise<any[]> => {
    for (let i = 0; i < 100; i++) {
      const hits = auditLines().filter(pred);
      if (hits.length) return hits;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('audit event not written');
  };

  before(async () => {
    previousUmask = process.umask(0o022); // the common umask: files created without an explicit mode are 0644
    h = await startCredHarness();
    await setupPlatform(h);
    // dave: view in root and in other-dev, through bindings the tenant must not be able to drop
    await h.kubectl(['create', 'clusterrolebinding', 'dave-view', '--clusterrole=view', '--user=dave']);
    await h.kubectl(['--context', 'other-dev', 'create', 'clusterrolebinding', 'dave-view', '--clusterrole=view', '--user=dave']);
  });
  after(async () => { await h?.close(); process.umask(previousUmask); });

  it('finding 3: a tenant cannot define platform or Kubernetes groups, nor drop another cluster\'s RBAC', async () => {
    const alice = h.kubeconfigFor({ token: await keyOf('alice', 'alice-password-1') }, 'payments-dev');
    assert.match((await h.kubectl(['auth', 'can-i', 'create', 'customresourcedefinitions'], { kubeconfig: alice })).stdout, /yes/);
    for (const [group, plural, kind] of [['tenancy.portcullis.io', 'logicalclusters', 'LogicalCluster'],
      ['management.portcullis.io', 'users', 'User'], ['rbac.authorization.k8s.io', 'roles', 'Role'], ['k8s.io', 'things', 'Thing'],
      ['x.kubernetes.io', 'things', 'Thing'], ['portcullis.io', 'things', 'Thing']]) {
      const r = await h.kubectl(['create', '-f', '-'], { kubeconfig: alice, input: TENANT_CRD(group, plural, kind), allowFail: true });
      assert.notEqual(r.code, 0, `${plural}.${group} refused`);
      assert.match(r.stderr, /is invalid: spec\.group: Forbidden: group ".*" is reserved/);
    }
    // the attack of the finding: a LogicalCluster named after another cluster (and root), created then deleted
    for (const victim of ['other-dev', 'root']) {
      const obj = JSON.stringify({ apiVersion: 'tenancy.portcullis.io/v1alpha1', kind: 'LogicalCluster', metadata: { name: victim } });
      await h.kubectl(['create', '-f', '-'], { kubeconfig: alice, input: obj, allowFail: true });
      await h.kubectl(['delete', 'logicalcluster', victim], { kubeconfig: alice, allowFail: true });
    }
    await h.server.settle();
    for (const ctx of ['root', 'other-dev']) {
      const r = await h.kubectl(['--context', ctx, 'auth', 'can-i', 'list', 'configmaps', '--as', 'dave']);
      assert.equal(r.stdout.trim(), 'yes', `dave keeps view in ${ctx}`);
    }
    // a tenant may still define its own groups
    await h.kubectl(['create', '-f', '-'], { kubeconfig: alice, input: TENANT_CRD('widgets.example.com', 'widgets', 'Widget') });
  });

  it('finding 10: a password set by JSON patch or merge patch is not in the audit log', async () => {
    const secrets = ['Json-Patch-Secret-10', 'Merge-Patch-Secret-10'];
    await h.kubectl(['patch', 'user', 'carol', '--type=json', '-p', JSON.stringify([{ op: 'add', path: '/spec/password', value: secrets[0] }])]);
    await h.kubectl(['patch', 'user', 'carol', '--type=merge', '-p', JSON.stringify({ spec: { password: secrets[1] } })]);
    const patches = await waitForAudit((e) => e.verb === 'patch' && e.objectRef?.resource === 'users' && e.stage === 'ResponseComplete');
    assert.equal(patches.length, 2);
    assert.equal(patches[0].requestObject[0].value, '<redacted>');
    const log = readFileSync(path.join(h.dataDir, 'audit.log'), 'utf8');
    for (const s of secrets) assert.ok(!log.includes(s), `${s} not in the audit log`);
    await h.kubectl(['patch', 'user', 'carol', '--type=merge', '-p', JSON.stringify({ spec: { password: 'carol-password-1' } })]);
  });

  it('finding 11: the store, its WAL/SHM and every secret file are 0600 whatever the umask', async () => {
    await h.kubectl(['create', 'configmap', 'touch-the-wal']);
    const files: string[] = [];
    const walk = (d: string) => { for (const e of readdirSync(d, { withFileTypes: true })) (e.isDirectory() ? walk(path.join(d, e.name)) : files.push(path.join(d, e.name))); };
    walk(h.dataDir);
    for (const f of ['portcullis.db', 'portcullis.db-wal', 'portcullis.db-shm', 'audit.log']) {
      assert.ok(files.includes(path.join(h.dataDir, f)), `${f} exists`);
    }
    const open = files.filter((f) => !f.endsWith('.crt') && (statSync(f).mode & 0o077) !== 0)
      .map((f) => `${path.relative(h.dataDir, f)} ${(statSync(f).mode & 0o777).toString(8)}`);
    assert.deepEqual(open, [], 'files readable by others');
    assert.equal(statSync(h.dataDir).mode & 0o077, 0, 'the data directory is private');
  });

  it('finding 14: another user\'s credential answers exactly like a missing one', async () => {
    const alice = await keyOf('alice', 'alice-password-1');
    const carol = await keyOf('carol', 'carol-password-1');
    const who = (await req('GET', '/platform/v1/whoami', { headers: bearer(alice) })).json().status.credentialId as string;
    const name = who.slice('accesskey:'.length);
    const token = (await req('POST', '/platform/v1/tokens', { headers: bearer(alice), body: { cluster: 'payments-dev' } })).json().status.jti as string;
    const missingName = name.replace(/.$/, (c) => (c === 'x' ? 'y' : 'x'));
    const probes: Array<[string, string, unknown?]> = [
      ['DELETE', '/platform/v1/accesskeys/%s'],
      ['POST', '/platform/v1/accesskeys/%s/rotate', {}],
      ['POST', '/platform/v1/accesskeys/%s/disable', { disabled: true }],
      ['POST', '/platform/v1/credentials/accesskey:%s/revoke'],
    ];
    for (const [method, p, body] of probes) {
      const real = await req(method, p.replace('%s', name), { headers: bearer(carol), body });
      const missing = await req(method, p.replace('%s', missingName), { headers: bearer(carol), body });
      assert.equal(real.status, 404, `${method} ${p}: ${real.body}`);
      assert.equal(shape(real, name), shape(missing, missingName), `${method} ${p}`);
      assert.doesNotMatch(real.body, /alice/);
    }
    const realTok = await req('POST', `/platform/v1/credentials/platformtoken:${token}/revoke`, { headers: bearer(carol) });
    const missingTok = await req('POST', '/platform/v1/credentials/platformtoken:0123456789abcdef/revoke', { headers: bearer(carol) });
    assert.equal(shape(realTok, token), shape(missingTok, '0123456789abcdef'));
    // and alice's credentials still work
    assert.equal((await req('GET', '/platform/v1/whoami', { headers: bearer(alice) })).status, 200);
  });

  it('finding 15: unknown clusters answer exactly as existing ones the caller may not see', async () => {
    for (const p of ['/healthz', '/readyz', '/api/v1/namespaces', '/version', '/apis', '/platform/v1/login']) {
      const real = await req('GET', `/clusters/other-dev${p}`);
      const unknown = await req('GET', `/clusters/no-such-tenant${p}`);
      assert.equal(shape(real, 'other-dev'), shape(unknown, 'no-such-tenant'), `anonymous GET ${p}`);
    }
    const carol = await keyOf('carol', 'carol-password-1');
    for (const p of ['/api/v1/namespaces', '/api/v1/namespaces/app/configmaps/cfg', '/apis']) {
      const real = await req('GET', `/clusters/other-dev${p}`, { headers: bearer(carol) });
      const unknown = await req('GET', `/clusters/no-such-tenant${p}`, { headers: bearer(carol) });
      assert.equal(real.status, 403);
      assert.equal(shape(real, 'other-dev'), shape(unknown, 'no-such-tenant'), `carol GET ${p}`);
    }
    // an administrator still learns that a cluster does not exist
    const admin = await h.request('GET', '/clusters/no-such-tenant/api/v1/namespaces', { admin: true });
    assert.equal(admin.status, 404);
    assert.match(admin.json().message, /logical cluster "no-such-tenant" not found/);
  });

  it('finding 12: password logins are audited and throttled per user and per address', async () => {
    for (let i = 0; i < 5; i++) assert.equal((await login('carol', `wrong-${i}`)).status, 401);
    const locked = await login('carol', 'carol-password-1');
    assert.equal(locked.status, 429, 'even the right password waits');
    assert.equal(locked.json().reason, 'TooManyRequests');
    const retry = Number(locked.headers['retry-after']);
    assert.ok(retry >= 1, `Retry-After ${locked.headers['retry-after']}`);
    // the console's sign-in shares the counters
    const origin = h.server.url;
    const consoleLogin = await req('POST', '/platform/v1/session/login', { headers: { origin }, body: { username: 'carol', password: 'carol-password-1' } });
    assert.equal(consoleLogin.status, 429);
    h.clock.advance(retry * 1000);
    assert.equal((await login('carol', 'carol-password-1')).status, 200, 'after the wait');
    const events = await waitForAudit((e) => e.verb === 'login-throttled');
    assert.ok(events.length >= 2);
    const all = auditLines().filter((e) => ['login', 'login-failed', 'login-throttled'].includes(e.verb) && e.user?.username === 'carol');
    assert.ok(all.filter((e) => e.verb === 'login-failed').length >= 5, 'failures audited');
    assert.ok(all.some((e) => e.verb === 'login' && e.responseStatus?.code === 200), 'success audited');
    assert.ok(all.every((e) => e.sourceIPs?.length), 'with the source address');
    assert.doesNotMatch(JSON.stringify(all), /wrong-\d|carol-password-1/, 'never the password');
    // per address: many user names from one address
    let status = 0;
    for (let i = 0; i < 25 && status !== 429; i++) status = (await login(`nobody-${i}`, 'guess')).status;
    assert.equal(status, 429, 'one address guessing across user names is throttled');
    h.clock.advance(16 * 60_000);
  });
});
