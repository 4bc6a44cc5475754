// Tests of the freshness check every credential of an IdP user passes: confirmed groups within the cap, revoked
// sessions, a removed IdP, and a project IdP's users kept in their project; other users are not looked at. Then the
// IdP-login links of credential chains: a kept verdict ends when its login is revoked or deleted.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../apiserver/storage/interface.ts';
import type { IncomingMessage } from 'node:http';
import { CredentialChains } from '../apiserver/auth/credential-chain.ts';
import type { AuthnResult } from '../apiserver/auth/types.ts';
import { StatusError } from '../apiserver/errors.ts';
import { LinkIndex, registerSessionLinks } from './links.ts';
import type { ProviderRegistry } from './providers.ts';
import { settingsOf } from './schema.ts';

const H = 3_600_000;
const corp = { settings: settingsOf('corp', 'uid-corp', { oidc: { issuer: 'https://idp.example.com', clientID: 'c', usernamePrefix: 'corp:' } }) };
const pay = { settings: settingsOf('pay', 'uid-pay', { project: 'payments', oidc: { issuer: 'https://pay.example.com', clientID: 'c', usernamePrefix: 'pay:' } }) };

function setup() {
  let now = Date.parse('2030-01-01T00:00:00Z');
  const providers = new Map<string, unknown>([['corp', corp], ['pay', pay]]);
  const registry = { get: (n: string) => providers.get(n) } as unknown as ProviderRegistry;
  const links = new LinkIndex(registry, () => now);
  const session = (name: string, user: string, provider: string, uid: string, status: Record<string, unknown>): KObject => ({
    metadata: { name }, spec: { provider, providerUID: uid, user, issuer: 'x', subject: 's', via: 'browser' },
    status: { groups: [], ...status },
  });
  return { links, providers, session, advance: (ms: number) => { now += ms; }, at: (ms: number) => new Date(now + ms).toISOString() };
}

