// The password-login throttle: free failures, then a doubling lockout per key, reset by success or idleness, bounded.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LoginThrottle } from './login-throttle.ts';

const settings = { freeFailuresPerUser: 2, freeFailuresPerAddress: 4, baseDelayMs: 1000, maxDelayMs: 8000, maxEntries: 3 };
const user = (k = 'user:a') => [{ key: k, free: 2 }];

describe('login throttle', () => {
  it('locks after the free failures, doubling up to the maximum', () => {
    const t = new LoginThrottle(settings);
    t.fail(user(), 0);
    assert.equal(t.retryAfterMs(['user:a'], 0), 0);
    const waits: number[] = [];
    for (let i = 0; i < 5; i++) { t.fail(user(), 0); waits.push(t.retryAfterMs(['user:a'], 0)); }
    assert.deepEqual(waits, [1000, 2000, 4000, 8000, 8000]);
    assert.equal(t.retryAfterMs(['user:b', 'user:a'], 0), 8000, 'the longest wait of the keys');
  });

  it('forgets a key after success, after idleness, and beyond its capacity', () => {
    const t = new LoginThrottle(settings);
    for (let i = 0; i < 3; i++) t.fail(user(), 0);
    t.succeed('user:a');
    assert.equal(t.retryAfterMs(['user:a'], 0), 0);
    for (let i = 0; i < 3; i++) t.fail(user(), 0);
    assert.equal(t.retryAfterMs(['user:a'], 20_000), 0, 'idle longer than the maximum delay');
    for (const k of ['user:1', 'user:2', 'user:3', 'user:4', 'user:5']) t.fail(user(k), 0);
    assert.equal(t.size, 3);
  });

  it('refunds a failure counted ahead of a successful check', () => {
    const t = new LoginThrottle(settings);
    for (let i = 0; i < 2; i++) t.fail(user(), 0);
    assert.ok(t.retryAfterMs(['user:a'], 0) > 0);
    t.refund('user:a', 2);
    assert.equal(t.retryAfterMs(['user:a'], 0), 0);
  });
});
