// Tests of the sealer: round trip, expiry, tampering, and purposes kept apart.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createSealer } from './sealer.ts';

describe('sealer', () => {
  const s = createSealer(randomBytes(32));
  it('round-trips a value and hides it', () => {
    const blob = s.seal('refresh-token', { token: 'rt-secret-value' });
    assert.ok(!Buffer.from(blob, 'base64url').toString('latin1').includes('rt-secret-value'));
    assert.deepEqual(s.open('refresh-token', blob, Date.now()), { token: 'rt-secret-value' });
  });
  it('refuses expired, tampered, foreign-purpose and foreign-key blobs', () => {
    const blob = s.seal('browser-session', 'x', 1000);
    assert.equal(s.open('browser-session', blob, 999), 'x');
    assert.equal(s.open('browser-session', blob, 1000), undefined);
    const ok = s.seal('pending-login', 'y');
    assert.equal(s.open('browser-session', ok, 0), undefined);
    const raw = Buffer.from(ok, 'base64url');
    raw[14] ^= 1;
    assert.equal(s.open('pending-login', raw.toString('base64url'), 0), undefined);
    assert.equal(createSealer(randomBytes(32)).open('pending-login', ok, 0), undefined);
    assert.equal(s.open('pending-login', 'not base64!', 0), undefined);
    assert.equal(s.open('pending-login', 'A'.repeat(20_000), 0), undefined);
  });
});
