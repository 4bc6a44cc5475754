// Unit tests: AccessKey admission — owner rule (yourself, or someone who may impersonate the owner), expiry from
// ttl on the injectable clock, the secret handed over once and stored only as a hash, and the project policy.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { KObject } from '../../apiserver/storage/interface.ts';
import { StatusError } from '../../apiserver/errors.ts';
import type { UserInfo } from '../../apiserver/auth/types.ts';
import { accessKeyAdmission, checkKeyPolicy } from './access-key-admission.ts';
import { PlatformIndex } from '../platform-view/index.ts';
import { createHasher } from './secrets.ts';
import { accessKeyType, MINTED_FROM_ANNOTATION, OWNER_UID_ANNOTATION } from '../resources/index.ts';

const T0 = Date.parse('2030-01-01T00:00:00Z');
const alice: UserInfo = { username: 'alice', groups: [] };
const admin: UserInfo = { username: 'root-admin', groups: ['system:masters'] };

function setup() {
  const platform = new PlatformIndex();
  platform.setTenant('payments-dev', { metadata: {}, spec: { project: 'payments' } });
  platform.setTenant('other-dev', { metadata: {}, spec: { project: 'other' } });
  platform.setProject('payments', { metadata: {}, spec: { credentialPolicy: { maxKeyTTL: '720h', allowUnscopedKeys: false } } });
  platform.setProject('other', { metadata: {}, spec: {} });
  const revealed = new Map<string, string>();
  const hash = createHasher(randomBytes(32));
  const adm = accessKeyAdmission({
    hash, platform, userExists: (u) => ['alice', 'bob'].includes(u), canActFor: async (r) => r.groups.includes('system:masters'),
    reveal: (uid, s) => revealed.set(uid, s), now: () => T0,
  });
  const obj = (spec: Record<string, unknown>): KObject => ({ metadata: { name: 'k', uid: 'uid-1', creationTimestamp: '2029-01-01T00:00:00Z' }, spec, status: {} });
  const create = async (user: UserInfo | undefined, spec: Record<string, unknown>) => { const o = obj(spec); await adm.admit('create', accessKeyType, o, undefined, { cluster: 'root', user }); return o; };
  return { platform, revealed, hash, create, adm };
}

const obj = (spec: Record<string, unknown>): KObject => ({ metadata: { name: 's', uid: 'uid-s', creationTimestamp: '2029-01-01T00:00:00Z' }, spec, status: {} });
const refused = (re: RegExp) => (e: unknown) => e instanceof StatusError && re.test(e.message);

describe('access key admission', () => {
  it('defaults the owner to the requester and refuses keys for others unless allowed', async () => {
    const t = setup();
    const o = await t.create(alice, { scope: { tenantClusters: ['other-dev'] } });
    assert.equal((o.spec as { user: string }).user, 'alice');
    await assert.rejects(t.create(alice, { user: 'bob', scope: { tenantClusters: ['other-dev'] } }), refused(/user "alice" may not create access keys for user "bob"/));
    const forBob = await t.create(admin, { user: 'bob', scope: { tenantClusters: ['other-dev'] } });
    assert.equal((forBob.spec as { user: string }).user, 'bob');
    await assert.rejects(t.create(admin, { user: 'nobody', scope: { tenantClusters: ['other-dev'] } }), refused(/no such platform user/));
  });

  it('fixes the chain links at creation: an update keeps the owner uid and the links of the ownerReferences', async () => {
    const t = setup();
    const o = await t.create(undefined, { user: 'alice', scope: { tenantClusters: ['other-dev'] } });
    assert.equal(o.metadata.annotations?.[MINTED_FROM_ANNOTATION], undefined, 'no references, no links');
    const s = obj({ user: 'alice', scope: { tenantClusters: ['other-dev'] } });
    s.metadata.ownerReferences = [{ apiVersion: 'identity.portcullis.io/v1', kind: 'IdentitySession', name: 's1', uid: 'u1' }];
    s.metadata.annotations = { [MINTED_FROM_ANNOTATION]: '[]' };
    await t.adm.admit('create', accessKeyType, s, undefined, { cluster: 'root' });
    assert.equal(s.metadata.annotations?.[MINTED_FROM_ANNOTATION], '["identitysession:s1#u1"]', 'stamped from the references, not the client');
    for (const subresource of [undefined, 'status']) {
      const u: KObject = { ...s, metadata: { ...s.metadata, ownerReferences: [], annotations: { [OWNER_UID_ANNOTATION]: 'other' } } };
      await t.adm.admit('update', accessKeyType, u, s, { cluster: 'root', user: admin, subresource });
      assert.deepEqual(u.metadata.annotations, { [MINTED_FROM_ANNOTATION]: '["identitysession:s1#u1"]' }, `${subresource ?? 'main'}: stored values kept`);
    }
  });

  it('stores only the hash and hands the secret over once', async () => {
    const t = setup();
    const o = await t.create(alice, { scope: { tenantClusters: ['other-dev'] }, ttl: '24h' });
    const secret = t.revealed.get('uid-1')!;
    assert.match(secret, /^pcak_/);
    assert.deepEqual(o.status, { secretHash: t.hash(secret) });
    assert.ok(!JSON.stringify(o).includes(secret));
    assert.equal((o.spec as { expirationTimestamp: string }).expirationTimestamp, '2030-01-02T00:00:00Z');
  });

  it('applies the strictest policy of the projects the scope touches', async () => {
    const t = setup();
    await assert.rejects(t.create(alice, { scope: { namespaces: [{ cluster: 'payments-dev', namespace: 'app' }] }, ttl: '1000h' }),
      refused(/access key lifetime 1000h exceeds the maximum of 720h set by project payments \(credentialPolicy.maxKeyTTL\)/));
    await assert.rejects(t.create(alice, { scope: { projects: ['payments'] } }), refused(/access keys must expire: project payments allows a lifetime of at most 720h/));
    await assert.rejects(t.create(alice, { ttl: '1h' }), refused(/project payments does not allow unscoped access keys/));
    await t.create(alice, { scope: { projects: ['payments'] }, ttl: '720h' });
    await t.create(alice, { scope: { tenantClusters: ['other-dev'] } });
    // a session key (created by the server, no requester) may be unscoped but its lifetime is still capped
    assert.doesNotThrow(() => checkKeyPolicy(t.platform, 's', undefined, 3_600_000, true));
    assert.throws(() => checkKeyPolicy(t.platform, 's', undefined, 1000 * 3_600_000, true), refused(/exceeds the maximum of 720h/));
  });
});
