// End-to-end: webhook mode. `portcullis clusters webhook-config` makes the webhook identity and files; the endpoints
// are driven with the bodies kube-apiserver sends (TokenReview v1, SubjectAccessReview v1), including the answers
// kube-apiserver caches (no-store here, TTLs in the AuthorizationConfiguration) and its error cases.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml, stringify } from 'yaml';
import { startHarness, type Harness } from '../support/harness.ts';
import { call, certFor } from './clusters-support.ts';

const BIN = path.resolve(import.meta.dirname, '../../bin/portcullis.mjs');

describe('connected clusters: TokenReview and SubjectAccessReview webhooks', () => {
  let h: Harness;
  let hook: { token: string };
  let authnUrl: string;
  let authzUrl: string;
  const keys: Record<string, string> = {};
  const tokenReview = (token: string) => ({
    kind: 'TokenReview', apiVersion: 'authentication.k8s.io/v1', metadata: { creationTimestamp: null },
    spec: { token, audiences: ['https://kubernetes.default.svc.cluster.local'] }, status: { user: {} },
  });
  const sar = (user: string, extra: Record<string, string[]>, namespace = 'default') => ({
    kind: 'SubjectAccessReview', apiVersion: 'authorization.k8s.io/v1', metadata: { creationTimestamp: null },
    spec: { resourceAttributes: { namespace, verb: 'list', version: 'v1', resource: 'pods' }, user, groups: ['system:authenticated'], extra, uid: '' },
    status: { allowed: false },
  });
  const pathOf = (u: string) => new URL(u).pathname;

  before(async () => {
    h = await startHarness();
    await h.kubectl(['apply', '-f', '-'], { input: [
      ...['alice', 'bob'].map((n) => ({ apiVersion: 'management.portcullis.io/v1', kind: 'User', metadata: { name: n }, spec: {} })),
      { apiVersion: 'management.portcullis.io/v1', kind: 'Project', metadata: { name: 'payments' }, spec: {} },
      { apiVersion: 'management.portcullis.io/v1', kind: 'ConnectedCluster', metadata: { name: 'prod' },
        spec: { project: 'payments', server: 'https://127.0.0.1:9', access: { rules: [{ users: ['alice'], clusterRole: 'view' }] } } },
    ].map((o) => stringify(o)).join('---\n') });
    const mk = async (name: string, user: string, scope?: unknown) => {
      const r = await h.request('POST', '/apis/management.portcullis.io/v1/accesskeys', { body: {
        apiVersion: 'management.portcullis.io/v1', kind: 'AccessKey', metadata: { generateName: `${name}-` }, spec: { user, displayName: name, ...(scope ? { scope } : {}) },
      } });
      assert.equal(r.status, 201, r.body);
      keys[name] = r.json().status.key;
    };
    await mk('alice', 'alice');
    await mk('alice-scoped', 'alice', { namespaces: [{ cluster: 'prod', namespace: 'default' }] });
    await mk('alice-elsewhere', 'alice', { namespaces: [{ cluster: 'other', namespace: 'default' }] });
    await mk('bob', 'bob');
    const masters = await certFor(h, 'root-admin', ['system:masters']);
    const out = path.join(h.dir, 'webhook');
    const r = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, [BIN, 'clusters', 'webhook-config', 'prod', '--output-dir', out, '--server', h.server.url,
        '--ca-file', h.writeFile('ca.pem', h.server.pki.caCertPem), '--client-cert', h.writeFile('m.crt', masters.certPem), '--client-key', h.writeFile('m.key', masters.keyPem)],
      { env: { ...process.env, PORTCULLIS_CONFIG: path.join(h.dir, 'none.json') } }, (err, stdout, stderr) => resolve({ code: err ? 1 : 0, stdout, stderr }));
    });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /--authentication-token-webhook-version=v1/);
    const authn = parseYaml(readFileSync(path.join(out, 'authn-webhook.kubeconfig'), 'utf8'));
    const authz = parseYaml(readFileSync(path.join(out, 'authz-webhook.kubeconfig'), 'utf8'));
    assert.equal(statSync(path.join(out, 'authn-webhook.kubeconfig')).mode & 0o777, 0o600);
    hook = { token: authn.users[0].user.token };
    authnUrl = authn.clusters[0].cluster.server;
    authzUrl = authz.clusters[0].cluster.server;
    const cfg = parseYaml(readFileSync(path.join(out, 'authorization-config.yaml'), 'utf8'));
    const webhook = cfg.authorizers.find((a: { type: string }) => a.type === 'Webhook').webhook;
    assert.equal(cfg.kind, 'AuthorizationConfiguration');
    assert.equal(webhook.failurePolicy, 'Deny');
    assert.equal(webhook.subjectAccessReviewVersion, 'v1');
    assert.equal(webhook.authorizedTTL, '30s');
    assert.match(webhook.matchConditions[0].expression, /clusters.portcullis.io\/cluster/);
  });
  after(async () => { await h?.close(); });

  it('TokenReview: a Portcullis credential becomes the user, its groups and its scope for this cluster', async () => {
    const r = await call(h, 'POST', pathOf(authnUrl), hook, tokenReview(keys.alice));
    assert.equal(r.status, 200, r.body);
    assert.equal(r.headers['cache-control'], 'no-store');
    const body = r.json();
    assert.equal(body.apiVersion, 'authentication.k8s.io/v1');
    assert.equal(body.kind, 'TokenReview');
    assert.equal(body.status.authenticated, true);
    assert.equal(body.status.user.username, 'alice');
    assert.ok(body.status.user.groups.includes('system:authenticated'));
    assert.deepEqual(body.status.user.extra['clusters.portcullis.io/cluster'], ['prod']);
    assert.deepEqual(body.status.audiences, ['https://kubernetes.default.svc.cluster.local']);
    const scoped = (await call(h, 'POST', pathOf(authnUrl), hook, tokenReview(keys['alice-scoped']))).json();
    assert.deepEqual(scoped.status.user.extra['clusters.portcullis.io/scope-namespaces'], ['default']);
    const elsewhere = (await call(h, 'POST', pathOf(authnUrl), hook, tokenReview(keys['alice-elsewhere']))).json();
    assert.equal(elsewhere.status.authenticated, false);
    const bogus = (await call(h, 'POST', pathOf(authnUrl), hook, tokenReview('pcak_not-a-real-key-0000000000000000000000000000'))).json();
    assert.equal(bogus.status.authenticated, false);
    assert.ok(bogus.status.error);
  });

  it('SubjectAccessReview: denied without management access or outside the scope, otherwise no opinion', async () => {
    const marker = { 'clusters.portcullis.io/cluster': ['prod'] };
    const alice = (await call(h, 'POST', pathOf(authzUrl), hook, sar('alice', marker))).json();
    assert.equal(alice.status.allowed, false);
    assert.notEqual(alice.status.denied, true, 'no opinion: the upstream RBAC (role-mapping bindings) decides');
    const bob = (await call(h, 'POST', pathOf(authzUrl), hook, sar('bob', marker))).json();
    assert.equal(bob.status.denied, true);
    assert.match(bob.status.reason, /no management access to connected cluster "prod"/);
    const scoped = { ...marker, 'clusters.portcullis.io/scope-namespaces': ['default'] };
    assert.notEqual((await call(h, 'POST', pathOf(authzUrl), hook, sar('alice', scoped))).json().status.denied, true);
    const out = (await call(h, 'POST', pathOf(authzUrl), hook, sar('alice', scoped, 'kube-system'))).json();
    assert.equal(out.status.denied, true);
    const native = (await call(h, 'POST', pathOf(authzUrl), hook, sar('system:serviceaccount:kube-system:coredns', {}))).json();
    assert.equal(native.status.allowed, false);
    assert.notEqual(native.status.denied, true, 'the upstream\'s own identities are left to its other authorizers');
  });

  it('errors: malformed bodies are 400 Statuses, callers need the webhook identity', async () => {
    const bad = await call(h, 'POST', pathOf(authnUrl), hook, { kind: 'SubjectAccessReview', apiVersion: 'authorization.k8s.io/v1', spec: {} });
    assert.equal(bad.status, 400);
    assert.match(bad.json().message, /expected a TokenReview/);
    assert.equal((await call(h, 'POST', pathOf(authnUrl), hook, { kind: 'TokenReview', apiVersion: 'authentication.k8s.io/v1', spec: {} })).status, 400);
    assert.equal((await call(h, 'POST', pathOf(authzUrl), { token: keys.alice }, sar('bob', {}))).status, 403, 'alice may not ask');
    assert.equal((await call(h, 'POST', pathOf(authnUrl), { token: 'garbage' }, tokenReview(keys.alice))).status, 401);
    assert.equal((await call(h, 'POST', '/platform/v1/connectedclusters/nope/tokenreview', hook, tokenReview(keys.alice))).status, 403, 'not granted for other clusters');
  });
});
