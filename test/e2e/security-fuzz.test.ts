// Property-based fuzzing (fast-check) of one server: random request paths, query strings, headers and bodies, and
// random JSON, merge, strategic merge and apply patches. Properties: never a 500 (nor an internal error in the log),
// the server stays live (a prober's GET answers within a bound all along), and nothing is stored that a GET would
// not show. numRuns are bounded so that the file stays well under 30 s.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { parse as parseYaml } from 'yaml';
import { startHarness, type Harness } from '../support/harness.ts';

const FUZZ = '/clusters/root/api/v1/namespaces/fuzz';
const ROLES = '/clusters/root/apis/rbac.authorization.k8s.io/v1/namespaces/fuzz/roles';
/** A liveness bound for the prober, far above a GET on a busy machine. */
const LIVE_MS = 5000;
const SEED = Number(process.env.PORTCULLIS_FUZZ_SEED ?? 1207);

interface Raw { status: number; body: string; headers: Record<string, string | string[] | undefined> }

describe('security fuzzing: paths, headers, bodies, patches', { timeout: 120_000 }, () => {
  let h: Harness;
  let tls: { ca: string; cert: Buffer; key: Buffer };
  let prober: NodeJS.Timeout | undefined;
  let slowest = 0;
  let probing = Promise.resolve();

  const send = (method: string, path: string, o: { headers?: Record<string, string>; body?: string; anonymous?: boolean } = {}) =>
    new Promise<Raw>((resolve, reject) => {
      const body = o.body === undefined ? undefined : Buffer.from(o.body);
      const req = https.request(`${h.server.url}${path}`, {
        method, ca: tls.ca, ...(o.anonymous ? {} : { cert: tls.cert, key: tls.key }),
        headers: { ...(body ? { 'content-length': String(body.length) } : {}), ...o.headers },
        timeout: 30_000,
      }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString(), headers: res.headers }));
      });
      req.on('timeout', () => req.destroy(new Error(`${method} ${path} did not answer in 30 s`)));
      req.on('error', reject);
      req.end(body);
    });

  before(async () => {
    h = await startHarness();
    const doc = parseYaml(readFileSync(h.server.adminKubeconfigPath, 'utf8')) as { users: Array<{ user: Record<string, string> }> };
    const u = doc.users[0].user;
    tls = { ca: h.server.pki.caCertPem, cert: Buffer.from(u['client-certificate-data'], 'base64'), key: Buffer.from(u['client-key-data'], 'base64') };
    assert.equal((await h.request('POST', '/clusters/root/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'fuzz' } } })).status, 201);
    // The prober: a cheap GET every 200 ms, its slowest answer recorded, while the properties run.
    const probe = async () => {
      const t0 = performance.now();
      await send('GET', '/clusters/root/api/v1/namespaces/default');
      slowest = Math.max(slowest, performance.now() - t0);
    };
    prober = setInterval(() => { probing = probing.then(probe); }, 200);
  });
  after(async () => {
    clearInterval(prober);
    await probing;
    await h?.close();
  });

  const internalErrors = () => h.logs.filter((l) => /internal error|\n\s+at /i.test(l));

  it('random paths, queries, headers and bodies never get a 500', async () => {
    const segment = fc.oneof(
      fc.constantFrom('api', 'apis', 'v1', 'namespaces', 'fuzz', 'default', 'configmaps', 'secrets', 'roles', 'pods',
        'rbac.authorization.k8s.io', 'apps', 'clusters', 'root', 'status', 'scale', 'log', 'proxy', 'watch', 'openapi',
        '..', '.', '%', '%zz', '%2F', '%E0%A4', '%00', '~', '*', 'healthz', 'version', 'x'.repeat(300)),
      fc.string({ maxLength: 12 }).map(encodeURIComponent),
    );
    const query = fc.array(fc.oneof(
      fc.constantFrom('watch=1', 'limit=-1', 'limit=99999999999999999999', 'labelSelector=%', 'labelSelector=a%20in%20(',
        'fieldSelector=a==b', 'continue=x', 'resourceVersion=abc', 'fieldValidation=Strict', 'fieldValidation=x',
        'dryRun=All', 'dryRun=x', 'force=true', 'fieldManager=%ff', 'propagationPolicy=x', 'pretty=1', 'as=Table'),
      fc.tuple(fc.string({ maxLength: 6 }), fc.string({ maxLength: 6 })).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`),
    ), { maxLength: 4 });
    const printable = fc.string({ maxLength: 40 }).map((s) => s.replace(/[^\x20-\x7e]/g, ''));
    const header = fc.tuple(fc.constantFrom('accept', 'content-type', 'impersonate-user', 'impersonate-group',
      'impersonate-extra-scopes', 'authorization', 'x-remote-user', 'content-encoding', 'user-agent', 'origin'), fc.oneof(
      fc.constantFrom('application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf', 'application/json;as=Table;v=v1;g=meta.k8s.io',
        'application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json',
        'application/apply-patch+yaml', 'Bearer x', 'Basic Og==', 'gzip', 'system:masters', '*/*'), printable));
    const body = fc.oneof(
      fc.json({ maxDepth: 4 }),
      fc.constantFrom('{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"f"}}', '[', '{"metadata":', 'a: &a [*a]',
        'k8s\u0000\u0001', '[{"op":"copy","from":"","path":"/x"}]', '{"a":'.repeat(3000), '---\n--- [\n'),
      fc.string({ maxLength: 200 }),
    );
    const request = fc.record({
      method: fc.constantFrom('GET', 'GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD'),
      cluster: fc.constantFrom('/clusters/root', '/clusters/nope', '/clusters/%zz', '', '/clusters/Root'),
      segments: fc.array(segment, { maxLength: 8 }),
      query,
      headers: fc.array(header, { maxLength: 3 }),
      body: fc.option(body, { nil: undefined }),
      anonymous: fc.boolean(),
    });
    await fc.assert(fc.asyncProperty(request, async (r) => {
      // Writes stay inside the fuzz namespace (a random DELETE of the server's own namespaces proves nothing).
      const path = r.method === 'GET' || r.method === 'HEAD' ? `${r.cluster}/${r.segments.join('/')}` : `${FUZZ}/${r.segments.join('/')}`;
      // timeoutSeconds first: the value a watch uses, so a random watch ends by itself.
      const q = ['timeoutSeconds=1', ...r.query].join('&');
      const headers = Object.fromEntries(r.headers);
      if (r.method === 'DELETE' && path.startsWith(FUZZ) && !/(^|\/)\.\.?(\/|$)/.test(path.slice(FUZZ.length))) {
        // DELETE only below the fuzz namespace itself.
      } else if (r.method === 'DELETE') return;
      const res = await send(r.method, `${path}?${q}`, { headers, body: r.body, anonymous: r.anonymous });
      assert.notEqual(res.status, 500, `${r.method} ${path}?${q} ${JSON.stringify(headers)}: ${res.body.slice(0, 300)}`);
      assert.ok(res.status >= 200 && res.status < 600, String(res.status));
    }), { numRuns: 150, seed: SEED, endOnFailure: true });
    assert.deepEqual(internalErrors(), []);
  });

  it('random patches of every type never get a 500, and what is stored is what a GET shows', async () => {
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'target', labels: { a: '1' } }, data: { x: '1', y: '2' } };
    const role = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'target' },
      rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] }] };
    assert.equal((await h.request('POST', `${FUZZ}/configmaps`, { body: cm })).status, 201);
    assert.equal((await h.request('POST', ROLES, { body: role })).status, 201);
    const pointer = fc.oneof(
      fc.constantFrom('', '/data', '/data/x', '/data/z', '/metadata/labels/a', '/metadata/labels/b', '/metadata/name',
        '/metadata/annotations', '/rules/0/verbs/-', '/rules/0/verbs/0', '/rules/1', '/rules/-', '/rules/0/evil', '/spec',
        '/hidden', '/kind', '/apiVersion', '/metadata/managedFields', '/metadata/resourceVersion', '/metadata/__proto__', '/data/01'),
      fc.array(fc.string({ maxLength: 5 }), { minLength: 1, maxLength: 4 }).map((xs) => `/${xs.join('/')}`),
    );
    const value = fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.constantFrom('v', ['get'], { a: 'b' }, null, 1));
    const op = fc.record({ op: fc.constantFrom('add', 'remove', 'replace', 'move', 'copy', 'test'), path: pointer, from: pointer, value });
    const patch = fc.oneof(
      fc.record({ type: fc.constant('application/json-patch+json'), body: fc.array(op, { maxLength: 6 }).map((x) => JSON.stringify(x)) }),
      fc.record({ type: fc.constantFrom('application/merge-patch+json', 'application/strategic-merge-patch+json'),
        body: fc.dictionary(fc.constantFrom('data', 'metadata', 'rules', 'hidden', 'spec', 'kind', '$patch', '$retainKeys',
          '$setElementOrder/rules', '$deleteFromPrimitiveList/verbs'), value, { maxKeys: 3 }).map((x) => JSON.stringify(x)) }),
      fc.record({ type: fc.constant('application/apply-patch+yaml'), body: fc.jsonValue({ maxDepth: 3 }).map((v) =>
        JSON.stringify(typeof v === 'object' && v !== null && !Array.isArray(v) ? { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'target' }, ...v } : v)) }),
    );
    const target = fc.constantFrom(
      { url: `${FUZZ}/configmaps/target`, t: ['', 'v1', 'configmaps'] as const },
      { url: `${ROLES}/target`, t: ['rbac.authorization.k8s.io', 'v1', 'roles'] as const },
    );
    const validation = fc.constantFrom('', '&fieldValidation=Strict', '&fieldValidation=Ignore', '&fieldValidation=Warn', '&force=true');
    await fc.assert(fc.asyncProperty(target, patch, validation, async (tg, p, v) => {
      const res = await send('PATCH', `${tg.url}?fieldManager=fuzz${v}`, { headers: { 'content-type': p.type }, body: p.body });
      assert.notEqual(res.status, 500, `${p.type} ${p.body}: ${res.body.slice(0, 300)}`);
      if (res.status >= 300) return;
      const type = h.server.catalog.lookup('root', tg.t[0], tg.t[1], tg.t[2])!;
      const stored = await h.server.store.read('root', type, 'fuzz', 'target');
      const shown = JSON.parse((await send('GET', tg.url)).body) as Record<string, unknown>;
      assert.deepEqual(JSON.parse(JSON.stringify(stored)), shown, `stored and shown differ after ${p.type} ${p.body}`);
    }), { numRuns: 120, seed: SEED, endOnFailure: true });
    assert.deepEqual(internalErrors(), []);
  });

  it('the server stayed live all along', async () => {
    await probing;
    assert.ok(slowest > 0, 'the prober ran');
    assert.ok(slowest < LIVE_MS, `the slowest probe took ${Math.round(slowest)} ms`);
  });
});
