// End-to-end: audience-bound platform tokens (a token for cluster A is refused on B), the token policy, tokens
// minted with a scoped key, revocation, `kubeconfig --all` with the exec plugin through the real kubectl for every
// cluster, the plugin's disk cache and its refresh after expiry, and the error when not logged in.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { setupPlatform, startCredHarness, type CredHarness } from './credentials-harness.ts';

const SHORT = `
apiVersion: management.portcullis.io/v1
kind: Project
metadata: {name: short}
spec:
  members: [{user: alice, role: admin}]
  credentialPolicy: {maxTokenTTL: 20s}
---
apiVersion: management.portcullis.io/v1
kind: TenantCluster
metadata: {name: short-dev}
spec: {project: short}
`;

describe('credentials: platform tokens, kubeconfigs and the exec plugin', () => {
  let h: CredHarness;
  let cacheDir: string;
  const cachedTokens = () => readdirSync(cacheDir).filter((f) => f.endsWith('-short-dev.json')).map((f) => JSON.parse(readFileSync(path.join(cacheDir, f), 'utf8')).token as string);

  before(async () => {
    h = await startCredHarness();
    await setupPlatform(h);
    await h.kubectl(['create', '-f', '-'], { input: SHORT });
    await h.server.settle();
    const r = await h.cli(['login', h.server.url, '--username', 'alice', '--password-stdin', '--ca-file', h.writeFile('ca.pem', h.server.pki.caCertPem)], { input: 'alice-password-1\n' });
    assert.equal(r.code, 0, r.stderr);
    cacheDir = path.join(path.dirname(h.configFile), 'cache');
  });
  after(async () => { await h?.close(); });

  it('binds a token to one cluster: accepted there, refused on every other with the audience named', async () => {
    const r = await h.cli(['kubeconfig', '--cluster', 'payments-dev', '--token']);
    assert.equal(r.code, 0, r.stderr);
    const kc = h.writeFile('static.kubeconfig', r.stdout);
    const doc = parseYaml(r.stdout) as { users: Array<{ name: string; user: { token: string } }> };
    assert.equal(doc.users[0].name, 'portcullis-payments-dev');
    assert.match((await h.kubectl(['-n', 'app', 'get', 'configmaps'], { kubeconfig: kc })).stdout, /cfg/);
    const token = doc.users[0].user.token;
    const other = await h.request('GET', '/clusters/other-dev/api/v1/namespaces', { token });
    assert.equal(other.status, 401);
    assert.match(other.json().message, /platform token is bound to audience "urn:portcullis:cluster:payments-dev" and is not valid for cluster "other-dev"/);
    const viaKubectl = await h.kubectl(['-n', 'app', 'get', 'configmaps'], { kubeconfig: h.kubeconfigFor({ token }, 'other-dev'), allowFail: true });
    assert.notEqual(viaKubectl.code, 0);
    assert.match(viaKubectl.stderr, /Unauthorized|must be logged in/);
  });

  it('lists issued tokens in the inventory and revokes them', async () => {
    const t = await h.request('POST', '/platform/v1/tokens', { token: JSON.parse(readFileSync(h.configFile, 'utf8')).credential.accessKey, body: { cluster: 'other-dev' } });
    assert.equal(t.status, 201, t.body);
    const { token, jti } = t.json().status;
    assert.equal((await h.request('GET', '/clusters/other-dev/api/v1/namespaces', { token })).status, 200);
    const list = JSON.parse((await h.cli(['credentials', 'list', '-o', 'json'])).stdout) as Array<{ id: string; kind: string; cluster?: string }>;
    assert.ok(list.some((i) => i.id === `platformtoken:${jti}` && i.kind === 'PlatformToken' && i.cluster === 'other-dev'));
    const r = await h.cli(['credentials', 'revoke', `platformtoken:${jti}`]);
    assert.equal(r.code, 0, r.stderr);
    const after = await h.request('GET', '/clusters/other-dev/api/v1/namespaces', { token });
    assert.equal(after.status, 401);
    assert.match(after.json().message, /platform token has been revoked/);
  });

  it('caps token lifetimes at the project policy, and keeps a scoped key\'s scope in the tokens it mints', async () => {
    const session = JSON.parse(readFileSync(h.configFile, 'utf8')).credential.accessKey;
    const long = await h.request('POST', '/platform/v1/tokens', { token: session, body: { cluster: 'short-dev', expirationSeconds: 3600 } });
    assert.equal(long.status, 403);
    assert.match(long.json().message, /token lifetime 1h exceeds the maximum of 20s set by project short \(credentialPolicy.maxTokenTTL\)/);
    const made = await h.cli(['access-keys', 'create', '--name', 'ns-only', '--scope', 'namespace=other-dev/app', '-o', 'json']);
    const key = JSON.parse(made.stdout).key;
    const outside = await h.request('POST', '/platform/v1/tokens', { token: key, body: { cluster: 'third-dev' } });
    assert.equal(outside.status, 403);
    assert.match(outside.json().message, /access key "ns-only" cannot mint a token for cluster "third-dev": it is outside its scope/);
    const inside = await h.request('POST', '/platform/v1/tokens', { token: key, body: { cluster: 'other-dev' } });
    assert.equal(inside.status, 201);
    const token = inside.json().status.token;
    assert.equal((await h.request('GET', '/clusters/other-dev/api/v1/namespaces/app/configmaps', { token })).status, 200);
    const ks = await h.request('GET', '/clusters/other-dev/api/v1/namespaces/kube-system/configmaps', { token });
    assert.equal(ks.status, 403);
    assert.match(ks.json().message, /token minted with access key "ns-only" is scoped to namespace other-dev\/app/);
  });

  it('writes a kubeconfig for every reachable cluster, each with its own exec-plugin user, that kubectl uses', async () => {
    const r = await h.cli(['kubeconfig', '--all']);
    assert.equal(r.code, 0, r.stderr);
    const doc = parseYaml(r.stdout) as { contexts: Array<{ name: string; context: { user: string; cluster: string } }>; users: Array<{ name: string; user: { exec: { args: string[]; interactiveMode: string; apiVersion: string } } }> };
    const names = doc.contexts.map((c) => c.name).sort();
    assert.deepEqual(names, ['other-dev', 'payments-dev', 'short-dev', 'third-dev']);
    assert.equal(new Set(doc.users.map((u) => u.name)).size, 4, 'a distinct user per cluster');
    for (const u of doc.users) {
      assert.equal(u.user.exec.apiVersion, 'client.authentication.k8s.io/v1');
      assert.equal(u.user.exec.interactiveMode, 'IfAvailable');
      assert.deepEqual(u.user.exec.args.slice(1), ['credential-plugin', '--cluster', u.name.replace('portcullis-', '')]);
    }
    const kc = h.writeFile('all.kubeconfig', r.stdout);
    for (const c of names) {
      const out = await h.kubectl(['--context', c, 'get', 'namespaces', '-o', 'name'], { kubeconfig: kc });
      assert.match(out.stdout, /namespace\/kube-system/, c);
    }
    assert.match((await h.kubectl(['--context', 'other-dev', '-n', 'app', 'get', 'cm', 'cfg', '-o', 'name'], { kubeconfig: kc })).stdout, /configmap\/cfg/);
    const file = readdirSync(cacheDir).find((f) => f.endsWith('-payments-dev.json'))!;
    assert.equal(statSync(path.join(cacheDir, file)).mode & 0o777, 0o600);
  });

  it('reuses the cached token until shortly before expiry, then refreshes it', async () => {
    const kc = h.writeFile('short.kubeconfig', (await h.cli(['kubeconfig', '--cluster', 'short-dev'])).stdout);
    await h.kubectl(['get', 'namespaces'], { kubeconfig: kc });
    const [first] = cachedTokens();
    assert.ok(first);
    await h.kubectl(['get', 'namespaces'], { kubeconfig: kc });
    assert.deepEqual(cachedTokens(), [first], 'second run reuses the cached token');
    const exp = JSON.parse(Buffer.from(first.split('.')[1], 'base64url').toString()).exp as number;
    // past exp plus the verifier's 5 s clock-skew leeway
    await new Promise((r) => setTimeout(r, Math.max(0, exp * 1000 - Date.now()) + 5500));
    assert.equal((await h.request('GET', '/clusters/short-dev/api/v1/namespaces', { token: first })).status, 401, 'the old token has expired');
    await h.kubectl(['get', 'namespaces'], { kubeconfig: kc });
    const [second] = cachedTokens();
    assert.notEqual(second, first, 'refreshed after expiry');
  });

  it('mints no token for a cluster its holder has no management access to, and says so', async () => {
    const login = await h.request('POST', '/platform/v1/login', { body: { username: 'carol', password: 'carol-password-1' } });
    assert.equal(login.status, 200, login.body);
    const key = login.json().status.key as string;
    assert.equal((await h.request('POST', '/platform/v1/tokens', { token: key, body: { cluster: 'payments-dev' } })).status, 201);
    const refused = await h.request('POST', '/platform/v1/tokens', { token: key, body: { cluster: 'other-dev' } });
    assert.equal(refused.status, 403);
    assert.match(refused.json().message, /User "carol" has no management access to tenant cluster "other-dev": no token is issued/);
  });

  it('fails clearly when not logged in', async () => {
    const kc = h.writeFile('plugin.kubeconfig', (await h.cli(['kubeconfig', '--cluster', 'payments-dev'])).stdout);
    const out = await h.cli(['logout']);
    assert.equal(out.code, 0, out.stderr);
    const direct = await h.cli(['credential-plugin', '--cluster', 'payments-dev']);
    assert.equal(direct.code, 1);
    assert.match(direct.stderr, /not logged in .*run `portcullis login <server-url> --username <user>`/);
    const r = await h.kubectl(['get', 'namespaces'], { kubeconfig: kc, allowFail: true });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /not logged in/);
  });
});
