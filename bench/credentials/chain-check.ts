// bench/credentials/chain-check: the credential-chain check in process (issue 12), µs per request, with the real
// indexes and resolvers: walking the chain on every request (what the check did before verdicts were kept) vs the
// kept verdict, per credential kind; then access-key authentication with and without the check, and the check when
// every request presents another credential (more distinct credentials than the cache holds: every one a walk).
// Run: node --import tsx bench/credentials/chain-check.ts [--rounds 7]
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { machine, printTable } from '../support/load.ts';
import { CredentialChains } from '../../src/apiserver/auth/credential-chain.ts';
import type { AuthnResult } from '../../src/apiserver/auth/types.ts';
import type { Informer, InformerEvent } from '../../src/apiserver/controllers/informer.ts';
import type { Store } from '../../src/apiserver/registry/store.ts';
import type { KObject } from '../../src/apiserver/storage/interface.ts';
import { ROOT_CLUSTER } from '../../src/apiserver/cluster-name.ts';
import { AccessKeyIndex, createAccessKeyAuthenticator, createHasher, generateKeySecret, IdentityIndex } from '../../src/credentials/index.ts';
import { secretFingerprint } from '../../src/credentials/access-keys/secrets.ts';
import { RevocationList } from '../../src/credentials/revocation/index.ts';
import { KubeconfigLinks, registerCredentialLinks } from '../../src/credentials/chain/index.ts';
import { GROUP, OWNER_UID_ANNOTATION } from '../../src/credentials/resources/index.ts';

const rounds = Number(process.argv[process.argv.indexOf('--rounds') + 1]) || 7;
const NOW = Date.parse('2030-01-02T00:00:00Z');
const KEYS = 20_000;

const handlers = new Map<string, (ev: InformerEvent) => void>();
const informer = { on: (g: string, r: string, h: (ev: InformerEvent) => void) => { handlers.set(`${g}/${r}`, h); } } as unknown as Informer;
const emit = (resource: string, object: KObject) => handlers.get(`${GROUP}/${resource}`)!({
  type: 'ADDED', key: '', rv: 1, object, cluster: ROOT_CLUSTER, group: GROUP, resource, namespace: object.metadata.namespace ?? '', name: object.metadata.name! });
const chains = new CredentialChains();
const keys = new AccessKeyIndex();
const identities = new IdentityIndex();
const revocations = new RevocationList({} as Store);
const kubeconfigs = new KubeconfigLinks();
keys.register(informer); identities.register(informer); revocations.register(informer); kubeconfigs.register(informer);
registerCredentialLinks(chains, { keys, identities, revocations, kubeconfigs });

const hash = createHasher(randomBytes(32));
for (let u = 0; u < 100; u++) emit('users', { metadata: { name: `user-${u}`, uid: `uid-${u}` }, spec: { groups: ['devs'] } });
const secrets: string[] = [];
for (let i = 0; i < KEYS; i++) {
  const s = generateKeySecret();
  secrets.push(s);
  emit('accesskeys', { metadata: { name: `key-${i}`, creationTimestamp: '2030-01-01T00:00:00Z', annotations: { [OWNER_UID_ANNOTATION]: `uid-${i % 100}` } },
    spec: { user: `user-${i % 100}` }, status: { secretHash: hash(s) } });
}
for (let i = 0; i < 100; i++) {
  emit('kubeconfigs', { metadata: { name: `kc-${i}`, namespace: 'default', uid: `uid-kc-${i}`, annotations: { [OWNER_UID_ANNOTATION]: `uid-${i}` } },
    spec: { username: `user-${i}` }, status: { serial: `a0${i}`, notAfter: '2031-01-01T00:00:00Z' } });
}
const authn = createAccessKeyAuthenticator({ index: keys, hash, identities, now: () => NOW, onUse: () => {} });
const req = { headers: { authorization: `Bearer ${secrets[0]}` }, socket: { remoteAddress: '127.0.0.1' } } as unknown as IncomingMessage;
const key0 = authn.authenticate({ req, cluster: 'c' }) as AuthnResult;
const cert: AuthnResult = { user: { username: 'user-0', groups: ['kubeconfig:default:kc-0:uid-kc-0'] }, reason: 'cert', credentialId: 'x509:a00' };
const admin: AuthnResult = { user: { username: 'admin', groups: ['system:masters'] }, reason: 'cert', credentialId: 'x509:ff01' };
const minted = (kind: string, from: AuthnResult): AuthnResult =>
  ({ user: from.user, reason: kind, credentialId: `${kind}:jti-1`, chain: chains.lineage({ authn: from, req }).refs, expiresMs: Date.now() + 3_600_000 });
