// Tests for ServiceAccount tokens: claims, and every rejection the authenticator must make.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt, decodeProtectedHeader, SignJWT, generateKeyPair } from 'jose';
import { isStatusError } from '../../apiserver/errors.ts';
import type { AuthnResult } from '../../apiserver/auth/types.ts';
import { loadOrCreateSigningKeys, type SigningKeys } from '../../pki/signing-keys.ts';
import {
  createServiceAccountTokenAuthenticator, createTokenSigner, createTokenVerifier, CLUSTER_CLAIM,
  type TokenSigner,
} from './sa-token.ts';

const ISSUER = 'https://portcullis.test';
const aud = (cluster: string) => [`${ISSUER}/clusters/${cluster}`];
let dir: string;
let keys: SigningKeys;
let signer: TokenSigner;
const accounts = new Map<string, string>(); // "cluster/ns/name" -> uid
const revokedJtis = new Set<string>();
let clock: Date | undefined;

const fakeReq = (authorization?: string) =>
  ({ headers: authorization === undefined ? {} : { authorization }, socket: {} }) as unknown as IncomingMessage;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sa-token-'));
  keys = await loadOrCreateSigningKeys(dir);
  signer = createTokenSigner(keys, { issuer: ISSUER });
  accounts.set('a/default/builder', 'uid-1');
  accounts.set('b/default/builder', 'uid-b');
});
after(() => rm(dir, { recursive: true, force: true }));

const authn = () => createServiceAccountTokenAuthenticator({
  verifier: createTokenVerifier(keys, { issuer: ISSUER }),
  audiences: aud,
  getServiceAccount: async (c, ns, n) => {
    const uid = accounts.get(`${c}/${ns}/${n}`);
    return uid ? { uid } : undefined;
  },
  isRevoked: (jti) => revokedJtis.has(jti),
  now: () => clock ?? new Date(),
});

const issue = (over: Partial<Parameters<TokenSigner['issueServiceAccountToken']>[0]> = {}) =>
  signer.issueServiceAccountToken({
    cluster: 'a', namespace: 'default', name: 'builder', uid: 'uid-1', audiences: aud('a'), expirationSeconds: 3600, ...over,
  });

async function run(token: string | undefined, cluster = 'a'): Promise<AuthnResult | null> {
  return authn().authenticate({ req: fakeReq(token === undefined ? undefined : `Bearer ${token}`), cluster });
}
async function rejects(token: string, pattern: RegExp, cluster = 'a'): Promise<void> {
  await assert.rejects(run(token, cluster), (e) => {
    assert.ok(isStatusError(e), String(e));
    assert.equal(e.code, 401);
    assert.match(e.message, pattern);
    return true;
  });
}

test('issued token has Kubernetes-style claims plus the cluster binding', async () => {
  const now = new Date('2030-01-01T00:00:00Z');
  const t = await issue({ now, expirationSeconds: 600 });
  assert.equal(t.expirationTimestamp.toISOString(), '2030-01-01T00:10:00.000Z');
  const c = decodeJwt(t.token);
  assert.deepEqual(c, {
    iss: ISSUER, sub: 'system:serviceaccount:default:builder', aud: aud('a'),
    exp: 1893456600, iat: 1893456000, nbf: 1893456000, jti: t.jti,
    'kubernetes.io': { namespace: 'default', serviceaccount: { name: 'builder', uid: 'uid-1' } },
    [CLUSTER_CLAIM]: 'a',
  });
  assert.deepEqual(decodeProtectedHeader(t.token), { alg: 'ES256', kid: keys.activeKid });
  await assert.rejects(issue({ expirationSeconds: 0 }), /expirationSeconds/);
});

test('a valid token authenticates as the ServiceAccount', async () => {
  const t = await issue();
  assert.deepEqual(await run(t.token), {
    user: {
      username: 'system:serviceaccount:default:builder', uid: 'uid-1',
      groups: ['system:serviceaccounts', 'system:serviceaccounts:default'],
      extra: { 'authentication.kubernetes.io/credential-id': [`JTI=${t.jti}`] },
    },
    reason: `serviceaccount token: system:serviceaccount:default:builder in cluster a (jti ${t.jti})`,
    credentialId: `sa-token:${t.jti}`,
    expiresMs: t.expirationTimestamp.getTime(),
  });
});

test('does not apply without a bearer token, to opaque tokens, or to JWTs of another issuer', async () => {
  assert.equal(await run(undefined), null);
  assert.equal(await run('pck_0123456789abcdef'), null);
  const { privateKey } = await generateKeyPair('ES256');
  const foreign = await new SignJWT({ sub: 'x' }).setProtectedHeader({ alg: 'ES256' })
    .setIssuer('https://accounts.example.com').setExpirationTime('1h').sign(privateKey);
  assert.equal(await run(foreign), null);
});

test('wrong audience is rejected', async () => {
  const t = await issue({ audiences: ['https://elsewhere.example'] });
  await rejects(t.token, /token audiences \["https:\/\/elsewhere.example"\] is invalid for the target audiences/);
});

