// Unit tests of local passwords: argon2id hashing in admission, verification, and last-applied scrubbing.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Store } from '../../apiserver/registry/store.ts';
import type { KObject } from '../../apiserver/storage/interface.ts';
import { StatusError } from '../../apiserver/errors.ts';
import { hashPassword, userPasswordAdmission, verifyPassword } from './passwords.ts';
import { userType } from '../resources/index.ts';

function fakeStore(users: Record<string, KObject>): Store {
  return { get: async (_c: string, _t: unknown, _ns: string, name: string) => {
    if (!users[name]) throw new StatusError(404, 'NotFound', 'not found');
    return structuredClone(users[name]);
  } } as unknown as Store;
}

describe('passwords', () => {
  it('verifies against the stored argon2id hash; unknown users and users without a password fail', async () => {
    const h = await hashPassword('open sesame!');
    assert.match(h, /^\$argon2id\$/);
    const store = fakeStore({ a: { metadata: { name: 'a' }, spec: { passwordHash: h } }, b: { metadata: { name: 'b' }, spec: {} } });
    assert.equal(await verifyPassword(store, 'a', 'open sesame!'), true);
    assert.equal(await verifyPassword(store, 'a', 'open sesame?'), false);
    assert.equal(await verifyPassword(store, 'b', 'open sesame!'), false);
    assert.equal(await verifyPassword(store, 'nobody', 'open sesame!'), false);
  });

  it('admission hashes spec.password, keeps the hash for the same password, carries it over, scrubs last-applied', async () => {
    const lastApplied = JSON.stringify({ spec: { password: 'hunter2-hunter2', displayName: 'x' } });
    const obj: KObject = { metadata: { name: 'a', annotations: { 'kubectl.kubernetes.io/last-applied-configuration': lastApplied } }, spec: { password: 'hunter2-hunter2' } };
    await userPasswordAdmission.admit('create', userType, obj, undefined, { cluster: 'root' });
    const spec = obj.spec as { password?: string; passwordHash?: string };
    assert.equal(spec.password, undefined);
    assert.match(spec.passwordHash!, /^\$argon2id\$/);
    assert.doesNotMatch(JSON.stringify(obj), /hunter2/);
    const again: KObject = { metadata: { name: 'a' }, spec: { password: 'hunter2-hunter2' } };
    await userPasswordAdmission.admit('update', userType, again, obj, { cluster: 'root' });
    assert.equal((again.spec as { passwordHash?: string }).passwordHash, spec.passwordHash);
    const without: KObject = { metadata: { name: 'a' }, spec: { displayName: 'A' } };
    await userPasswordAdmission.admit('update', userType, without, obj, { cluster: 'root' });
    assert.equal((without.spec as { passwordHash?: string }).passwordHash, spec.passwordHash);
    const changed: KObject = { metadata: { name: 'a' }, spec: { password: 'another-password' } };
    await userPasswordAdmission.admit('update', userType, changed, obj, { cluster: 'root' });
    assert.notEqual((changed.spec as { passwordHash?: string }).passwordHash, spec.passwordHash);
  });
});
