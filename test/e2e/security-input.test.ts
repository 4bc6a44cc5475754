// Issue 12, findings 4, 13 and 16, tried as an attacker would: hostile patches (bounded work, the server stays live
// for everyone), malformed escapes, deep bodies and huge watch timeouts (400s, no stack traces), unknown fields of
// built-in kinds (dropped or refused per fieldValidation, whichever write carries them).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { startHarness, type Harness, type HttpResult } from '../support/harness.ts';

const NS = '/clusters/root/api/v1/namespaces/default';
const CM = `${NS}/configmaps`;
const ROLES = '/clusters/root/apis/rbac.authorization.k8s.io/v1/namespaces/default/roles';
/** A liveness bound, far above any answer on a busy machine, far below what the unfixed server took (minutes). */
const LIVE_MS = 5000;
const JSON_PATCH = { 'content-type': 'application/json-patch+json' };
const MERGE_PATCH = { 'content-type': 'application/merge-patch+json' };

/** `p`, or a failure when it takes longer than `ms`. */
async function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms); });
  try { return await Promise.race([p, late]); } finally { clearTimeout(timer); }
}

function expectStatus(r: HttpResult, code: number, message: RegExp): void {
  assert.equal(r.status, code, r.body.slice(0, 500));
  const s = r.json();
  assert.equal(s.kind, 'Status');
  assert.equal(s.code, code);
  assert.match(s.message, message);
}

