// bench/oidc: per-request cost of authenticating kubectl with an IdP's ID token beside the access-key path, in one
// run and in process: (1) access key (10k keys indexed); (2) ID token already verified (the verified-token cache:
// hash, map lookup, live identity); (3) ID token verified from scratch against the IdP's cached JWKS (signature,
// claims, mapping), ES256 and RS256. The JWKS is fetched once from a loopback server, as from a real IdP.
// Target: (2) at most 2x (1). Run: node --import tsx bench/oidc/index.ts [--n 200000]
import http from 'node:http';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { createRemoteJWKSet, customFetch, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { machine, printTable } from '../support/load.ts';
import { AccessKeyIndex, createAccessKeyAuthenticator, createHasher, generateKeySecret, IdentityIndex } from '../../src/credentials/index.ts';
import { createIdTokenAuthenticator } from '../../src/identity/authenticator.ts';
import { mapClaims } from '../../src/identity/claims.ts';
import { verifyIdToken } from '../../src/identity/id-token.ts';
import { createIdpFetch } from '../../src/identity/idp-fetch.ts';
import type { ProviderRegistry, ProviderRuntime } from '../../src/identity/providers.ts';
import { settingsOf } from '../../src/identity/schema.ts';

const N = Number(process.argv[process.argv.indexOf('--n') + 1]) || 200_000;
const USERS = 100;
const TOKENS = 1000;
const now = Date.now();

const run = (n: number, f: (i: number) => unknown) => {
  const t = process.hrtime.bigint();
  for (let i = 0; i < n; i++) f(i);
  return Number(process.hrtime.bigint() - t) / 1000 / n;
};
const runAsync = async (n: number, f: (i: number) => Promise<unknown>) => {
  const t = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await f(i);
  return Number(process.hrtime.bigint() - t) / 1000 / n;
};
const bearer = (s: string) => ({ headers: { authorization: `Bearer ${s}` }, socket: { remoteAddress: '127.0.0.1' } }) as unknown as IncomingMessage;

// the same users behind both credentials
const identities = new IdentityIndex();
for (let u = 0; u < USERS; u++) identities.setUser(`corp:user-${u}@example.com`, { metadata: { name: `corp:user-${u}@example.com`, uid: `uid-${u}` }, spec: { groups: ['corp:dev'] } });

// (1) access keys
const hash = createHasher(randomBytes(32));
const index = new AccessKeyIndex();
const secrets: string[] = [];
for (let i = 0; i < 10_000; i++) {
  const s = generateKeySecret();
  secrets.push(s);
  index.upsert({ metadata: { name: `key-${i}`, creationTimestamp: new Date(now - 60_000).toISOString() }, spec: { user: `corp:user-${i % USERS}@example.com` }, status: { secretHash: hash(s) } });
}
const keyAuthn = createAccessKeyAuthenticator({ index, hash, identities, now: () => now, onUse: () => {} });
const keyReqs = secrets.slice(0, TOKENS).map(bearer);

// the IdP: signing keys, its JWKS on loopback, fetched once and cached by jose
const es = await generateKeyPair('ES256');
const rs = await generateKeyPair('RS256');
const jwks = { keys: [{ ...(await exportJWK(es.publicKey)), kid: 'es', alg: 'ES256' }, { ...(await exportJWK(rs.publicKey)), kid: 'rs', alg: 'RS256' }] };
const jwksServer = http.createServer((_req, res) => { res.writeHead(200, { 'content-type': 'application/json' }); res.end(JSON.stringify(jwks)); });
await new Promise<void>((r) => jwksServer.listen(0, '127.0.0.1', r));
const ISS = 'https://idp.bench.example';
const remote = createRemoteJWKSet(new URL(`http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/jwks`),
  { [customFetch]: createIdpFetch({ allowHttp: true }) as never, cacheMaxAge: 3_600_000 });
await remote.reload();
const provider = {
  settings: settingsOf('corp', 'uid-corp', { oidc: { issuer: ISS, clientID: 'portcullis', usernameClaim: 'email', usernamePrefix: 'corp:', groupsClaim: 'groups', groupsPrefix: 'corp:' } }),
  ready: true, reason: 'Ready', message: '', jwks: remote,
} as unknown as ProviderRuntime;
const registry = { generation: 1, forIssuer: (iss: string) => (iss === ISS ? [provider] : []), get: () => provider } as unknown as ProviderRegistry;
const sign = (i: number, alg: 'ES256' | 'RS256') => new SignJWT({ email: `user-${i % USERS}@example.com`, email_verified: true, groups: ['dev'] })
  .setProtectedHeader({ alg, kid: alg === 'ES256' ? 'es' : 'rs' }).setIssuer(ISS).setAudience('portcullis').setSubject(`s-${i % USERS}`)
  .setIssuedAt(Math.floor(now / 1000)).setExpirationTime(Math.floor(now / 1000) + 3600).sign(alg === 'ES256' ? es.privateKey : rs.privateKey);
const esTokens = await Promise.all(Array.from({ length: TOKENS }, (_, i) => sign(i, 'ES256')));
const rsTokens = await Promise.all(Array.from({ length: TOKENS }, (_, i) => sign(i, 'RS256')));

// (2) ID tokens through the authenticator: verified once, then from its cache
const idAuthn = createIdTokenAuthenticator({ registry, identities, now: () => now, accounts: { confirmByIdToken: async () => undefined } });
const idReqs = esTokens.map(bearer);
for (const r of idReqs) await idAuthn.authenticate({ req: r, cluster: 'c' });
if (idAuthn.authenticate({ req: idReqs[0], cluster: 'c' }) instanceof Promise) throw new Error('the verified-token cache did not answer');

// warm up, then measure in alternation so both paths see the same machine state
const rounds = 3;
const keyUs: number[] = [];
const cachedUs: number[] = [];
for (let r = 0; r <= rounds; r++) {
  const k = run(N, (i) => keyAuthn.authenticate({ req: keyReqs[i % TOKENS], cluster: 'c' }));
  const c = run(N, (i) => idAuthn.authenticate({ req: idReqs[i % TOKENS], cluster: 'c' }));
  if (r > 0) { keyUs.push(k); cachedUs.push(c); }
}
// (3) a token seen for the first time: signature against the cached JWKS, claims, mapping
const verify = (t: string) => verifyIdToken(provider, t, now).then((c) => mapClaims(provider.settings, c));
const M = Math.max(200, Math.floor(N / 100));
await runAsync(200, (i) => verify(esTokens[i % TOKENS]));
const esUs = await runAsync(M, (i) => verify(esTokens[i % TOKENS]));
await runAsync(200, (i) => verify(rsTokens[i % TOKENS]));
const rsUs = await runAsync(M, (i) => verify(rsTokens[i % TOKENS]));
jwksServer.close();

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const key = median(keyUs);
const row = (step: string, us: number) => ({ step, 'µs/op': us.toFixed(2), 'ops/s': Math.round(1e6 / us), 'x access key': (us / key).toFixed(2) });
printTable(`Authentication per request in process, ${USERS} users, ${TOKENS} distinct credentials (${machine()}); median of ${rounds} alternating rounds of ${N}`, [
  row('access key (10k keys indexed)', key),
  row('ID token, already verified (cache)', median(cachedUs)),
  row('ID token, first sight: ES256 signature, cached JWKS', esUs),
  row('ID token, first sight: RS256 signature, cached JWKS', rsUs),
]);
const ratio = median(cachedUs) / key;
console.log(`\nID token (cached) / access key = ${ratio.toFixed(2)} (target <= 2)`);
