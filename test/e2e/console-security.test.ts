// Browser and HTTP end-to-end: what the console's session may and may not do. A non-admin neither sees nor reaches
// admin pages (the API refuses too); the session cookie authenticates only same-origin requests carrying the CSRF
// token (a real cross-site page fails); sessions expire, end everywhere at once, and die with their user.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { setupPlatform } from './credentials-harness.ts';
import { pageFetch, startConsole, type ConsoleHarness } from './console-harness.ts';

/** Polls until `f` holds (what the server does after an informer event is asynchronous). */
async function eventually(f: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 100; i++) { if (await f()) return; await new Promise((r) => setTimeout(r, 100)); }
  assert.fail(`timed out waiting until ${what}`);
}

interface Reply { status: number; headers: http.IncomingHttpHeaders; body: string; json(): any }
const MIN = 60_000;

describe('console: sessions, CSRF and admin pages', () => {
  let c: ConsoleHarness;
  let base = '';
  const call = (method: string, p: string, headers: Record<string, string> = {}, body?: unknown): Promise<Reply> => new Promise((resolve, reject) => {
    const text = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    const req = https.request(`${base}${p}`, { method, ca: c.h.server.pki.caCertPem, headers: { ...(text ? { 'content-type': 'application/json' } : {}), ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => { const b = Buffer.concat(chunks).toString(); resolve({ status: res.statusCode ?? 0, headers: res.headers, body: b, json: () => JSON.parse(b) }); });
    });
    req.on('error', reject);
    req.end(text);
  });
  /** Signs in over HTTP: the two cookies as the browser would keep them. */
  const signIn = async (username: string, password: string) => {
    const r = await call('POST', '/platform/v1/session/login', {}, { username, password });
    assert.equal(r.status, 200, r.body);
    const set = r.headers['set-cookie'] ?? [];
    const value = (name: string) => set.find((s) => s.startsWith(`${name}=`))!.split(';')[0].slice(name.length + 1);
    return { set, session: value('__Host-portcullis-session'), csrf: value('__Host-portcullis-csrf') };
  };
  const cookieOf = (s: { session: string; csrf: string }) => `__Host-portcullis-session=${s.session}; __Host-portcullis-csrf=${s.csrf}`;
  const asSession = (s: { session: string; csrf: string }, extra: Record<string, string> = {}) => ({ cookie: cookieOf(s), 'x-csrf-token': s.csrf, ...extra });

  before(async () => {
    c = await startConsole();
    base = c.h.server.url;
    await setupPlatform(c.h);
  });
  after(async () => { await c?.close(); });

  it('a non-admin sees no admin pages, and the API refuses them too', async () => {
    const { page } = await c.newPage();
    await c.signIn(page, 'carol', 'carol-password-1');
    const nav = page.getByRole('navigation', { name: 'Main' });
    await nav.getByRole('link', { name: 'Credentials' }).waitFor();
    for (const admin of ['Users', 'Teams', "Why can / can't I"]) assert.equal(await nav.getByRole('link', { name: admin }).count(), 0, admin);
    await page.goto('/console/users');
    await page.getByRole('heading', { name: 'Not allowed' }).waitFor();
    await c.axe(page, 'the not-allowed page');
    for (const [method, url, body] of [
      ['GET', '/platform/v1/users'], ['GET', '/platform/v1/teams'], ['GET', '/apis/management.portcullis.io/v1/users'],
      ['POST', '/apis/management.portcullis.io/v1/users', { apiVersion: 'management.portcullis.io/v1', kind: 'User', metadata: { name: 'mallory' }, spec: { globalAdmin: true } }],
      ['PATCH', '/apis/management.portcullis.io/v1/users/carol', { spec: { globalAdmin: true } }],
      ['POST', '/platform/v1/explain', { user: 'alice', cluster: 'payments-dev', verb: 'get', resource: 'pods' }],
      ['GET', '/platform/v1/credentials?all=true'], ['GET', '/platform/v1/audit?cluster=payments-dev'],
      ['GET', '/platform/v1/tenantclusters/payments-dev'], ['POST', '/platform/v1/tenantclusters/payments-dev/permissions', { action: 'add', user: 'carol', role: 'cluster-admin' }],
      ['POST', '/platform/v1/session/logout-everywhere', { user: 'alice' }], ['GET', '/platform/v1/tenantclusters?user=alice'],
    ] as const) {
      const r = await pageFetch(page, method, url, body);
      assert.equal(r.status, 403, `${method} ${url}: ${JSON.stringify(r.json)}`);
    }
    const mine = await pageFetch(page, 'GET', '/platform/v1/credentials?user=carol&limit=50');
    assert.equal(mine.status, 200);
    assert.ok(mine.json.items.some((i: { session?: string; user: string }) => i.session === 'browser' && i.user === 'carol'), 'the session is in the inventory');
  });

  it('sets the session cookies HttpOnly, Secure, SameSite=Strict with the __Host- prefix', async () => {
    const s = await signIn('carol', 'carol-password-1');
    const session = s.set.find((x) => x.startsWith('__Host-portcullis-session='))!;
    const csrf = s.set.find((x) => x.startsWith('__Host-portcullis-csrf='))!;
    for (const part of ['Secure', 'SameSite=Strict', 'Path=/', 'HttpOnly', 'Max-Age=']) assert.ok(session.includes(part), `${part} in ${session}`);
    assert.ok(!csrf.includes('HttpOnly') && csrf.includes('Secure') && csrf.includes('SameSite=Strict'));
    assert.doesNotMatch(session, /Domain=/);
  });

  it('refuses a session cookie without the CSRF token, with a wrong or foreign token, or from another origin', async () => {
    const carol = await signIn('carol', 'carol-password-1');
    const alice = await signIn('alice', 'alice-password-1');
    assert.equal((await call('GET', '/platform/v1/session', asSession(carol))).status, 200);
    const cases: Array<[string, Record<string, string>]> = [
      ['no token', { cookie: cookieOf(carol) }],
      ['wrong token', { cookie: cookieOf(carol), 'x-csrf-token': 'x'.repeat(43) }],
      ["another session's token", { cookie: cookieOf(carol), 'x-csrf-token': alice.csrf }],
      ['another origin', asSession(carol, { origin: 'https://evil.example' })],
      ['a cross-site fetch', asSession(carol, { 'sec-fetch-site': 'cross-site' })],
      ['a same-site fetch from another origin', asSession(carol, { 'sec-fetch-site': 'same-site' })],
    ];
    for (const [what, headers] of cases) {
      for (const [method, p] of [['GET', '/platform/v1/session'], ['GET', '/api/v1/namespaces'], ['POST', '/platform/v1/session/logout-everywhere']]) {
        const r = await call(method, p, headers, method === 'POST' ? {} : undefined);
        assert.equal(r.status, 403, `${what}: ${method} ${p} → ${r.status} ${r.body}`);
      }
    }
    assert.equal((await call('GET', '/platform/v1/session', asSession(carol))).status, 200, 'the refused POSTs ended nothing');
    // sign-in itself: only from our pages, only as JSON
    assert.equal((await call('POST', '/platform/v1/session/login', { origin: 'https://evil.example' }, { username: 'carol', password: 'carol-password-1' })).status, 403);
    assert.equal((await call('POST', '/platform/v1/session/login', { 'content-type': 'text/plain' }, JSON.stringify({ username: 'carol', password: 'carol-password-1' }))).status, 400);
    assert.equal((await call('POST', '/platform/v1/session/login', {}, { username: 'carol', password: 'wrong-password' })).status, 401);
  });

  it('a session is no bearer token, and bearer and certificate clients are unaffected by cookies', async () => {
    const carol = await signIn('carol', 'carol-password-1');
    const asBearer = await call('GET', '/platform/v1/whoami', { authorization: `Bearer ${carol.session}` });
    assert.equal(asBearer.status, 401);
    assert.match(asBearer.json().message, /console session cannot be used as a bearer token/);
    const key = await c.h.cli(['login', base, '--username', 'alice', '--password-stdin', '--ca-file', c.h.writeFile('ca.pem', c.h.server.pki.caCertPem)], { input: 'alice-password-1\n' });
    assert.equal(key.code, 0, key.stderr);
    const cliKey = JSON.parse((await import('node:fs')).readFileSync(c.h.configFile, 'utf8')).credential.accessKey as string;
    const inCookie = await call('GET', '/platform/v1/whoami', { cookie: `__Host-portcullis-session=${cliKey}`, 'x-csrf-token': 'anything' });
    assert.equal(inCookie.status, 403, 'a foreign secret in the cookie fails the CSRF check');
    // a bearer request carrying someone's session cookie is the bearer's, with no CSRF token needed
    const mixed = await call('GET', '/platform/v1/whoami', { authorization: `Bearer ${cliKey}`, cookie: cookieOf(carol) });
    assert.equal(mixed.status, 200, mixed.body);
    assert.equal(mixed.json().status.username, 'alice');
    const ns = await c.h.kubectl(['get', 'namespaces', '-o', 'name']);
    assert.match(ns.stdout, /namespace\/default/);
  });

  it('a real cross-site page cannot use the signed-in session', async () => {
    const { page } = await c.newPage();
    await c.signIn(page, 'carol', 'carol-password-1');
    const target = `${base}/platform/v1/session/logout-everywhere`;
    const evil = http.createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(`<!doctype html><title>evil</title><body><form id="f" method="POST" action="${target}" enctype="text/plain">
        <input name='{"a":"' value='b"}'></form><script>
        fetch(${JSON.stringify(`${base}/platform/v1/credentials`)}, { credentials: 'include' })
          .then((r) => { document.title = 'read ' + r.status; }, () => { document.title = 'blocked'; })
          .finally(() => document.getElementById('f').submit());
        </script></body>`);
    });
    await new Promise<void>((r) => evil.listen(0, 'localhost', r));
    try {
      await page.goto(`http://localhost:${(evil.address() as AddressInfo).port}/`);
      await page.waitForURL(target);
      const landed = await page.textContent('body');
      assert.match(landed ?? '', /"code":401/, 'the cross-site form post arrived without the session cookie');
    } finally { evil.close(); }
    await page.goto('/console/credentials');
    await page.getByRole('heading', { name: 'Credentials' }).waitFor();
    const still = await pageFetch(page, 'GET', '/platform/v1/session');
    assert.equal(still.status, 200, 'the session survived');
  });

  it('a session ends after its idle timeout and its lifetime; the console asks to sign in again', async () => {
    const { page } = await c.newPage();
    await c.signIn(page, 'carol', 'carol-password-1');
    // the first page's own calls are done before the clock moves
    await page.getByRole('cell', { name: 'payments-dev', exact: true }).waitFor();
    c.h.clock.advance(31 * MIN);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Credentials' }).click();
    await page.getByText('Your session has ended').waitFor();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await c.screenshot(page, 'session-ended');
    await c.signIn(page, 'carol', 'carol-password-1');
    for (let i = 0; i < 17; i++) { // used every 29 minutes: never idle, but past 8 hours
      c.h.clock.advance(29 * MIN);
      const r = await pageFetch(page, 'GET', '/platform/v1/session');
      if (i < 16) assert.equal(r.status, 200, `still valid after ${(i + 1) * 29} minutes`);
      else { assert.equal(r.status, 401); assert.match(r.json.message, /expired/); }
    }
  });

  it('"Log out everywhere" ends every session of the user, console and CLI', async () => {
    const a = await c.newPage();
    const b = await c.newPage();
    await c.signIn(a.page, 'carol', 'carol-password-1');
    await c.signIn(b.page, 'carol', 'carol-password-1');
    const cli = await c.h.cli(['login', base, '--username', 'carol', '--password-stdin', '--ca-file', c.h.writeFile('ca2.pem', c.h.server.pki.caCertPem)], { input: 'carol-password-1\n' });
    assert.equal(cli.code, 0, cli.stderr);
    await a.page.getByRole('button', { name: 'carol', exact: true }).click();
    await a.page.getByRole('menuitem', { name: 'Log out everywhere' }).click();
    await a.page.getByText('Every session of yours has been ended.').waitFor();
    assert.equal((await pageFetch(b.page, 'GET', '/platform/v1/session')).status, 401);
    assert.notEqual((await c.h.cli(['whoami'])).code, 0, 'the CLI session ended too');
  });

  it('sessions die with their user: disabled, password reset in the console, deleted and re-created', async () => {
    const { page } = await c.newPage();
    await c.signIn(page, 'carol', 'carol-password-1');
    await c.h.kubectl(['patch', 'user', 'carol', '--type', 'merge', '-p', '{"spec":{"disabled":true}}']);
    await eventually(async () => (await pageFetch(page, 'GET', '/platform/v1/credentials?user=carol&limit=5')).status === 401, 'the disabled user is refused');
    assert.equal((await call('POST', '/platform/v1/session/login', {}, { username: 'carol', password: 'carol-password-1' })).status, 401);
    await c.h.kubectl(['patch', 'user', 'carol', '--type', 'merge', '-p', '{"spec":{"disabled":false}}']);
    await c.h.server.settle();
    await eventually(async () => !(await c.h.request('GET', '/platform/v1/credentials?user=carol', { admin: true })).json().items.some((i: { session?: string }) => i.session === 'browser'),
      'disabling carol ended her sessions for good');

    await c.signIn(page, 'carol', 'carol-password-1');
    const admin = await c.newPage();
    await c.signIn(admin.page, 'admin', c.adminPassword);
    await admin.page.goto('/console/users');
    await admin.page.getByRole('button', { name: 'Reset password of carol' }).click();
    await admin.page.getByLabel(/^New password/).fill('carol-password-2');
    await admin.page.getByRole('dialog').getByRole('button', { name: 'Reset password' }).click();
    await admin.page.getByRole('dialog').waitFor({ state: 'detached' });
    await eventually(async () => (await pageFetch(page, 'GET', '/platform/v1/credentials?user=carol&limit=5')).status === 401, 'the reset ended her session');
    const fresh = await signIn('carol', 'carol-password-2');

    const made = await c.h.request('POST', '/apis/management.portcullis.io/v1/accesskeys', { admin: true, body: {
      apiVersion: 'management.portcullis.io/v1', kind: 'AccessKey', metadata: { name: 'carol-ci' }, spec: { user: 'carol', displayName: 'carol-ci' } } });
    assert.equal(made.status, 201, made.body);
    const carolKey = made.json().status.key as string;
    assert.equal((await call('GET', '/platform/v1/whoami', { authorization: `Bearer ${carolKey}` })).status, 200);
    await c.h.kubectl(['delete', 'user', 'carol']);
    await c.h.kubectl(['create', '-f', '-'], { input: 'apiVersion: management.portcullis.io/v1\nkind: User\nmetadata: {name: carol}\nspec: {password: carol-password-3}\n' });
    await c.h.server.settle();
    await eventually(async () => (await call('GET', '/platform/v1/session', asSession(fresh))).status === 401, 'a re-created user does not inherit the old one\'s session');
    const inherited = await call('GET', '/platform/v1/whoami', { authorization: `Bearer ${carolKey}` });
    assert.equal(inherited.status, 401, 'nor her access keys');
    assert.match(inherited.json().message, /its owner "carol" no longer exists/);
    assert.deepEqual(c.cspViolations, []);
  });
});
