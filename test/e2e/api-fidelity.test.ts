// End-to-end API fidelity: an HTTP/2 client (Node's http2, ALPN h2) lists, watches and creates over one connection
// with per-connection identities; query parameters in every spelling the Go server accepts; dryRun=All on every
// write; what fieldValidation does to unknown fields of built-in kinds (nothing undefined is ever stored); pretty;
// DeleteOptions in the body or the query; a new object's status is the server's.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { startHarness, type Harness } from '../support/harness.ts';

const NS = 'fid';
const CM = `/api/v1/namespaces/${NS}/configmaps`;
const cm = (name: string, extra: Record<string, unknown> = {}) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { a: '1' }, ...extra });

interface H2Response { status: number; headers: http2.IncomingHttpHeaders; body: string }

/** An HTTP/2 session with a client certificate; requests are streams on it. */
function h2Session(h: Harness, cert: string, key: string): { session: http2.ClientHttp2Session; request(method: string, path: string, body?: unknown, headers?: Record<string, string | string[]>): Promise<H2Response> } {
  const session = http2.connect(h.server.url, { ca: h.server.pki.caCertPem, cert, key });
  session.on('error', () => { /* the test's assertions report failures */ });
  return {
    session,
    request: (method, path, body, extra = {}) => new Promise((resolve, reject) => {
      const stream = session.request({ ':method': method, ':path': path, ...(body ? { 'content-type': 'application/json' } : {}), ...extra });
      let headers: http2.IncomingHttpHeaders = {};
      let text = '';
      stream.on('response', (hd) => { headers = hd; });
      stream.on('data', (d: Buffer) => { text += d.toString(); });
      stream.on('end', () => resolve({ status: Number(headers[':status']), headers, body: text }));
      stream.on('error', reject);
      stream.end(body === undefined ? undefined : JSON.stringify(body));
    }),
  };
}

