// Session cookies and CSRF: cookie parsing and attributes, the session-bound CSRF token, the same-origin checks, and
// when the cookie authenticator applies at all (never beside an Authorization header).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { StatusError } from '../../apiserver/errors.ts';
import { CSRF_COOKIE, SESSION_COOKIE, clearedCookies, readCookie, sessionCookies } from './cookie.ts';
import { assertSameOrigin, createCsrfTokens, ownOrigins } from './csrf.ts';
import { createSessionAuthenticator } from './authenticator.ts';
import type { SessionStore } from './store.ts';

const req = (headers: Record<string, string>): IncomingMessage => ({ headers, socket: {} } as unknown as IncomingMessage);
const csrf = createCsrfTokens(Buffer.alloc(32, 7));

describe('session cookies', () => {
  it('reads a cookie among others, and nothing from a missing or empty one', () => {
    assert.equal(readCookie(req({ cookie: `a=1; ${SESSION_COOKIE}=pcak_x; b=2` }), SESSION_COOKIE), 'pcak_x');
    assert.equal(readCookie(req({ cookie: `${SESSION_COOKIE}=` }), SESSION_COOKIE), undefined);
    assert.equal(readCookie(req({ cookie: `x${SESSION_COOKIE}=pcak_x` }), SESSION_COOKIE), undefined);
    assert.equal(readCookie(req({}), SESSION_COOKIE), undefined);
  });
  it('sets the session HttpOnly and the CSRF token readable, both Secure, SameSite=Strict, host-only', () => {
    const [s, c] = sessionCookies('pcak_x', 'tok', 3600);
    assert.match(s, /^__Host-portcullis-session=pcak_x; Path=\/; Secure; SameSite=Strict; HttpOnly; Max-Age=3600$/);
    assert.match(c, /^__Host-portcullis-csrf=tok; Path=\/; Secure; SameSite=Strict; Max-Age=3600$/);
    assert.ok(clearedCookies().every((x) => x.includes('Max-Age=0')));
  });
});

describe('CSRF tokens and origins', () => {
  it('binds the token to the session secret and compares exactly', () => {
    const t = csrf.token('pcak_a');
    assert.ok(csrf.verify('pcak_a', t));
    assert.ok(!csrf.verify('pcak_b', t), 'another session');
    assert.ok(!csrf.verify('pcak_a', undefined));
    assert.ok(!csrf.verify('pcak_a', `${t}x`));
    assert.ok(!createCsrfTokens(Buffer.alloc(32, 8)).verify('pcak_a', t), 'another server key');
  });
  it('accepts same-origin requests and refuses cross-site ones', () => {
    const origins = ownOrigins(req({ host: '127.0.0.1:8443' }), 'https://portcullis.example.com/');
    assert.deepEqual(origins, ['https://127.0.0.1:8443', 'https://portcullis.example.com']);
    assertSameOrigin(req({ origin: 'https://127.0.0.1:8443', 'sec-fetch-site': 'same-origin' }), origins);
    assertSameOrigin(req({}), origins);
    for (const h of [{ origin: 'https://evil.example' } as Record<string, string>, { origin: 'null' }, { 'sec-fetch-site': 'cross-site' }, { 'sec-fetch-site': 'same-site' }, { 'sec-fetch-site': 'none' }]) {
      assert.throws(() => assertSameOrigin(req(h), origins), (e: unknown) => e instanceof StatusError && e.code === 403, JSON.stringify(h));
    }
  });
});

describe('the session-cookie authenticator', () => {
  let used = 0;
  const store = { csrf, authenticate: () => { used++; return { user: { username: 'carol', groups: [] }, reason: 'session' }; } } as unknown as SessionStore;
  const authn = createSessionAuthenticator(store, undefined);
  const cookie = `${SESSION_COOKIE}=pcak_s; ${CSRF_COOKIE}=${csrf.token('pcak_s')}`;
  it('does not apply without the cookie or beside an Authorization header', () => {
    assert.equal(authn.authenticate({ req: req({}), cluster: 'root' }), null);
    assert.equal(authn.authenticate({ req: req({ cookie, authorization: 'Bearer pcak_other' }), cluster: 'root' }), null);
    assert.equal(used, 0);
  });
  it('needs the CSRF header of this very session', () => {
    assert.throws(() => authn.authenticate({ req: req({ cookie }), cluster: 'root' }), /missing or invalid CSRF token/);
    assert.throws(() => authn.authenticate({ req: req({ cookie, 'x-csrf-token': csrf.token('pcak_t') }), cluster: 'root' }), /CSRF/);
    assert.equal(used, 0, 'the session is not even looked up');
    const ok = authn.authenticate({ req: req({ cookie, 'x-csrf-token': csrf.token('pcak_s'), host: 'h:1', origin: 'https://h:1' }), cluster: 'root' });
    assert.equal((ok as { user: { username: string } }).user.username, 'carol');
  });
});
