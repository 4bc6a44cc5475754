// Tests for the authenticator union: order, first-applies-wins, system:authenticated, 401s.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { isStatusError, unauthorized } from '../errors.ts';
import type { Authenticator, AuthnResult } from './types.ts';
import { createUnionAuthenticator } from './authenticator-union.ts';

const req = (authorization?: string) =>
  ({ headers: authorization === undefined ? {} : { authorization }, socket: {} }) as unknown as IncomingMessage;

function fixed(name: string, result: AuthnResult | null | Error, calls: string[] = []): Authenticator {
  return {
    name,
    authenticate() {
      calls.push(name);
      if (result instanceof Error) throw result;
      return result;
    },
  };
}
const alice: AuthnResult = { user: { username: 'alice', groups: ['devs'] }, reason: 'test: alice' };

async function expect401(run: () => unknown, pattern: RegExp): Promise<void> {
  await assert.rejects(async () => run(), (e) => {
    assert.ok(isStatusError(e));
    assert.equal(e.code, 401);
    assert.equal(e.reason, 'Unauthorized');
    assert.match(e.message, pattern);
    return true;
  });
}

test('first authenticator that applies wins, later ones are not consulted', async () => {
  const calls: string[] = [];
  const u = createUnionAuthenticator([
    fixed('none', null, calls), fixed('alice', alice, calls),
    fixed('bob', { user: { username: 'bob', groups: [] }, reason: 'b' }, calls),
  ]);
  const r = await u.authenticate({ req: req(), cluster: 'c' });
  assert.equal(r.user.username, 'alice');
  assert.equal(r.reason, 'test: alice');
  assert.deepEqual(calls, ['none', 'alice']);
  assert.deepEqual(u.names, ['none', 'alice', 'bob']);
});

test('adds system:authenticated once, without mutating the authenticator result', async () => {
  const u = createUnionAuthenticator([fixed('alice', alice)]);
  const r = await u.authenticate({ req: req(), cluster: 'c' });
  assert.deepEqual(r.user.groups, ['devs', 'system:authenticated']);
  assert.deepEqual(alice.user.groups, ['devs']);
  const already = createUnionAuthenticator([fixed('x', { user: { username: 'x', groups: ['system:authenticated'] }, reason: 'x' })]);
  assert.deepEqual((await already.authenticate({ req: req(), cluster: 'c' })).user.groups, ['system:authenticated']);
});

test('works with async authenticators and keeps uid, extra and credentialId', async () => {
  const r: AuthnResult = { user: { username: 'sa', uid: 'u1', groups: [], extra: { k: ['v'] } }, reason: 'r', credentialId: 'id' };
  const u = createUnionAuthenticator([{ name: 'async', authenticate: async () => r }]);
  assert.deepEqual(await u.authenticate({ req: req('Bearer abc'), cluster: 'c' }),
    { ...r, user: { ...r.user, groups: ['system:authenticated'] } });
});

test('none applies -> 401 Unauthorized', async () => {
  await expect401(() => createUnionAuthenticator([fixed('none', null)]).authenticate({ req: req(), cluster: 'c' }), /^Unauthorized$/);
  await expect401(() => createUnionAuthenticator([]).authenticate({ req: req('Bearer tok'), cluster: 'c' }), /^Unauthorized$/);
});

test('an authenticator that rejects its credential stops the chain with its message', async () => {
  const calls: string[] = [];
  const u = createUnionAuthenticator([fixed('bad', unauthorized('token has expired'), calls), fixed('alice', alice, calls)]);
  await expect401(() => u.authenticate({ req: req('Bearer x'), cluster: 'c' }), /token has expired/);
  assert.deepEqual(calls, ['bad']);
});

test('a malformed Authorization header is a readable 401', async () => {
  const u = createUnionAuthenticator([fixed('alice', alice)]);
  await expect401(() => u.authenticate({ req: req('Basic YWxpY2U6cHc='), cluster: 'c' }), /unsupported scheme "Basic"; expected "Bearer <token>"/);
  await expect401(() => u.authenticate({ req: req('Bearer'), cluster: 'c' }), /empty bearer token/);
  await expect401(() => u.authenticate({ req: req('Bearer a b'), cluster: 'c' }), /must not contain spaces/);
  await expect401(() => u.authenticate({ req: req('   '), cluster: 'c' }), /empty value/);
  assert.equal((await u.authenticate({ req: req('bearer abc'), cluster: 'c' })).user.username, 'alice');
});

test('synchronous authenticators answer synchronously; a frozen per-connection result gives one shared user object', () => {
  const frozen: AuthnResult = Object.freeze({ user: Object.freeze({ username: 'carol', groups: Object.freeze(['ops']) as string[] }), reason: 'cert' });
  const u = createUnionAuthenticator([fixed('none', null), fixed('cert', frozen)]);
  const a = u.authenticate({ req: req(), cluster: 'c' });
  const b = u.authenticate({ req: req(), cluster: 'c' });
  assert.ok(!(a instanceof Promise));
  assert.equal(a, b);
  assert.deepEqual((a as AuthnResult).user.groups, ['ops', 'system:authenticated']);
  assert.ok(Object.isFrozen((a as AuthnResult).user.groups));
});

test('an async authenticator that does not apply hands over to the next one', async () => {
  const u = createUnionAuthenticator([{ name: 'async-none', authenticate: async () => null }, fixed('alice', alice)]);
  assert.equal((await u.authenticate({ req: req(), cluster: 'c' })).user.username, 'alice');
  await expect401(() => createUnionAuthenticator([{ name: 'async-none', authenticate: async () => null }]).authenticate({ req: req(), cluster: 'c' }), /^Unauthorized$/);
});
