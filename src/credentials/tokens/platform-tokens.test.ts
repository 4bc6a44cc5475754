// Unit tests: platform tokens are bound to one cluster's audience, expire on the (injectable) clock, can be revoked,
// resolve their owner live, carry the scope they were minted with, and verify after a key rotation.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { openSigningKeys, type StoredSigningKeys } from '../../pki/signing-keys.ts';
import { StatusError } from '../../apiserver/errors.ts';
import { IdentityIndex } from '../platform-view/index.ts';
import { PlatformTokens, audienceFor, createPlatformTokenAuthenticator } from './platform-tokens.ts';

async function setup() {
  let saved: StoredSigningKeys | null = null;
  const keys = await openSigningKeys({ description: 'memory', load: async () => saved, save: async (k) => { saved = k; } });
  const tokens = new PlatformTokens(keys, 'https://portcullis.test/platform');
  let now = Date.parse('2030-01-01T00:00:00Z');
  const revoked = new Set<string>();
  const identities = new IdentityIndex();
  identities.setUser('alice', { metadata: { name: 'alice', uid: 'u1' }, spec: { groups: ['devs'] } });
  const authn = createPlatformTokenAuthenticator({ tokens, identities, isRevoked: (j) => revoked.has(j), now: () => now });
  const req = (t: string) => ({ headers: { authorization: `Bearer ${t}` }, socket: {} }) as unknown as IncomingMessage;
  const issue = (cluster: string, o: { live?: boolean; scope?: Record<string, unknown> } = {}) => tokens.issue({
    user: { username: 'alice', groups: ['devs', 'system:authenticated'] }, cluster, ttlMs: 3_600_000, live: o.live ?? true, scope: o.scope, via: 'access key "ci"', nowMs: now,
  });
  const rejects = (p: Promise<unknown>, re: RegExp) => assert.rejects(p, (e: unknown) => e instanceof StatusError && e.code === 401 && re.test(e.message));
  return { keys, tokens, authn, req, issue, revoked, identities, rejects, advance: (ms: number) => { now += ms; } };
}

describe('platform tokens', () => {
  it('are accepted only on the cluster in their audience', async () => {
    const t = await setup();
    const a = await t.issue('cluster-a');
    assert.equal(a.audience, audienceFor('cluster-a'));
    const ok = await t.authn.authenticate({ req: t.req(a.token), cluster: 'cluster-a' });
    assert.equal(ok?.user.username, 'alice');
    assert.deepEqual(ok?.user.groups, ['devs']);
    assert.equal(ok?.credentialId, `platformtoken:${a.jti}`);
    await t.rejects(Promise.resolve(t.authn.authenticate({ req: t.req(a.token), cluster: 'cluster-b' })),
      /platform token is bound to audience "urn:portcullis:cluster:cluster-a" and is not valid for cluster "cluster-b"/);
  });

  it('expire, can be revoked, and die with their owner', async () => {
    const t = await setup();
    const a = await t.issue('c');
    const b = await t.issue('c');
    const snap = await t.issue('c', { live: false });
    t.revoked.add(b.jti);
    await t.rejects(Promise.resolve(t.authn.authenticate({ req: t.req(b.token), cluster: 'c' })), /platform token has been revoked/);
    t.identities.setUser('alice', undefined);
    await t.rejects(Promise.resolve(t.authn.authenticate({ req: t.req(a.token), cluster: 'c' })), /user "alice" no longer exists/);
    assert.deepEqual((await t.authn.authenticate({ req: t.req(snap.token), cluster: 'c' }))?.user.groups, ['devs'], 'non-platform identities keep their claims');
    t.advance(3_600_000 + 10_000);
    await t.rejects(Promise.resolve(t.authn.authenticate({ req: t.req(snap.token), cluster: 'c' })), /platform token has expired/);
  });

  it('carry the scope of the key they were minted with', async () => {
    const t = await setup();
    const s = await t.issue('c', { scope: { namespaces: [{ cluster: 'c', namespace: 'app' }] } });
    const r = await t.authn.authenticate({ req: t.req(s.token), cluster: 'c' });
    assert.deepEqual(r?.restrictions?.scope,
      { scope: { namespaces: [{ cluster: 'c', namespace: 'app' }] }, credential: 'token minted with access key "ci"' });
  });

  it('leave other JWTs to other authenticators and keep verifying after a key rotation', async () => {
    const t = await setup();
    const before = await t.issue('c');
    await t.keys.rotate();
    const after = await t.issue('c');
    assert.ok(await t.authn.authenticate({ req: t.req(before.token), cluster: 'c' }));
    assert.ok(await t.authn.authenticate({ req: t.req(after.token), cluster: 'c' }));
    assert.equal(t.keys.jwks().keys.length, 2);
    const foreign = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{"iss":"someone-else"}').toString('base64url')}.x`;
    assert.equal(await t.authn.authenticate({ req: t.req(foreign), cluster: 'c' }), null);
    assert.equal(await t.authn.authenticate({ req: t.req('pcak_abc'), cluster: 'c' }), null);
  });
});
