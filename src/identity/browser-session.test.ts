// Tests of the login pages' cookies: sealed sessions, CSRF tokens, pending logins bound to their state, and return
// URLs that never leave the server.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { createSealedSessionStore, pendingCookie, safeReturnPath } from './browser-session.ts';
import { createSealer } from './sealer.ts';

const req = (cookie: string) => ({ headers: { cookie } }) as unknown as IncomingMessage;
const value = (setCookie: string) => setCookie.slice(0, setCookie.indexOf(';'));

describe('browser session cookies', () => {
  const sealer = createSealer(randomBytes(32));
  let now = 1_000_000;
  const store = createSealedSessionStore(sealer, () => now);

  it('issues an HttpOnly, Secure, SameSite=Lax cookie that reads back, and expires', () => {
    const { session, setCookie } = store.create({ sid: 's1', user: 'corp:a', provider: 'corp' });
    assert.match(setCookie, /; Path=\/; Max-Age=28800; HttpOnly; Secure; SameSite=Lax$/);
    assert.deepEqual(store.read(req(value(setCookie))), session);
    assert.ok(store.csrfOk(session, session.csrf));
    assert.ok(!store.csrfOk(session, `${session.csrf.slice(0, -1)}x`));
    assert.ok(!store.csrfOk(session, undefined));
    now += 8 * 3_600_000;
    assert.equal(store.read(req(value(setCookie))), undefined);
    assert.match(store.clear(), /Max-Age=0/);
  });

  it('finds a pending login only with its own state', () => {
    const p = { idp: 'corp', state: 'state-aaaaaaaaaaaaaaaaaaaaaaaa', nonce: 'n', verifier: 'v', returnTo: '/login/-/home' };
    const c = pendingCookie.set(sealer, p, now);
    assert.match(c, /Path=\/login; Max-Age=600; HttpOnly; Secure; SameSite=Lax/);
    assert.deepEqual(pendingCookie.read(sealer, req(value(c)), p.state, now), p);
    assert.equal(pendingCookie.read(sealer, req(value(c)), 'state-aaaaaaaaaaaaaaaaaaaaaaab', now), undefined);
    assert.equal(pendingCookie.read(sealer, req(value(c)), p.state, now + 600_000), undefined);
  });

  it('keeps return URLs on this server', () => {
    assert.equal(safeReturnPath('/login/-/home?x=1', '/d'), '/login/-/home?x=1');
    for (const bad of ['https://evil.example/', '//evil.example/x', '/\\evil.example', 'javascript:alert(1)', '/\u0000x', 42, undefined, '/'.repeat(600)]) {
      assert.equal(safeReturnPath(bad, '/d'), '/d', String(bad));
    }
    assert.equal(safeReturnPath('/a/../../b', '/d'), '/b');
  });
});
