// Attacks on the credential-chain check's reused verdicts, with the real indexes and resolvers on a movable clock:
// each credential is first accepted (its verdict kept), then one link changes — through the index's informer feed,
// as a change made on another replica arrives — and the next request must be refused. Unrelated changes must not.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { CredentialChains } from '../../apiserver/auth/credential-chain.ts';
import type { AuthnResult } from '../../apiserver/auth/types.ts';
import type { Informer, InformerEvent } from '../../apiserver/controllers/informer.ts';
import type { Store } from '../../apiserver/registry/store.ts';
import type { KObject } from '../../apiserver/storage/interface.ts';
import { StatusError } from '../../apiserver/errors.ts';
import { ROOT_CLUSTER } from '../../apiserver/cluster-name.ts';
import { AccessKeyIndex } from '../access-keys/index.ts';
import { secretFingerprint } from '../access-keys/secrets.ts';
import { IdentityIndex } from '../platform-view/index.ts';
import { RevocationList } from '../revocation/index.ts';
import { scopeOf } from '../scope/index.ts';
import { GROUP, kubeconfigType, OWNER_UID_ANNOTATION, revocationType } from '../resources/index.ts';
import { KubeconfigLinks } from './kubeconfig-links.ts';
import { registerCredentialLinks } from './links.ts';

