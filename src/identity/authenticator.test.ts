// Tests of the ID-token authenticator: a token is verified once and then answered from the cache (synchronously);
// routing by issuer and audience; expiry; the user's live state; a changed IdP forgets what it verified.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT, type JWTPayload } from 'jose';
import { IdentityIndex } from '../credentials/index.ts';
import { createIdTokenAuthenticator } from './authenticator.ts';
import type { MappedIdentity } from './claims.ts';
import type { ProviderRegistry, ProviderRuntime } from './providers.ts';
import { settingsOf } from './schema.ts';

const ISS = 'https://idp.example.com';

async function setup() {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256' };
  const p = {
    settings: settingsOf('corp', 'uid', { oidc: { issuer: ISS, clientID: 'portcullis', usernameClaim: 'email', usernamePrefix: 'corp:', groupsClaim: 'groups', groupsPrefix: 'corp:' } }),
    ready: true, reason: 'Ready', message: '', jwks: createLocalJWKSet({ keys: [jwk] }),
  } as unknown as ProviderRuntime;
  const registry = { generation: 1, forIssuer: (iss: string) => (iss === ISS ? [p] : []), get: () => p } as unknown as ProviderRegistry;
  const identities = new IdentityIndex();
  const confirmed: MappedIdentity[] = [];
  let now = Date.now();
  const authn = createIdTokenAuthenticator({
    registry, identities, now: () => now,
    accounts: { confirmByIdToken: async (_p, id) => { confirmed.push(id); identities.setUser(id.username, { metadata: { name: id.username, uid: 'u' }, spec: { groups: id.groups } }); } },
  });
  const sign = (claims: JWTPayload, o: { aud?: string; exp?: number; iss?: string } = {}) => new SignJWT(claims).setProtectedHeader({ alg: 'ES256', kid: 'k1' })
    .setIssuer(o.iss ?? ISS).setAudience(o.aud ?? 'portcullis').setIssuedAt().setExpirationTime(o.exp ?? Math.floor(now / 1000) + 600).sign(privateKey);
  const call = (token: string) => authn.authenticate({ req: { headers: { authorization: `Bearer ${token}` } } as IncomingMessage, cluster: 'c' });
  return { registry, identities, confirmed, sign, call, advance: (ms: number) => { now += ms; } };
}

const alice = { sub: 'a1', email: 'alice@example.com', email_verified: true, groups: ['dev'] };

describe('ID-token authenticator', () => {
  it('verifies a token once, then answers from the cache synchronously with the user\'s live identity', async () => {
    const t = await setup();
    const token = await t.sign(alice);
    const first = await t.call(token);
    assert.equal(first?.user.username, 'corp:alice@example.com');
    assert.deepEqual(first?.user.groups, ['corp:dev']);
    assert.match(first!.credentialId!, /^idtoken:corp:[0-9a-f]{16}$/);
    const again = t.call(token);
    assert.ok(!(again instanceof Promise), 'cached: no promise on the request path');
    assert.equal(again, first, 'the same frozen result');
    assert.equal(t.confirmed.length, 1);
    t.identities.setUser('corp:alice@example.com', undefined);
    assert.throws(() => t.call(token), /user "corp:alice@example.com" no longer exists or is disabled/);
  });

  it('expires cached tokens on time, and forgets them when the IdP changes', async () => {
    const t = await setup();
    const token = await t.sign(alice);
    await t.call(token);
    (t.registry as { generation: number }).generation++;
    const reverified = t.call(token);
    assert.ok(reverified instanceof Promise, 'verified again after the IdP changed');
    await reverified;
    t.advance(606_000);
    assert.throws(() => t.call(token), /has expired/);
  });

  it('leaves other bearer tokens alone and refuses tokens addressed to someone else', async () => {
    const t = await setup();
    assert.equal(t.call('pcak_abc'), null);
    assert.equal(t.call('not-a-jwt'), null);
    assert.equal(await t.call(await t.sign(alice, { iss: 'https://other.example.com' })), null);
    await assert.rejects(async () => t.call(await t.sign(alice, { aud: 'kubernetes' })), /audience \["kubernetes"\] is not the client ID/);
    await assert.rejects(async () => t.call(await t.sign({ ...alice, groups: 'x' as unknown as string[], email: undefined })), /no string claim "email"/);
  });
});