describe('IdP freshness check', () => {
  it('passes users that do not come from an IdP without looking further', () => {
    const { links } = setup();
    assert.equal(links.problem('admin', 'root'), undefined);
    links.setLink('corp:a', { provider: 'corp' });
    assert.equal(links.problem('admin', 'root'), undefined);
  });

  it('fails closed past maxGroupStaleness, saying when the IdP last confirmed and why it could not since', () => {
    const t = setup();
    t.links.setLink('corp:a', { provider: 'corp' });
    t.links.setSession(t.session('s1', 'corp:a', 'corp', 'uid-corp', { state: 'Active', confirmedAt: t.at(0), lastError: 'cannot reach identity provider "corp": ECONNREFUSED' }));
    assert.equal(t.links.problem('corp:a', 'payments-dev'), undefined);
    t.advance(H);
    assert.equal(t.links.problem('corp:a', 'payments-dev'), undefined, 'exactly the cap is still fine');
    t.advance(1);
    const e = t.links.problem('corp:a', 'payments-dev');
    assert.equal(e?.code, 401);
    assert.match(e!.message, /identity provider "corp" has not confirmed user "corp:a" and its groups since 2030-01-01T00:00:00Z, longer than its maxGroupStaleness of 1h \(last attempt: cannot reach identity provider "corp": ECONNREFUSED\)/);
    // a newer confirmation through another session counts
    t.links.setSession(t.session('s2', 'corp:a', 'corp', 'uid-corp', { state: 'Active', confirmedAt: t.at(0) }));
    assert.equal(t.links.problem('corp:a', 'payments-dev'), undefined);
  });

  it('refuses users whose sessions were revoked (with the reason), of a re-created IdP, or of a removed IdP', () => {
    const t = setup();
    t.links.setLink('corp:a', { provider: 'corp' });
    assert.match(t.links.problem('corp:a', 'root')!.message, /has no login confirmed by identity provider "corp"/);
    t.links.setSession(t.session('s1', 'corp:a', 'corp', 'uid-corp', { state: 'Revoked', confirmedAt: t.at(0), reason: 'the IdP refused (invalid_grant)' }));
    assert.match(t.links.problem('corp:a', 'root')!.message, /every credential of user "corp:a" was revoked: the IdP refused \(invalid_grant\)/);
    t.links.setSession(t.session('s2', 'corp:a', 'corp', 'uid-of-an-older-corp', { state: 'Active', confirmedAt: t.at(0) }));
    assert.ok(t.links.problem('corp:a', 'root'), 'a session of a deleted and re-created IdP does not count');
    t.providers.delete('corp');
    assert.match(t.links.problem('corp:a', 'root')!.message, /comes from identity provider "corp", which is no longer configured/);
  });

  it('keeps a project IdP\'s users in their project\'s clusters (root and unknown clusters go to RBAC)', () => {
    const t = setup();
    t.links.setLink('pay:p', { provider: 'pay' });
    t.links.setSession(t.session('s1', 'pay:p', 'pay', 'uid-pay', { state: 'Active', confirmedAt: t.at(0) }));
    t.links.setTenant('payments-dev', 'payments');
    t.links.setTenant('other-dev', 'other');
    assert.equal(t.links.problem('pay:p', 'payments-dev'), undefined);
    assert.equal(t.links.problem('pay:p', 'root'), undefined);
    assert.equal(t.links.problem('pay:p', 'host'), undefined);
    const e = t.links.problem('pay:p', 'other-dev');
    assert.equal(e?.code, 403);
    assert.match(e!.message, /comes from identity provider "pay" of project "payments" and may only reach that project's clusters/);
  });
});

describe('IdP-login links of credential chains', () => {
  /** A key minted by login s1 of corp:a, accepted twice (its verdict kept); `walks` counts walks of the login link. */
  function kept() {
    const t = setup();
    const chains = new CredentialChains(() => Date.parse('2030-01-01T00:00:00Z'));
    let walks = 0;
    chains.register('user', () => ({}));
    registerSessionLinks(chains, t.links);
    const session = (status: Record<string, unknown>, uid = 'uid-s1') => {
      const o = t.session('s1', 'corp:a', 'corp', 'uid-corp', { state: 'Active', confirmedAt: t.at(0), ...status });
      o.metadata.uid = uid;
      return o;
    };
    t.links.setSession(session({}));
    chains.register('counted', () => { walks++; return { parents: ['identitysession:s1#uid-s1'] }; });
    const key: AuthnResult = { user: { username: 'corp:a', groups: [] }, reason: 'key', credentialId: 'counted:k1' };
    const check = () => chains.check(key, { req: {} as IncomingMessage, cluster: 'root' });
    check(); check();
    assert.equal(walks, 1);
    const refused = (what: string, message: RegExp) => {
      assert.throws(check, (e: unknown) => e instanceof StatusError && e.code === 401 && message.test(e.message), what);
    };
    return { t, session, check, refused, walks: () => walks };
  }

  it('ends a kept verdict when the login is revoked, deleted, or replaced by another of the same name', () => {
    const a = kept();
    a.t.links.setSession(a.session({ state: 'Revoked', reason: 'logged out everywhere' }));
    a.refused('a revoked login', /login s1 was revoked: logged out everywhere/);
    const b = kept();
    b.t.links.removeSession('s1');
    b.refused('a deleted login', /login s1 has ended/);
    const c = kept();
    c.t.links.setSession(c.session({}, 'uid-s1-again'));
    c.refused('another login of the same name', /login s1 has ended/);
  });

  it('keeps the verdict when a refresh only confirms the login again', () => {
    const k = kept();
    k.t.advance(60_000);
    k.t.links.setSession(k.session({ confirmedAt: k.t.at(0) }));
    k.check();
    assert.equal(k.walks(), 1, 'not walked again');
  });
});