const kinds: Array<[string, AuthnResult]> = [
  ['admin client certificate (no Kubeconfig)', admin], ['Kubeconfig certificate (→ Kubeconfig → User)', cert],
  ['access key (→ User)', key0], ['platform token (→ key → User)', minted('platformtoken', key0)],
  ['ServiceAccount token (→ certificate → Kubeconfig → User)', minted('sa-token', cert)],
];
const ar = { req, cluster: 'c' };
/** The check as it was: the same expiry test, then a walk of the whole chain on every request. */
const walkEvery = (r: AuthnResult) => {
  if (r.chain && r.expiresMs !== undefined && r.expiresMs <= Date.now()) throw new Error('expired');
  chains.walk(r.link ?? r.credentialId, r.chain, req, r);
};

/** µs per call of f over n calls: the median of `rounds` rounds, variants alternating within each round. */
function measure(variants: Array<[string, (i: number) => void]>, n: number): number[] {
  const samples = variants.map(() => [] as number[]);
  for (const [, f] of variants) for (let i = 0; i < n / 10; i++) f(i);
  for (let r = 0; r < rounds; r++) {
    variants.forEach(([, f], v) => {
      const t = process.hrtime.bigint();
      for (let i = 0; i < n; i++) f(i);
      samples[v].push(Number(process.hrtime.bigint() - t) / 1000 / n);
    });
  }
  return samples.map((s) => s.sort((a, b) => a - b)[Math.floor(s.length / 2)]);
}

const N = 500_000;
const rows = kinds.map(([what, r]) => {
  const [before, kept] = measure([['walk', () => walkEvery(r)], ['kept', () => chains.check(r, ar)]], N);
  return { credential: what, 'walk every request µs': before.toFixed(3), 'kept verdict µs': kept.toFixed(3), speed: `${(before / kept).toFixed(1)}×` };
});
printTable(`bench/credentials/chain-check — ${new Date().toISOString().slice(0, 10)} — ${machine()} — median of ${rounds} alternating rounds of ${N} checks`, rows);

const many = secrets.map((s) => ({ headers: { authorization: `Bearer ${s}` }, socket: { remoteAddress: '127.0.0.1' } }) as unknown as IncomingMessage);
const manyResults = many.map((q) => authn.authenticate({ req: q, cluster: 'c' }) as AuthnResult);
const M = 200_000;
const [plain, checked, walked, distinct, distinctWalks] = measure([
  ['authenticate', () => { authn.authenticate(ar); }],
  ['authenticate + kept check', () => { chains.check(authn.authenticate(ar) as AuthnResult, ar); }],
  ['authenticate + walk', () => { walkEvery(authn.authenticate(ar) as AuthnResult); }],
  ['check, 20k distinct keys in turn', (i) => { chains.check(manyResults[i % KEYS], ar); }],
  ['walk, 20k distinct keys in turn', (i) => { walkEvery(manyResults[i % KEYS]); }],
], M);
printTable('access-key authentication (keyed SHA-256, index, live identity) with and without the chain check, µs per request', [
  { path: 'authenticate() alone', 'µs/op': plain.toFixed(3), 'vs alone': '—' },
  { path: 'authenticate() + check, kept verdict', 'µs/op': checked.toFixed(3), 'vs alone': `+${(checked - plain).toFixed(3)} µs` },
  { path: 'authenticate() + walk every request', 'µs/op': walked.toFixed(3), 'vs alone': `+${(walked - plain).toFixed(3)} µs` },
  { path: `check alone, ${KEYS} distinct keys in turn (more than the 16,384 kept: each a walk)`, 'µs/op': distinct.toFixed(3), 'vs alone': '' },
  { path: `walk alone, the same ${KEYS} distinct keys in turn`, 'µs/op': distinctWalks.toFixed(3), 'vs alone': '' },
]);
console.log(`\nverdicts held after the run: ${chains.cachedVerdicts}`);
