// Unit tests: the credential-chain walk — parents followed, the first ended link named in the 401, unknown carried
// links refused (fail closed), loops bounded, expiry along the chain, the lineage a mint records and its clamp; the
// verdicts kept between requests (until changed() or the earliest expiry) and their bounded cache.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { CredentialChains } from './credential-chain.ts';
import { VerdictCache, type Verdict } from './chain-verdicts.ts';
import { StatusError } from '../errors.ts';
import type { AuthnResult } from './types.ts';

const req = {} as IncomingMessage;
const NOW = 1_000_000;

function chains(state: Record<string, { problem?: string; parents?: string[]; expiresMs?: number }>) {
  const c = new CredentialChains(() => NOW);
  for (const kind of new Set(Object.keys(state).map((k) => k.slice(0, k.indexOf(':'))))) {
    c.register(kind, (ref) => state[ref] ?? { problem: `${ref} no longer exists` });
  }
  return c;
}
const result = (credentialId: string, chain?: string[], expiresMs?: number): AuthnResult =>
  ({ user: { username: 'u', groups: [] }, reason: 'test', credentialId, chain, expiresMs });
const refusal = (f: () => unknown): string => {
  try { f(); } catch (e) { assert.ok(e instanceof StatusError); assert.equal(e.code, 401); return e.message; }
  return assert.fail('expected a 401');
};