test('a token from cluster a is rejected on cluster b even when the audience matches', async () => {
  const t = await issue({ audiences: [...aud('a'), ...aud('b')] });
  await rejects(t.token, /issued for cluster "a" and is not valid for cluster "b"/, 'b');
});

test('expiry and not-before are checked against the injected clock', async () => {
  const t = await issue({ now: new Date('2030-01-01T00:00:00Z'), expirationSeconds: 600 });
  try {
    clock = new Date('2030-01-01T00:05:00Z');
    assert.ok(await run(t.token));
    clock = new Date('2030-01-01T00:20:00Z');
    await rejects(t.token, /has expired/);
    clock = new Date('2029-12-31T23:50:00Z');
    await rejects(t.token, /not valid yet/);
  } finally {
    clock = undefined;
  }
});

test('a deleted or re-created ServiceAccount invalidates its tokens', async () => {
  accounts.set('a/team/ci', 'uid-ci');
  const t = await issue({ namespace: 'team', name: 'ci', uid: 'uid-ci' });
  assert.ok(await run(t.token));
  accounts.delete('a/team/ci');
  await rejects(t.token, /serviceaccount "team\/ci" no longer exists/);
  accounts.set('a/team/ci', 'uid-ci-2');
  await rejects(t.token, /does not match claim/);
});

test('a revoked jti is rejected', async () => {
  const t = await issue();
  revokedJtis.add(t.jti);
  await rejects(t.token, /revoked/);
});

test('a tampered token is rejected', async () => {
  const t = await issue();
  const [h, p, s] = t.token.split('.');
  const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
  claims['kubernetes.io'].serviceaccount.name = 'admin';
  claims.sub = 'system:serviceaccount:default:admin';
  const forged = `${h}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${s}`;
  await rejects(forged, /signature verification failed/);
  const flipped = `${h}.${p}.${s.slice(0, -2)}${s.endsWith('AA') ? 'BB' : 'AA'}`;
  await rejects(flipped, /signature/);
});

test('a token signed by an unknown key with our issuer is rejected', async () => {
  const { privateKey } = await generateKeyPair('ES256');
  const now = Math.floor(Date.now() / 1000);
  const forged = await new SignJWT({
    iss: ISSUER, sub: 'system:serviceaccount:default:builder', aud: aud('a'), iat: now, nbf: now, exp: now + 600, jti: 'x',
    'kubernetes.io': { namespace: 'default', serviceaccount: { name: 'builder', uid: 'uid-1' } }, [CLUSTER_CLAIM]: 'a',
  }).setProtectedHeader({ alg: 'ES256', kid: 'not-ours' }).sign(privateKey);
  await rejects(forged, /unknown key/);
});

test('after rotation, old tokens still verify and new ones use the new key; retiring the old key rejects them', async () => {
  const old = await issue();
  const oldKid = keys.activeKid;
  const newKid = await keys.rotate();
  const fresh = await issue();
  assert.equal(decodeProtectedHeader(fresh.token).kid, newKid);
  assert.ok(await run(old.token));
  assert.ok(await run(fresh.token));
  await keys.retire(oldKid);
  await rejects(old.token, /unknown key/);
  assert.ok(await run(fresh.token));
});

test('a remembered verification still rejects an expired token, other audiences, a retired key, a deleted or revoked account', async () => {
  // One verifier across all checks: its memory of verified signatures must not widen what it accepts.
  const verifier = createTokenVerifier(keys, { issuer: ISSUER });
  const shared = () => createServiceAccountTokenAuthenticator({
    verifier, audiences: aud, now: () => clock ?? new Date(), isRevoked: (jti) => revokedJtis.has(jti),
    getServiceAccount: async (c, ns, n) => { const uid = accounts.get(`${c}/${ns}/${n}`); return uid ? { uid } : undefined; },
  });
  const use = async (token: string, cluster = 'a') => shared().authenticate({ req: fakeReq(`Bearer ${token}`), cluster });
  const t0 = new Date();
  clock = t0;
  try {
    const short = await issue({ expirationSeconds: 5, now: t0 });
    clock = new Date(t0.getTime() + 60_000); // expired, but inside the 60 s leeway: accepted and remembered
    assert.ok(await use(short.token));
    clock = new Date(t0.getTime() + 66_000); // past exp and the leeway, a few seconds after it was remembered
    await assert.rejects(use(short.token), /has expired/);

    clock = t0;
    const other = await issue({ audiences: aud('a'), now: t0 });
    assert.ok(await use(other.token));
    await assert.rejects(verifier.verify(other.token, { audiences: aud('b'), now: t0 }), /audiences/);

    const tok = await issue({ now: t0 });
    assert.ok(await use(tok.token));
    revokedJtis.add(tok.jti);
    await assert.rejects(use(tok.token), /revoked/);
    revokedJtis.delete(tok.jti);
    accounts.delete('a/default/builder');
    await assert.rejects(use(tok.token), /no longer exists/);
    accounts.set('a/default/builder', 'uid-1');

    const kid = keys.activeKid;
    await keys.rotate();
    assert.ok(await use(tok.token));
    await keys.retire(kid);
    await assert.rejects(use(tok.token), /unknown key/);
  } finally { clock = undefined; }
});