describe('security: hostile input (issue 12: 4, 13, 16)', { timeout: 120_000 }, () => {
  let h: Harness;
  let tls: { ca: string; cert: Buffer; key: Buffer };
  before(async () => {
    h = await startHarness();
    const doc = parseYaml(readFileSync(h.server.adminKubeconfigPath, 'utf8')) as { users: Array<{ user: Record<string, string> }> };
    const u = doc.users[0].user;
    tls = { ca: h.server.pki.caCertPem, cert: Buffer.from(u['client-certificate-data'], 'base64'), key: Buffer.from(u['client-key-data'], 'base64') };
  });
  after(async () => { await h?.close(); });

  /** Server log lines since `from` that show an internal error or a stack trace. */
  const internalErrors = (from: number) => h.logs.slice(from).filter((l) => /internal error|\n\s+at /i.test(l));

  it('4: a JSON patch of copy operations is refused at once while a cheap GET answers promptly', async () => {
    const blob = 'x'.repeat(300 * 1024);
    assert.equal((await h.request('POST', CM, { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'victim' }, data: { blob } } })).status, 201);
    // The unfixed server cloned the whole document per operation: 16 of these held the event loop ~10 s, 200 minutes.
    const ops = Array.from({ length: 200 }, (_, i) => ({ op: 'copy', from: '/data/blob', path: `/data/c${i}` }));
    const hostile = h.request('PATCH', `${CM}/victim`, { body: ops, headers: JSON_PATCH });
    await new Promise((r) => setTimeout(r, 20));
    const live = await within(h.request('GET', NS), LIVE_MS, 'a GET while the hostile patch runs');
    assert.equal(live.status, 200);
    const r = await within(hostile, LIVE_MS, 'the hostile patch');
    assert.equal(r.status, 422, r.body.slice(0, 300));
    assert.match(r.json().details.causes[0].message, /accumulated size increase of copy is \d+, exceeding the limit 3145728/);
    const after = (await h.request('GET', `${CM}/victim`)).json();
    assert.deepEqual(Object.keys(after.data), ['blob'], 'nothing of the refused patch is stored');
  });

  it('4: every patch type is bounded: operation count, result size, nesting, list sizes, YAML aliases', async () => {
    const from = h.logs.length;
    const tooMany = Array.from({ length: 10001 }, () => ({ op: 'test', path: '/kind', value: 'ConfigMap' }));
    expectStatus(await h.request('PATCH', `${CM}/victim`, { body: tooMany, headers: JSON_PATCH }), 413,
      /The allowed maximum operations in a JSON patch is 10000, got 10001/);
    // A result over the 3 MiB request limit is refused, whichever patch type builds it.
    const big = { data: { more: 'y'.repeat(2 * 1024 * 1024), again: 'z'.repeat(1024 * 1024) } };
    expectStatus(await h.request('PATCH', `${CM}/victim`, { body: big, headers: MERGE_PATCH }), 413, /limit is 3145728/);
    expectStatus(await h.request('PATCH', `${CM}/victim`, { body: big, headers: { 'content-type': 'application/strategic-merge-patch+json' } }),
      413, /limit is 3145728/);
    expectStatus(await h.request('PATCH', `${CM}/victim`, { body: [{ op: 'add', path: '/data/more', value: big.data.more }, { op: 'add', path: '/data/again', value: big.data.again }], headers: JSON_PATCH }),
      413, /limit is 3145728/);
    // Nesting grows only to the body limit, also across patches.
    const deep = (n: number) => '{"a":'.repeat(n) + '1' + '}'.repeat(n);
    expectStatus(await h.request('PATCH', `${CM}/victim`, { body: `{"metadata":{"annotations":null},"x":${deep(100000)}}`, headers: MERGE_PATCH }), 400, /nested too deeply/);
    // Strategic merge of long lists is linear (pairwise comparison made this minutes of CPU).
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'lists' }, spec: { containers: [{ name: 'c', image: 'i' }] } };
    assert.equal((await h.request('POST', `${NS}/pods`, { body: pod })).status, 201);
    const n = 8000;
    const smp = { metadata: { finalizers: Array.from({ length: n }, (_, i) => `example.com/f${i}`) },
      spec: { '$setElementOrder/containers': Array.from({ length: n }, (_, i) => ({ name: `c${i}` })) } };
    const slow = h.request('PATCH', `${NS}/pods/lists`, { body: smp, headers: { 'content-type': 'application/strategic-merge-patch+json' } });
    await new Promise((r) => setTimeout(r, 20));
    assert.equal((await within(h.request('GET', NS), LIVE_MS, 'a GET while a large strategic merge runs')).status, 200);
    assert.ok([200, 422].includes((await slow).status));
    // YAML: alias bombs and nesting are refused; YAML bodies are decoded without a quadratic key check.
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x"]', 'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]',
      'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]', 'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]', 'e: [*d,*d,*d,*d,*d,*d,*d,*d,*d]'].join('\n');
    expectStatus(await h.request('POST', CM, { body: bomb, headers: { 'content-type': 'application/yaml' } }), 400, /not valid YAML: .*alias/i);
    const yaml = ['apiVersion: v1', 'kind: ConfigMap', 'metadata:', '  name: many-keys', 'data:',
      ...Array.from({ length: 5000 }, (_, i) => `  key${i}: value-${i}`)].join('\n');
    const created = h.request('POST', CM, { body: yaml, headers: { 'content-type': 'application/yaml' } });
    await new Promise((r) => setTimeout(r, 20));
    assert.equal((await within(h.request('GET', NS), LIVE_MS, 'a GET while a large YAML body is decoded')).status, 200);
    assert.equal((await created).status, 201);
    expectStatus(await h.request('POST', CM, { body: `${yaml}\n  key7: again`, headers: { 'content-type': 'application/yaml' } }),
      400, /Map keys must be unique; "key7" is repeated/);
    assert.deepEqual(internalErrors(from), []);
  });

  it('13: malformed % escapes are 400s, for anonymous callers too, with nothing logged', async () => {
    const from = h.logs.length;
    for (const path of [`${NS}/configmaps/%zz`, '/clusters/%E0%A4%A/api', `${CM}/a%`, '/api/v1/namespaces/%ff%fe/pods']) {
      for (const anonymous of [false, true]) {
        const r = await h.request('GET', path, { anonymous });
        assert.equal(r.status, 400, `${path} ${anonymous ? 'anonymous' : 'admin'}: ${r.body}`);
        assert.match(r.json().message, /invalid URL escape/);
      }
    }
    assert.deepEqual(internalErrors(from), []);
  });

  it('13: deeply nested JSON, YAML and patch bodies are 400s, with no stack trace logged', async () => {
    const from = h.logs.length;
    const arrays = '['.repeat(100000) + ']'.repeat(100000);
    const objects = '{"a":'.repeat(100000) + '1' + '}'.repeat(100000);
    const cm = (x: string) => `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"deep"},"x":${x}}`;
    expectStatus(await h.request('POST', CM, { body: cm(arrays) }), 400, /nested too deeply/);
    expectStatus(await h.request('POST', CM, { body: cm(objects) }), 400, /nested too deeply/);
    expectStatus(await h.request('POST', CM, { body: arrays }), 400, /nested too deeply/);
    expectStatus(await h.request('PATCH', `${CM}/victim`, { body: `{"x":${objects}}`, headers: MERGE_PATCH }), 400, /nested too deeply/);
    expectStatus(await h.request('PATCH', `${CM}/victim`, { body: `[{"op":"add","path":"/x","value":${objects}}]`, headers: JSON_PATCH }), 400, /nested too deeply/);
    const yamlDeep = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: deep}\nx: ${'['.repeat(5000)}${']'.repeat(5000)}\n`;
    const r = await h.request('POST', CM, { body: yamlDeep, headers: { 'content-type': 'application/yaml' } });
    expectStatus(r, 400, /nested/);
    const apply = await h.request('PATCH', `${CM}/deep?fieldManager=t`, { body: yamlDeep, headers: { 'content-type': 'application/apply-patch+yaml' } });
    expectStatus(apply, 400, /nested/);
    assert.deepEqual(internalErrors(from), []);
  });

  it('13: a huge watch timeoutSeconds keeps the watch open; a short one ends it', async () => {
    const watch = (timeoutSeconds: string, holdMs: number) => new Promise<{ status: number; ended: boolean }>((resolve, reject) => {
      const req = https.request(`${h.server.url}${CM}?watch=1&timeoutSeconds=${timeoutSeconds}`, { ...tls }, (res) => {
        const timer = setTimeout(() => { req.destroy(); resolve({ status: res.statusCode ?? 0, ended: false }); }, holdMs);
        res.resume();
        res.on('end', () => { clearTimeout(timer); resolve({ status: res.statusCode ?? 0, ended: true }); });
      });
      req.on('error', (e) => { if (!req.destroyed) reject(e); });
      req.end();
    });
    for (const huge of ['9223372036854775807', '99999999999', '2147484']) {
      assert.deepEqual(await watch(huge, 1000), { status: 200, ended: false }, `timeoutSeconds=${huge}`);
    }
    assert.deepEqual(await watch('1', LIVE_MS + 1000), { status: 200, ended: true });
    expectStatus(await h.request('GET', `${CM}?watch=1&timeoutSeconds=99999999999999999999`), 400, /value out of range/);
  });

  it('16: unknown fields of built-in kinds are dropped, warned about or refused per fieldValidation, JSON patch too', async () => {
    assert.equal((await h.request('POST', ROLES, { body: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'r' },
      rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }] } })).status, 201);
    const ops = [{ op: 'add', path: '/rules/0/evil', value: ['*'] }, { op: 'add', path: '/hidden', value: { x: 1 } }];
    const warn = await h.request('PATCH', `${ROLES}/r`, { body: ops, headers: JSON_PATCH });
    assert.equal(warn.status, 200);
    assert.match(String(warn.headers.warning), /unknown field \\"rules\[0\]\.evil\\"/);
    assert.match(String(warn.headers.warning), /unknown field \\"hidden\\"/);
    const strict = await h.request('PATCH', `${ROLES}/r?fieldValidation=Strict`, { body: ops, headers: JSON_PATCH });
    expectStatus(strict, 400, /strict decoding error: unknown field "rules\[0\]\.evil", unknown field "hidden"/);
    const ignore = await h.request('PATCH', `${ROLES}/r?fieldValidation=Ignore`, { body: ops, headers: JSON_PATCH });
    assert.equal(ignore.status, 200);
    assert.equal(ignore.headers.warning, undefined);
    for (const mp of [{ hidden: 1, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'], evil: 1 }] }]) {
      assert.equal((await h.request('PATCH', `${ROLES}/r`, { body: mp, headers: MERGE_PATCH })).status, 200);
    }
    const roles = h.server.catalog.lookup('root', 'rbac.authorization.k8s.io', 'v1', 'roles')!;
    const stored = await h.server.store.read('root', roles, 'default', 'r') as Record<string, any>;
    const got = (await h.request('GET', `${ROLES}/r`)).json();
    for (const o of [stored, got]) {
      assert.equal(o.hidden, undefined);
      assert.deepEqual(o.rules, [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }]);
    }
  });
});