describe('credential chains', () => {
  it('follows parents and names the first link that ended', () => {
    const c = chains({ 'x509:ab': { parents: ['kubeconfig:ns.kc#1'] }, 'kubeconfig:ns.kc#1': { parents: ['user:alice#u1'] }, 'user:alice#u1': {} });
    c.check(result('x509:ab'), { req, cluster: 'root' });
    assert.deepEqual(c.lineage({ authn: result('x509:ab'), req }).refs, ['x509:ab', 'kubeconfig:ns.kc#1', 'user:alice#u1']);
    const ended = chains({ 'x509:ab': { parents: ['kubeconfig:ns.kc#1'] }, 'kubeconfig:ns.kc#1': { parents: ['user:alice#u1'] },
      'user:alice#u1': { problem: 'user "alice" no longer exists' } });
    assert.match(refusal(() => ended.check(result('x509:ab'), { req, cluster: 'root' })), /minted from user:alice, and user "alice" no longer exists/);
  });

  it('checks carried links; a carried link nobody resolves is refused, an unknown own kind is not', () => {
    const c = chains({ 'platformtoken:j1': {}, 'accesskey:k#fp': { problem: 'access key "k" has been deleted' } });
    assert.match(refusal(() => c.check(result('platformtoken:j1', ['accesskey:k#fp']), { req, cluster: 'c' })), /access key "k" has been deleted/);
    assert.match(refusal(() => c.check(result('platformtoken:j1', ['mystery:x']), { req, cluster: 'c' })), /cannot check/);
    c.check(result('mystery:self'), { req, cluster: 'c' });
  });

  it('refuses links past their expiry and derived credentials past their own, and clamps what is minted', () => {
    const c = chains({ 'accesskey:k': { expiresMs: NOW - 1 }, 'platformtoken:j': {}, 'accesskey:live': { expiresMs: NOW + 5000 } });
    assert.match(refusal(() => c.check(result('platformtoken:j', ['accesskey:k']), { req, cluster: 'c' })), /accesskey:k, which has expired/);
    assert.match(refusal(() => c.check(result('platformtoken:j', ['accesskey:live'], NOW), { req, cluster: 'c' })), /credential has expired/);
    const l = c.lineage({ authn: result('platformtoken:j', ['accesskey:live'], NOW + 9000), req });
    assert.equal(l.expiresMs, NOW + 5000);
  });

  it('bounds loops and long chains', () => {
    const c = chains({ 'a:1': { parents: ['a:2'] }, 'a:2': { parents: ['a:1'] } });
    c.check(result('a:1'), { req, cluster: 'c' });
    const long: Record<string, { parents: string[] }> = {};
    for (let i = 0; i < 40; i++) long[`a:${i}`] = { parents: [`a:${i + 1}`] };
    long['a:40'] = { parents: [] };
    assert.match(refusal(() => chains(long).check(result('a:0'), { req, cluster: 'c' })), /too long/);
  });

  it('is off only when disabled (the benchmark\'s comparison server)', () => {
    const c = chains({ 'accesskey:k': { problem: 'gone' } });
    c.enabled = false;
    c.check(result('accesskey:k'), { req, cluster: 'c' });
  });

  it('keeps a verdict until changed() or the earliest expiry along the chain, and replays link effects', () => {
    let now = NOW;
    const state: Record<string, { problem?: string; parents?: string[]; expiresMs?: number }> = {
      'platformtoken:j': {}, 'accesskey:k': { parents: ['user:u'], expiresMs: NOW + 1000 }, 'user:u': {},
    };
    const walked: string[] = [];
    const applied: unknown[] = [];
    const c = new CredentialChains(() => now);
    for (const kind of ['platformtoken', 'accesskey', 'user']) {
      c.register(kind, (ref) => {
        walked.push(ref);
        return { ...(state[ref] ?? { problem: 'gone' }), ...(ref === 'user:u' ? { effect: (q) => applied.push(q) } : {}) };
      });
    }
    const t = result('platformtoken:j', ['accesskey:k']);
    const q1 = {} as IncomingMessage;
    const q2 = {} as IncomingMessage;
    c.check(t, { req: q1, cluster: 'c' });
    c.check(t, { req: q2, cluster: 'c' });
    assert.deepEqual(walked, ['platformtoken:j', 'accesskey:k', 'user:u'], 'walked once');
    assert.deepEqual(applied, [q1, q2], 'the effect applies to every request');
    state['user:u'] = { problem: 'user "u" is disabled' };
    c.check(t, { req, cluster: 'c' });
    c.changed();
    assert.match(refusal(() => c.check(t, { req, cluster: 'c' })), /user "u" is disabled/);
    state['user:u'] = {};
    c.changed();
    c.check(t, { req, cluster: 'c' });
    now = NOW + 999;
    c.check(t, { req, cluster: 'c' });
    now = NOW + 1000;
    assert.match(refusal(() => c.check(t, { req, cluster: 'c' })), /accesskey:k, which has expired/);
  });

  it('keeps verdicts for one chain and user per link; a refused walk drops the link\'s verdict', () => {
    const state: Record<string, { problem?: string }> = { 'platformtoken:j': {}, 'accesskey:a': {}, 'accesskey:b': { problem: 'gone' } };
    const c = chains(state);
    c.check(result('platformtoken:j', ['accesskey:a']), { req, cluster: 'c' });
    assert.match(refusal(() => c.check(result('platformtoken:j', ['accesskey:b']), { req, cluster: 'c' })), /gone/);
    assert.equal(c.cachedVerdicts, 0);
    c.check(result('platformtoken:j', ['accesskey:a']), { req, cluster: 'c' });
    assert.equal(c.cachedVerdicts, 1);
  });

  it('bounds the cache: two halves, a hit in the older half moves to the newer one', () => {
    const v = (n: number): Verdict => ({ generation: n, expiresMs: Infinity, chain: undefined, username: 'u', groups: [], effects: [] });
    const cache = new VerdictCache(2);
    cache.set('a', v(1)); cache.set('b', v(2));
    cache.set('c', v(3)); // a, b → older half
    assert.equal(cache.get('a')?.generation, 1); // moved back to the newer half (now: c, a)
    cache.set('d', v(4)); // newer half full: c, a → older half; b dropped
    assert.equal(cache.get('b'), undefined);
    assert.equal(cache.get('a')?.generation, 1);
    assert.ok(cache.size <= 4);
    for (let i = 0; i < 100; i++) cache.set(`k${i}`, v(i));
    assert.ok(cache.size <= 4, `${cache.size} held`);
  });
});
