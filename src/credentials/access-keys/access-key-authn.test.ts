// Unit tests: the access-key index and authenticator on an injectable clock — lookup by hash, the owner's live
// identity, expiry, idle timeout, disabled, rotation grace, deletion, and the scope handed to the scope filter.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { KObject } from '../../apiserver/storage/interface.ts';
import type { AuthnResult } from '../../apiserver/auth/types.ts';
import { StatusError } from '../../apiserver/errors.ts';
import { AccessKeyIndex } from './access-key-index.ts';
import { createAccessKeyAuthenticator } from './access-key-authn.ts';
import { IdentityIndex } from '../platform-view/index.ts';
import { createHasher, generateKeySecret, hashesEqual } from './secrets.ts';

const T0 = Date.parse('2030-01-01T00:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

function setup() {
  let now = T0;
  const hash = createHasher(randomBytes(32));
  const index = new AccessKeyIndex();
  const identities = new IdentityIndex();
  identities.setUser('alice', { metadata: { name: 'alice', uid: 'u-1' }, spec: { groups: ['devs'] } });
  identities.setTeam('payments', { metadata: { name: 'payments' }, spec: { members: ['alice'] } });
  const uses: string[] = [];
  const authn = createAccessKeyAuthenticator({ index, hash, identities, now: () => now, onUse: (n) => uses.push(n) });
  const key = (name: string, spec: Record<string, unknown> = {}, status: Record<string, unknown> = {}) => {
    const secret = generateKeySecret();
    const obj: KObject = { metadata: { name, creationTimestamp: iso(T0) }, spec: { user: 'alice', displayName: name, ...spec }, status: { secretHash: hash(secret), ...status } };
    index.upsert(obj);
    return { secret, obj };
  };
  const req = (token: string) => ({ headers: { authorization: `Bearer ${token}` }, socket: { remoteAddress: '10.0.0.1' } }) as unknown as IncomingMessage;
  const auth = (token: string) => authn.authenticate({ req: req(token), cluster: 'payments-dev' }) as ReturnType<typeof authn.authenticate> & object;
  const rejects = (token: string, re: RegExp) => assert.throws(() => authn.authenticate({ req: req(token), cluster: 'c' }), (e: unknown) => e instanceof StatusError && e.code === 401 && re.test(e.message));
  return { index, identities, key, auth, rejects, req, authn, hash, uses, advance: (ms: number) => { now += ms; } };
}

describe('access-key authentication', () => {
  it('authenticates as the owner with live groups and teams, and ignores other bearer tokens', () => {
    const t = setup();
    const { secret } = t.key('ci');
    const r = t.auth(secret) as { user: { username: string; groups: string[] }; credentialId: string };
    assert.equal(r.user.username, 'alice');
    assert.deepEqual(r.user.groups, ['devs', 'portcullis:team:payments']);
    assert.equal(r.credentialId, 'accesskey:ci');
    assert.deepEqual(t.uses, ['ci']);
    assert.equal(t.authn.authenticate({ req: t.req('eyJhbGciOi.x.y'), cluster: 'c' }), null);
    t.rejects('pcak_unknown', /^invalid access key$/);
    // the owner changes: the key follows at once
    assert.equal(t.auth(secret), r, 'one frozen result per key and owner identity');
    assert.ok(Object.isFrozen(r.user));
    t.identities.setUser('alice', { metadata: { name: 'alice', uid: 'u-1' }, spec: { groups: [] } });
    assert.deepEqual((t.auth(secret) as { user: { groups: string[] } }).user.groups, ['portcullis:team:payments']);
    t.identities.setUser('alice', undefined);
    t.rejects(secret, /its owner "alice" no longer exists/);
  });

  it('rejects expired, disabled and deleted keys with the reason', () => {
    const t = setup();
    const exp = t.key('short', { expirationTimestamp: iso(T0 + 3_600_000) });
    const off = t.key('off', { disabled: true });
    const del = t.key('gone');
    t.auth(exp.secret);
    t.rejects(off.secret, /access key "off" is disabled/);
    t.index.remove('gone', true);
    t.rejects(del.secret, /access key "gone" has been deleted/);
    t.advance(3_600_000);
    t.rejects(exp.secret, /access key "short" expired at 2030-01-01T01:00:00Z/);
  });

  it('enforces the idle timeout from the last use', () => {
    const t = setup();
    const { secret } = t.key('idle', { idleTimeout: '30m' });
    t.advance(20 * 60_000);
    t.auth(secret);
    t.advance(25 * 60_000);
    t.auth(secret);
    t.advance(31 * 60_000);
    t.rejects(secret, /access key "idle" was idle since 2030-01-01T00:45:00Z, longer than its idle timeout of 30m/);
  });

  it('accepts a rotated secret until its grace ends', () => {
    const t = setup();
    const old = generateKeySecret();
    const fresh = t.key('rot', {}, { rotated: { previousHashes: [{ hash: t.hash(old), graceUntil: iso(T0 + 60_000) }] } });
    t.auth(old);
    t.auth(fresh.secret);
    t.advance(60_000);
    t.rejects(old, /access key "rot" was rotated; the previous secret stopped working at 2030-01-01T00:01:00Z/);
    t.auth(fresh.secret);
  });

  it('hands the scope of a scoped key to the scope filter', () => {
    const t = setup();
    const scoped = t.key('ci', { scope: { projects: ['payments'] } });
    const unscoped = t.key('all', { scope: { projects: [] } });
    const r1 = t.authn.authenticate({ req: t.req(scoped.secret), cluster: 'c' }) as AuthnResult;
    assert.deepEqual(r1.restrictions?.scope, { scope: { projects: ['payments'] }, credential: 'access key "ci"' });
    const r2 = t.authn.authenticate({ req: t.req(unscoped.secret), cluster: 'c' }) as AuthnResult;
    assert.equal(r2.restrictions?.scope, undefined);
  });

  it('compares hashes in constant time and only equal hashes match', () => {
    assert.ok(hashesEqual('ab01', 'ab01'));
    assert.ok(!hashesEqual('ab01', 'ab02'));
    assert.ok(!hashesEqual('ab01', 'ab0102'));
    assert.ok(!hashesEqual('', ''));
    assert.match(generateKeySecret(), /^pcak_[A-Za-z0-9_-]{43}$/);
  });
});