const T0 = Date.parse('2030-01-01T00:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();

/** The indexes fed as the informer feeds them on every replica; `emit` delivers one change event. */
function world(cacheHalf?: number) {
  let now = T0;
  const handlers = new Map<string, (ev: InformerEvent) => void>();
  const informer = { on: (g: string, r: string, h: (ev: InformerEvent) => void) => { handlers.set(`${g}/${r}`, h); } } as unknown as Informer;
  const emit = (resource: string, type: 'ADDED' | 'MODIFIED' | 'DELETED', object: KObject) => {
    const h = handlers.get(`${GROUP}/${resource}`);
    assert.ok(h, `a handler for ${resource}`);
    h({ type, key: '', rv: 1, object, cluster: ROOT_CLUSTER, group: GROUP, resource, namespace: object.metadata.namespace ?? '', name: object.metadata.name! });
  };
  const chains = new CredentialChains(() => now, cacheHalf);
  const keys = new AccessKeyIndex();
  const identities = new IdentityIndex();
  const revocations = new RevocationList({ create: async () => ({}) } as unknown as Store);
  const kubeconfigs = new KubeconfigLinks();
  keys.register(informer); identities.register(informer); revocations.register(informer); kubeconfigs.register(informer);
  registerCredentialLinks(chains, { keys, identities, revocations, kubeconfigs });

  const user = (name: string, o: { uid?: string; disabled?: boolean } = {}) =>
    emit('users', 'MODIFIED', { metadata: { name, uid: o.uid ?? `uid-${name}` }, spec: { groups: ['devs'], disabled: o.disabled } });
  const keyObject = (name: string, owner: string, o: { hash?: string; disabled?: boolean; expiresMs?: number; deleting?: boolean;
    previous?: Array<{ hash: string; graceUntilMs: number }>; lastUsedMs?: number; scope?: unknown } = {}): KObject => ({
    metadata: { name, uid: `uid-${name}`, creationTimestamp: iso(T0 - 1000), annotations: { [OWNER_UID_ANNOTATION]: `uid-${owner}` },
      ...(o.deleting ? { deletionTimestamp: iso(T0) } : {}) },
    spec: { user: owner, displayName: name, disabled: o.disabled, scope: o.scope, ...(o.expiresMs ? { expirationTimestamp: iso(o.expiresMs) } : {}) },
    status: { secretHash: o.hash ?? `hash-${name}`, ...(o.lastUsedMs ? { lastUsedTime: iso(o.lastUsedMs) } : {}),
      ...(o.previous ? { rotated: { previousHashes: o.previous.map((p) => ({ hash: p.hash, graceUntil: iso(p.graceUntilMs) })) } } : {}) },
  });
  const key = (name: string, owner: string, o: Parameters<typeof keyObject>[2] = {}) => emit('accesskeys', 'MODIFIED', keyObject(name, owner, o));
  const kubeconfigObject = (name: string, owner: string, serial: string, notAfterMs: number): KObject => ({
    metadata: { name, namespace: 'default', uid: `uid-kc-${name}`, annotations: { [OWNER_UID_ANNOTATION]: `uid-${owner}` } },
    spec: { username: owner }, status: { serial, notAfter: iso(notAfterMs) },
  });
  const revocation = (type: 'serial' | 'jti', value: string) => emit(revocationType.resource, 'ADDED', {
    metadata: { name: `${type}-${value}` }, spec: { type, value, expiresAt: iso(T0 + 86_400_000), credentialId: value, reason: 'test' } });

  /** What each authenticator returns, and what a credential minted with `from` carries. */
  const keyResult = (name: string, owner: string, hash = `hash-${name}`): AuthnResult => ({
    user: { username: owner, uid: `uid-${owner}`, groups: ['devs'] }, reason: 'key', credentialId: `accesskey:${name}`,
    link: `accesskey:${name}#${secretFingerprint(hash)}` });
  const certResult = (serial: string, owner: string, kc: string): AuthnResult => ({
    user: { username: owner, groups: [`kubeconfig:default:${kc}:uid-kc-${kc}`] }, reason: 'cert', credentialId: `x509:${serial}` });
  const minted = (kind: string, jti: string, from: AuthnResult): AuthnResult => {
    const l = chains.lineage({ authn: from, req: {} as IncomingMessage });
    return { user: from.user, reason: kind, credentialId: `${kind}:${jti}`, chain: l.refs, expiresMs: l.expiresMs };
  };
  const req = () => ({}) as IncomingMessage;
  const ok = (r: AuthnResult, what: string, q = req()) => {
    assert.doesNotThrow(() => chains.check(r, { req: q, cluster: 'c' }), what);
    return q;
  };
  const refused = (r: AuthnResult, what: string, message?: RegExp) => {
    let err: unknown;
    try { chains.check(r, { req: req(), cluster: 'c' }); } catch (e) { err = e; }
    assert.ok(err instanceof StatusError && err.code === 401, `${what} should be refused`);
    if (message) assert.match(err.message, message);
  };
  return {
    chains, keys, revocations, emit, user, key, keyObject, kubeconfigObject, revocation, keyResult, certResult, minted, ok, refused,
    at: (ms: number) => { now = ms; },
  };
}

/** A platform token and a ServiceAccount token minted with access key k1 of alice, each accepted twice (kept). */
function keyWorld() {
  const w = world();
  w.user('alice'); w.user('bob');
  w.key('k1', 'alice'); w.key('k2', 'bob');
  const k1 = w.keyResult('k1', 'alice');
  const derived = [k1, w.minted('platformtoken', 'j1', k1), w.minted('sa-token', 's1', k1)];
  for (const r of derived) { w.ok(r, `${r.credentialId} before`); w.ok(r, `${r.credentialId} again (kept verdict)`); }
  return { w, derived, tokens: derived.slice(1) };
}

describe('credential chains: a kept verdict ends with any link', () => {
  it('access key deleted (from the change feed)', () => {
    const { w, derived } = keyWorld();
    w.emit('accesskeys', 'DELETED', w.keyObject('k1', 'alice'));
    for (const r of derived) w.refused(r, `${r.credentialId} of a deleted key`, /access key "k1" has been deleted/);
  });

  it('access key being deleted, or disabled', () => {
    const a = keyWorld();
    a.w.key('k1', 'alice', { deleting: true });
    for (const r of a.tokens) a.w.refused(r, `${r.credentialId} of a key being deleted`);
    const b = keyWorld();
    b.w.key('k1', 'alice', { disabled: true });
    for (const r of b.tokens) b.w.refused(r, `${r.credentialId} of a disabled key`, /is disabled/);
  });

  it('access key rotated without grace, and past its grace period (the exact instant)', () => {
    const a = keyWorld();
    a.w.key('k1', 'alice', { hash: 'hash-k1-new' });
    for (const r of a.tokens) a.w.refused(r, `${r.credentialId} of the previous secret`, /was rotated/);
    const b = keyWorld();
    const grace = T0 + 60_000;
    b.w.key('k1', 'alice', { hash: 'hash-k1-new', previous: [{ hash: 'hash-k1', graceUntilMs: grace }] });
    for (const r of b.tokens) b.w.ok(r, `${r.credentialId} within the grace period`);
    b.w.at(grace - 1);
    for (const r of b.tokens) b.w.ok(r, `${r.credentialId} 1 ms before the grace period ends`);
    b.w.at(grace);
    for (const r of b.tokens) b.w.refused(r, `${r.credentialId} when the grace period ends`);
  });

  it('access key expiry passing ends what it minted at that millisecond, with nothing else changing', () => {
    const w = world();
    w.user('alice');
    const end = T0 + 3_600_000;
    w.key('k1', 'alice', { expiresMs: end });
    const k1 = w.keyResult('k1', 'alice');
    // the token's own expiry is not what ends it here: only the key's, found along the chain
    const t = { ...w.minted('sa-token', 's1', k1), expiresMs: undefined };
    w.ok(t, 'before'); w.at(end - 1); w.ok(t, '1 ms before the key expires');
    w.at(end);
    w.refused(t, 'at the key\'s expiry', /minted from accesskey:k1/);
  });

  it('owner User disabled, deleted, or deleted and created again under the same name', () => {
    for (const [what, change] of [
      ['disabled', (w: ReturnType<typeof world>) => w.user('alice', { disabled: true })],
      ['deleted', (w: ReturnType<typeof world>) => w.emit('users', 'DELETED', { metadata: { name: 'alice' } })],
      ['re-created', (w: ReturnType<typeof world>) => w.user('alice', { uid: 'uid-alice-2' })],
    ] as const) {
      const { w, derived } = keyWorld();
      change(w);
      for (const r of derived) w.refused(r, `${r.credentialId} of an owner ${what}`, /user "alice"/);
    }
  });

  it('token revoked: locally, and from the change feed', async () => {
    const a = keyWorld();
    await a.w.revocations.revoke({ type: 'jti', value: 'j1', expiresAt: iso(T0 + 86_400_000), credentialId: 'platformtoken:j1', reason: 'leaked' });
    a.w.refused(a.tokens[0], 'a platform token revoked through this replica', /has been revoked: leaked/);
    a.w.ok(a.tokens[1], 'another token of the same key');
    const b = keyWorld();
    b.w.revocation('jti', 'j1');
    b.w.refused(b.tokens[0], 'a revoked platform token', /platform token j1 has been revoked/);
    b.w.revocation('jti', 's1');
    b.w.refused(b.tokens[1], 'a revoked ServiceAccount token', /service account token s1 has been revoked/);
  });

  it('Kubeconfig certificate: revoked, Kubeconfig deleted, owner disabled, certificate past its notAfter', () => {
    const setup = () => {
      const w = world();
      w.user('carol');
      const notAfter = T0 + 7_200_000;
      w.emit(kubeconfigType.resource, 'ADDED', w.kubeconfigObject('robot', 'carol', 'abcd', notAfter));
      const cert = w.certResult('abcd', 'carol', 'robot');
      const sa = { ...w.minted('sa-token', 's9', cert), expiresMs: undefined };
      for (const r of [cert, sa]) { w.ok(r, `${r.credentialId} before`); w.ok(r, `${r.credentialId} again`); }
      return { w, both: [cert, sa], notAfter };
    };
    const a = setup();
    a.w.revocation('serial', 'abcd');
    for (const r of a.both) a.w.refused(r, `${r.credentialId} of a revoked certificate`, /certificate abcd has been revoked/);
    const b = setup();
    b.w.emit(kubeconfigType.resource, 'DELETED', b.w.kubeconfigObject('robot', 'carol', 'abcd', b.notAfter));
    for (const r of b.both) b.w.refused(r, `${r.credentialId} of a deleted Kubeconfig`, /Kubeconfig/);
    const c = setup();
    c.w.user('carol', { disabled: true });
    for (const r of c.both) c.w.refused(r, `${r.credentialId} of a disabled owner`, /user "carol" is disabled/);
    const d = setup();
    d.w.at(d.notAfter - 1);
    for (const r of d.both) d.w.ok(r, `${r.credentialId} 1 ms before notAfter`);
    d.w.at(d.notAfter);
    for (const r of d.both) d.w.refused(r, `${r.credentialId} at the certificate's notAfter`, /expired/);
  });

  it('a Kubeconfig of a name that was no User answers to the User created later under it (created disabled)', () => {
    const w = world();
    const kc = w.kubeconfigObject('early', 'frank', 'beef', T0 + 7_200_000);
    delete kc.metadata.annotations;
    w.emit(kubeconfigType.resource, 'ADDED', kc);
    const cert = w.certResult('beef', 'frank', 'early');
    w.ok(cert, 'no User of that name'); w.ok(cert, 'again (kept)');
    w.user('frank', { disabled: true });
    w.refused(cert, 'once a disabled User of that name exists', /user "frank" is disabled/);
  });

  it('a kept verdict is for one carried chain and one user: the same link presented otherwise is walked', () => {
    const { w, tokens } = keyWorld();
    w.key('k3', 'bob');
    const other = w.minted('platformtoken', 'j1', w.keyResult('k3', 'bob'));
    w.emit('accesskeys', 'DELETED', w.keyObject('k3', 'bob'));
    w.ok(tokens[0], 'token j1 with its own chain'); w.ok(tokens[0], 'again (kept)');
    w.refused({ ...other, user: tokens[0].user }, 'token j1 carrying a chain with a deleted key', /access key "k3" has been deleted/);
    w.ok(tokens[0], 'token j1 with its own chain after');
    // a certificate of no Kubeconfig stands unless it claims a Kubeconfig's group (fail closed)
    const plain: AuthnResult = { user: { username: 'svc', groups: ['ops'] }, reason: 'cert', credentialId: 'x509:ee' };
    w.ok(plain, 'a certificate of no Kubeconfig'); w.ok(plain, 'again (kept)');
    w.refused({ ...plain, user: { username: 'svc', groups: ['kubeconfig:default:gone:uid-x'] } }, 'the same serial claiming a Kubeconfig group',
      /Kubeconfig of certificate ee no longer exists/);
  });

  it('replays the scope a key up the chain lends to every request, kept verdict or not', () => {
    const w = world();
    w.user('dan');
    const scope = { namespaces: [{ cluster: 'c', namespace: 'app' }] };
    w.key('k1', 'dan', { scope });
    const t = w.minted('sa-token', 's1', w.keyResult('k1', 'dan'));
    for (const what of ['first request', 'kept verdict']) {
      const q = w.ok(t, what);
      assert.deepEqual(scopeOf(undefined, q)?.scope, scope, `${what}: the key's scope applies`);
    }
  });
});

describe('credential chains: changes elsewhere', () => {
  it('another credential or user changing refuses nothing; a last-use write or new groups do not even walk again', () => {
    const { w, derived } = keyWorld();
    let walks = 0;
    w.chains.register('probe', () => { walks++; return {}; });
    const probe: AuthnResult = { user: { username: 'p', groups: [] }, reason: 'probe', credentialId: 'probe:1' };
    w.ok(probe, 'probe'); w.ok(probe, 'probe again');
    assert.equal(walks, 1, 'kept');
    w.key('k1', 'alice', { lastUsedMs: T0 + 5 });
    w.ok(probe, 'after a last-use write');
    assert.equal(walks, 1, 'a last-use write changes no verdict');
    w.emit('users', 'MODIFIED', { metadata: { name: 'alice', uid: 'uid-alice' }, spec: { groups: ['devs', 'ops'] } });
    w.ok(probe, 'after a change to a User\'s groups');
    assert.equal(walks, 1, 'a User\'s groups are no part of any verdict');
    w.key('k2', 'bob', { disabled: true });
    w.user('erin');
    w.emit('accesskeys', 'DELETED', w.keyObject('k2', 'bob'));
    w.revocation('jti', 'unrelated');
    for (const r of derived) w.ok(r, `${r.credentialId} after changes to other credentials`);
    w.ok(probe, 'probe after changes');
    assert.equal(walks, 2, 'walked once more after the changes, then kept again');
  });

  it('holds a bounded number of verdicts whatever the number of distinct credentials', () => {
    const w = world(64);
    w.user('alice');
    for (let i = 0; i < 1000; i++) {
      w.key(`k${i}`, 'alice');
      w.ok(w.keyResult(`k${i}`, 'alice'), `key ${i}`);
    }
    assert.ok(w.chains.cachedVerdicts <= 128, `${w.chains.cachedVerdicts} verdicts held`);
    assert.ok(w.chains.cachedVerdicts >= 64);
  });
});