describe('API fidelity', () => {
  let h: Harness;
  let admin: ReturnType<typeof h2Session>;
  let alice: ReturnType<typeof h2Session>;
  before(async () => {
    h = await startHarness();
    const doc = parseYaml(readFileSync(h.kubeconfig, 'utf8')) as { users: Array<{ user: Record<string, string> }> };
    const u = doc.users[0].user;
    admin = h2Session(h, Buffer.from(u['client-certificate-data'], 'base64').toString(), Buffer.from(u['client-key-data'], 'base64').toString());
    const a = await h.server.pki.issueClientCert({ commonName: 'alice', organizations: ['devs'], validitySeconds: 3600 });
    alice = h2Session(h, a.certPem, a.keyPem);
    assert.equal((await admin.request('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } })).status, 201);
  });
  after(async () => { admin?.session.close(); alice?.session.close(); await h?.close(); });

  it('HTTP/2: one connection multiplexes a long watch, a create and a list', async () => {
    assert.equal(admin.session.alpnProtocol, 'h2');
    // A huge timeoutSeconds must not end the watch at once (a Node timer would fire immediately past 2^31 ms).
    const watch = admin.session.request({ ':method': 'GET', ':path': `/clusters/root${CM}?watch=1&timeoutSeconds=99999999999` });
    let events = '';
    const added = new Promise<void>((resolve, reject) => {
      watch.on('data', (d: Buffer) => { events += d.toString(); if (events.includes('"ADDED"')) resolve(); });
      watch.on('close', () => reject(new Error(`watch closed early: ${events}`)));
    });
    await new Promise((r) => watch.on('response', r));
    const created = await admin.request('POST', `/clusters/root${CM}`, cm('over-h2'));
    assert.equal(created.status, 201);
    await added;
    assert.equal(JSON.parse(events.split('\n')[0]).object.metadata.name, 'over-h2');
    const list = await admin.request('GET', `/clusters/root${CM}`);
    assert.deepEqual(JSON.parse(list.body).items.map((i: { metadata: { name: string } }) => i.metadata.name), ['over-h2']);
    watch.close();
  });

  it('HTTP/2: each connection keeps its own client-certificate identity', async () => {
    const who = async (s: ReturnType<typeof h2Session>) => JSON.parse((await s.request('POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews',
      { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' })).body).status.userInfo.username;
    const [a1, b1, a2, b2] = await Promise.all([who(admin), who(alice), who(admin), who(alice)]);
    assert.deepEqual([a1, b1, a2, b2], ['admin', 'alice', 'admin', 'alice']);
    const denied = await alice.request('GET', `/api/v1/namespaces/${NS}/secrets`);
    assert.equal(denied.status, 403);
    assert.match(JSON.parse(denied.body).message, /User "alice" cannot list resource "secrets"/);
    const dry = await alice.request('POST', `${CM}?dryRun=All`, cm('dry-denied'));
    assert.equal(dry.status, 403, 'dry run is authorized like the real write');
    // Impersonation headers on HTTP/2 streams: checked like on HTTP/1.1.
    const escalate = await alice.request('GET', `/api/v1/namespaces/${NS}/secrets`, undefined, { 'impersonate-user': 'admin', 'impersonate-group': ['system:masters'] });
    assert.equal(escalate.status, 403);
    assert.match(JSON.parse(escalate.body).message, /cannot impersonate resource "users"/);
    const asAlice = await admin.request('GET', `/api/v1/namespaces/${NS}/secrets`, undefined, { 'impersonate-user': 'alice', 'impersonate-group': ['devs', 'qa'] });
    assert.equal(asAlice.status, 403);
    assert.match(JSON.parse(asAlice.body).message, /User "alice" cannot list resource "secrets"/);
  });

  it('booleans in every spelling: true forms watch, false forms list', async () => {
    const kindOf = async (v: string) => {
      const r = await h.request('GET', `/clusters/root${CM}?watch=${v}&timeoutSeconds=1`);
      return r.body.startsWith('{"type":') ? 'watch' : JSON.parse(r.body).kind;
    };
    const truthy = await Promise.all(['1', 't', 'T', 'TRUE', 'true', 'True'].map(kindOf));
    assert.deepEqual(truthy, Array(6).fill('watch'));
    const falsy = await Promise.all(['0', 'false', 'False', 'FALSE'].map(kindOf));
    assert.deepEqual(falsy, Array(4).fill('ConfigMapList'));
  });

  it('integers parse as strconv.ParseInt; a bad one is a 400 with Go\'s text', async () => {
    const bad = await h.request('GET', `/clusters/root${CM}?limit=ten`);
    assert.equal(bad.status, 400);
    assert.equal(bad.json().message, 'strconv.ParseInt: parsing "ten": invalid syntax');
    assert.equal((await h.request('GET', `/clusters/root${CM}?timeoutSeconds=1.5&watch=true`)).status, 400);
    assert.equal((await h.request('GET', `/clusters/root${CM}?limit=%2B1`)).json().items.length, 1, '+1 is an integer');
  });

  it('dryRun=All runs every write and stores nothing', async () => {
    const base = `/clusters/root${CM}`;
    assert.equal((await h.request('POST', base, { body: cm('real') })).status, 201);
    const rv = (await h.request('GET', `${base}/real`)).json().metadata.resourceVersion;
    const created = await h.request('POST', `${base}?dryRun=All`, { body: cm('phantom') });
    assert.equal(created.status, 201);
    assert.equal(created.json().metadata.name, 'phantom');
    assert.equal((await h.request('GET', `${base}/phantom`)).status, 404);
    const invalid = await h.request('POST', `${base}?dryRun=All`, { body: cm('Bad_Name') });
    assert.equal(invalid.status, 422, 'validation runs in a dry run');
    const updated = await h.request('PUT', `${base}/real?dryRun=All`, { body: cm('real', { data: { a: 'changed' } }) });
    assert.equal(updated.json().data.a, 'changed');
    const patched = await h.request('PATCH', `${base}/real?dryRun=All`, { body: { data: { b: '2' } }, headers: { 'content-type': 'application/merge-patch+json' } });
    assert.equal(patched.json().data.b, '2');
    assert.equal((await h.request('DELETE', `${base}/real?dryRun=All`)).status, 200);
    assert.equal((await h.request('DELETE', base, { body: { kind: 'DeleteOptions', apiVersion: 'v1', dryRun: ['All'] } })).status, 200);
    const after = (await h.request('GET', `${base}/real`)).json();
    assert.deepEqual([after.metadata.resourceVersion, after.data], [rv, { a: '1' }], 'nothing stored');
    const bogus = await h.request('POST', `${base}?dryRun=Partial`, { body: cm('x') });
    assert.equal(bogus.status, 422);
    assert.equal(bogus.json().message, 'CreateOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value: []string{"Partial"}: supported values: "All"');
  });

  it('unknown fields of built-in kinds: Strict refuses, Warn warns and drops, Ignore drops', async () => {
    const base = `/clusters/root/apis/rbac.authorization.k8s.io/v1/namespaces/${NS}/roles`;
    const role = (name: string) => ({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name, labelz: { x: 'y' } },
      rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'], verbz: ['*'] }], escalate: true });
    const strict = await h.request('POST', `${base}?fieldValidation=Strict`, { body: role('s') });
    assert.equal(strict.status, 400);
    assert.match(strict.json().message, /unknown field "metadata.labelz", unknown field "rules\[0\].verbz", unknown field "escalate"/);
    const warn = await h.request('POST', base, { body: role('w') });
    assert.equal(warn.status, 201);
    assert.match(String(warn.headers.warning), /unknown field \\"rules\[0\]\.verbz\\"/);
    const ignore = await h.request('POST', `${base}?fieldValidation=Ignore`, { body: role('i') });
    assert.equal(ignore.headers.warning, undefined);
    for (const name of ['w', 'i']) {
      const stored = (await h.request('GET', `${base}/${name}`)).json();
      assert.deepEqual(stored.rules, [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }]);
      assert.equal(stored.escalate, undefined);
      assert.equal(stored.metadata.labelz, undefined);
    }
    const typed = await h.request('POST', `/clusters/root/apis/apps/v1/namespaces/${NS}/deployments`, { body: {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { replicas: 'three' } } });
    assert.equal(typed.status, 400);
    assert.equal(typed.json().message, 'Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32');
    const missing = await h.request('POST', `/clusters/root/apis/apps/v1/namespaces/${NS}/deployments`, { body: {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: {} } });
    assert.equal(missing.status, 422);
    assert.match(missing.json().message, /spec.selector: Required value/);
  });

  it('a new object\'s status is the server\'s; a CSR\'s request cannot be swapped after creation', async () => {
    const base = '/clusters/root/apis/certificates.k8s.io/v1/certificatesigningrequests';
    const body = { apiVersion: 'certificates.k8s.io/v1', kind: 'CertificateSigningRequest', metadata: { name: 'fid-csr' },
      spec: { request: 'b3JpZ2luYWw=', signerName: 'example.com/signer', usages: ['client auth'] },
      status: { certificate: 'Zm9yZ2Vk', conditions: [{ type: 'Approved', status: 'True', reason: 'Forged' }] } };
    const created = await h.request('POST', base, { body });
    assert.equal(created.status, 201);
    assert.equal(created.json().status, undefined);
    const swapped = await h.request('PATCH', `${base}/fid-csr`, { body: { spec: { request: 'c3dhcHBlZA==' } }, headers: { 'content-type': 'application/merge-patch+json' } });
    assert.equal(swapped.json().spec.request, 'b3JpZ2luYWw=');
  });

  it('pretty, and DeleteOptions from the body or the query', async () => {
    const pretty = await h.request('GET', `/clusters/root${CM}/over-h2?pretty=true`);
    assert.match(pretty.body, /^{\n {2}"apiVersion": "v1",\n {2}"kind": "ConfigMap"/);
    assert.doesNotMatch((await h.request('GET', `/clusters/root${CM}/over-h2?pretty=0`)).body, /\n/);
    const bad = await h.request('DELETE', `/clusters/root${CM}/over-h2?propagationPolicy=Sometimes`);
    assert.equal(bad.status, 422);
    assert.match(bad.json().message, /^DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: "Sometimes"/);
    const both = await h.request('DELETE', `/clusters/root${CM}/over-h2`, { body: { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Orphan', orphanDependents: true } });
    assert.equal(both.status, 422);
    // With a body, the query's options are not read (as in Kubernetes).
    const ok = await h.request('DELETE', `/clusters/root${CM}/over-h2?propagationPolicy=Sometimes`, { body: { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background' } });
    assert.equal(ok.status, 200);
  });
});
