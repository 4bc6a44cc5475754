// End-to-end: access keys through the CLI, kubectl and HTTP — login, scopes (in scope, other namespace/cluster/
// project → 403), the owner's live permissions, expiry and idle timeout on a moved clock, rotation, deletion,
// project policy, dry run, last use, and no issued secret anywhere in the data dir or logs.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { secretsInClear, setupPlatform, startCredHarness, type CredHarness } from './credentials-harness.ts';

const H = 3_600_000;
const CM = (ns: string) => `/api/v1/namespaces/${ns}/configmaps`;

describe('credentials: access keys', () => {
  let h: CredHarness;
  const secrets: string[] = [];
  const keep = (s: string) => { secrets.push(s); return s; };
  /** Creates a key through the CLI (as whoever is logged in) and returns its secret. */
  const createKey = async (...args: string[]) => {
    const r = await h.cli(['access-keys', 'create', ...args]);
    assert.equal(r.code, 0, r.stderr);
    return keep(r.stdout.trim().split('\n').pop()!.trim());
  };
  const get = (token: string, cluster: string, p: string) => h.request('GET', `/clusters/${cluster}${p}`, { token });

  before(async () => {
    h = await startCredHarness();
    await setupPlatform(h);
    keep('alice-password-1'); keep('carol-password-1');
    const r = await h.cli(['login', h.server.url, '--username', 'alice', '--password-stdin', '--ca-file', h.writeFile('ca.pem', h.server.pki.caCertPem)], { input: 'alice-password-1\n' });
    assert.equal(r.code, 0, r.stderr);
    const config = JSON.parse(readFileSync(h.configFile, 'utf8'));
    keep(config.credential.accessKey);
  });
  after(async () => { await h?.close(); });

  it('logs in: a 0600 config with a session key, and whoami', async () => {
    assert.equal(statSync(h.configFile).mode & 0o777, 0o600);
    const config = JSON.parse(readFileSync(h.configFile, 'utf8'));
    assert.equal(config.server, h.server.url);
    assert.match(config.credential.accessKey, /^pcak_[A-Za-z0-9_-]{40,}$/);
    const who = await h.cli(['whoami', '-o', 'json']);
    assert.equal(who.code, 0, who.stderr);
    assert.equal(JSON.parse(who.stdout).username, 'alice');
    const bad = await h.cli(['login', h.server.url, '--username', 'alice', '--password-stdin'], { input: 'wrong-password\n' });
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /invalid username or password/);
  });

  it('scopes only remove: in scope allowed, other namespace, cluster and project refused with the scope named', async () => {
    const key = await createKey('--name', 'ci-deploy', '--scope', 'project=payments', '--scope', 'namespace=other-dev/app', '--ttl', '720h');
    assert.equal((await get(key, 'payments-dev', CM('app'))).status, 200);
    assert.equal((await get(key, 'payments-dev', '/api/v1/namespaces')).status, 200, 'whole cluster of an in-scope project');
    assert.equal((await get(key, 'other-dev', CM('app'))).status, 200);
    const ns = await get(key, 'other-dev', CM('kube-system'));
    assert.equal(ns.status, 403);
    assert.match(ns.json().message, /access key "ci-deploy" is scoped to project payments and namespace other-dev\/app; namespace "kube-system" in cluster "other-dev" is outside its scope/);
    const cl = await get(key, 'third-dev', CM('app'));
    assert.equal(cl.status, 403);
    assert.match(cl.json().message, /cluster "third-dev" is outside its scope/);
    const wide = await get(key, 'other-dev', '/api/v1/configmaps');
    assert.equal(wide.status, 403);
    const root = await get(key, 'root', '/apis/management.portcullis.io/v1/projects');
    assert.equal(root.status, 403);
    assert.match(root.json().message, /management cluster "root" is outside its scope/);
    // the same through kubectl
    const kc = h.kubeconfigFor({ token: key }, 'payments-dev');
    assert.match((await h.kubectl(['-n', 'app', 'get', 'configmaps'], { kubeconfig: kc })).stdout, /cfg/);
    const denied = await h.kubectl(['--context', 'third-dev', '-n', 'app', 'get', 'configmaps'], { kubeconfig: kc, allowFail: true });
    assert.notEqual(denied.code, 0);
    assert.match(denied.stderr, /is outside its scope/);
  });

  it('acts with the owner\'s live permissions: losing access or the User loses the key', async () => {
    // admin (system:masters) creates a key for carol, who may only view payments-dev
    const created = await h.request('POST', '/apis/management.portcullis.io/v1/accesskeys', { admin: true, body: {
      apiVersion: 'management.portcullis.io/v1', kind: 'AccessKey', metadata: { generateName: 'carol-' }, spec: { user: 'carol', displayName: 'carol-key' },
    } });
    assert.equal(created.status, 201, created.body);
    const key = keep(created.json().status.key);
    assert.equal((await get(key, 'payments-dev', CM('app'))).status, 200);
    assert.equal((await h.request('POST', `/clusters/payments-dev${CM('app')}`, { token: key, body: { metadata: { name: 'x' } } })).status, 403, 'view only');
    // alice (not an admin of users) may not create keys for carol
    const r = await h.cli(['access-keys', 'create', '--name', 'sneaky', '--user', 'carol']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /may not create access keys for user "carol"/);
    // carol loses her access rule → the key loses it at once
    await h.kubectl(['patch', 'tenantcluster', 'payments-dev', '--type=merge', '-p', '{"spec":{"access":{"rules":null}}}']);
    await h.server.settle();
    assert.equal((await get(key, 'payments-dev', CM('app'))).status, 403);
    await h.kubectl(['delete', 'user', 'carol']);
    await h.server.settle();
    const gone = await get(key, 'payments-dev', CM('app'));
    assert.equal(gone.status, 401);
    assert.match(gone.json().message, /owner "carol" no longer exists/);
  });

  it('users see only their own keys', async () => {
    const mine = await h.cli(['access-keys', 'list', '-o', 'json']);
    assert.equal(mine.code, 0, mine.stderr);
    const items = JSON.parse(mine.stdout) as Array<{ user: string; name: string }>;
    assert.ok(items.length >= 2);
    assert.ok(items.every((i) => i.user === 'alice'));
    const others = await h.cli(['access-keys', 'list', '--user', 'carol']);
    assert.notEqual(others.code, 0);
    assert.match(others.stderr, /may not list access keys of user "carol"/);
  });

  it('expires after its ttl and after its idle timeout (moved clock)', async () => {
    const ttlKey = await createKey('--name', 'short', '--scope', 'project=payments', '--ttl', '1h');
    const idleKey = await createKey('--name', 'idle', '--scope', 'project=payments', '--idle-timeout', '30m');
    assert.equal((await get(ttlKey, 'payments-dev', CM('app'))).status, 200);
    assert.equal((await get(idleKey, 'payments-dev', CM('app'))).status, 200);
    h.clock.advance(20 * 60_000);
    assert.equal((await get(idleKey, 'payments-dev', CM('app'))).status, 200, 'used within the idle timeout');
    h.clock.advance(45 * 60_000);
    const idle = await get(idleKey, 'payments-dev', CM('app'));
    assert.equal(idle.status, 401);
    assert.match(idle.json().message, /access key "idle" was idle since .* longer than its idle timeout of 30m/);
    const exp = await get(ttlKey, 'payments-dev', CM('app'));
    assert.equal(exp.status, 401);
    assert.match(exp.json().message, /access key "short" expired at/);
  });

  it('rotates with a grace period, and without one', async () => {
    const old = await createKey('--name', 'rotating', '--scope', 'project=payments');
    const r = await h.cli(['access-keys', 'rotate', 'rotating', '--grace', '1h']);
    assert.equal(r.code, 0, r.stderr);
    const fresh = keep(r.stdout.trim().split('\n').pop()!.trim());
    assert.notEqual(fresh, old);
    assert.equal((await get(old, 'payments-dev', CM('app'))).status, 200, 'old secret within grace');
    assert.equal((await get(fresh, 'payments-dev', CM('app'))).status, 200);
    h.clock.advance(2 * H);
    const stale = await get(old, 'payments-dev', CM('app'));
    assert.equal(stale.status, 401);
    assert.match(stale.json().message, /access key "rotating" was rotated; the previous secret stopped working/);
    assert.equal((await get(fresh, 'payments-dev', CM('app'))).status, 200);
    const r2 = await h.cli(['access-keys', 'rotate', 'rotating']);
    const newest = keep(r2.stdout.trim().split('\n').pop()!.trim());
    assert.equal((await get(fresh, 'payments-dev', CM('app'))).status, 401, 'no grace: old secret stops at once');
    assert.equal((await get(newest, 'payments-dev', CM('app'))).status, 200);
  });

  it('records last use (batched), and rejects disabled and deleted keys', async () => {
    const key = await createKey('--name', 'to-delete', '--scope', 'project=payments');
    assert.equal((await get(key, 'payments-dev', CM('app'))).status, 200);
    await h.mod.api!.flushLastUsed();
    const list = JSON.parse((await h.cli(['credentials', 'list', '-o', 'json'])).stdout) as Array<{ id: string; name: string; kind: string; lastUsed?: string }>;
    const item = list.find((i) => i.name === 'to-delete')!;
    const obj = JSON.parse((await h.kubectl(['get', 'accesskey', item.id.slice('accesskey:'.length), '-o', 'json'])).stdout);
    assert.equal(obj.status.lastUsedAddress, '127.0.0.1');
    assert.ok(obj.status.lastUsedTime);
    assert.equal(obj.status.key, undefined, 'the secret is never stored');
    assert.equal(obj.status.secretHash, undefined, 'its hash is never returned');
    const rotated = JSON.parse((await h.kubectl(['get', 'accesskeys', '-o', 'json'])).stdout).items
      .find((k: { spec: { displayName?: string } }) => k.spec.displayName === 'rotating');
    assert.ok(rotated.status.rotated, 'a rotated key shows its grace periods');
    assert.doesNotMatch(JSON.stringify(rotated.status), /hash/i, 'previous hashes are never returned');
    await h.kubectl(['patch', 'accesskey', obj.metadata.name, '--type=merge', '-p', '{"spec":{"disabled":true}}']);
    await h.server.settle();
    assert.match((await get(key, 'payments-dev', CM('app'))).json().message, /access key "to-delete" is disabled/);
    const del = await h.cli(['access-keys', 'delete', 'to-delete']);
    assert.equal(del.code, 0, del.stderr);
    await h.server.settle();
    const r = await get(key, 'payments-dev', CM('app'));
    assert.equal(r.status, 401);
    assert.match(r.json().message, /access key "to-delete" has been deleted/);
  });

  it('prints what a key could do per cluster before creating it (dry run)', async () => {
    const r = await h.cli(['access-keys', 'create', '--name', 'probe', '--scope', 'namespace=other-dev/app', '--dry-run']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /no key was created/);
    assert.match(r.stdout, /other-dev\s+other\s+namespaces app\s+\[app\] /);
    assert.match(r.stdout, /payments-dev\s+payments\s+none \(outside scope\)/);
    const json = JSON.parse((await h.cli(['access-keys', 'create', '--name', 'probe', '--scope', 'namespace=other-dev/app', '--dry-run', '-o', 'json'])).stdout);
    assert.ok(json.clusters.find((c: { cluster: string }) => c.cluster === 'other-dev').rules.length > 0);
    const keys = JSON.parse((await h.cli(['access-keys', 'list', '-o', 'json'])).stdout) as Array<{ name: string }>;
    assert.ok(!keys.some((k) => k.name === 'probe'));
  });

  it('enforces the project credential policy with the limit in the message', async () => {
    await h.kubectl(['patch', 'project', 'payments', '--type=merge', '-p', '{"spec":{"credentialPolicy":{"maxKeyTTL":"720h","allowUnscopedKeys":false}}}']);
    await h.server.settle();
    const long = await h.cli(['access-keys', 'create', '--name', 'long', '--scope', 'project=payments', '--ttl', '1000h']);
    assert.notEqual(long.code, 0);
    assert.match(long.stderr, /lifetime 1000h exceeds the maximum of 720h set by project payments \(credentialPolicy.maxKeyTTL\)/);
    const unscoped = await h.cli(['access-keys', 'create', '--name', 'wide', '--ttl', '24h']);
    assert.match(unscoped.stderr, /project payments does not allow unscoped access keys/);
    const never = await h.cli(['access-keys', 'create', '--name', 'forever', '--scope', 'project=payments']);
    assert.match(never.stderr, /access keys must expire: project payments allows a lifetime of at most 720h/);
    await createKey('--name', 'ok', '--scope', 'project=payments', '--ttl', '720h');
  });

  it('logs out: the session key is deleted and the config removed', async () => {
    const config = JSON.parse(readFileSync(h.configFile, 'utf8'));
    const r = await h.cli(['logout']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Session key deleted/);
    await h.server.settle();
    assert.equal((await h.request('GET', '/platform/v1/whoami', { token: config.credential.accessKey })).status, 401);
    assert.notEqual((await h.cli(['whoami'])).code, 0);
  });

  it('keeps every issued secret out of the data dir (store, audit log at RequestResponse) and the server log', async () => {
    await h.stop(); // flushes last-used writes and the audit log
    assert.ok(secrets.length >= 10);
    const audit = readFileSync(path.join(h.dataDir, 'audit.log'), 'utf8');
    assert.match(audit, /"kind":"AccessKey"/);
    assert.match(audit, /"key":"<redacted>"/, 'the create response was audited, with the secret redacted');
    assert.deepEqual(secretsInClear(h, secrets), []);
  });
});
