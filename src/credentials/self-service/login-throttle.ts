// Password logins (CLI and console): every attempt is audited (never the password), and failures are throttled per
// user and per source address with exponential backoff (429 + Retry-After), in a bounded in-memory table.
import type { RequestContext } from '../../apiserver/context.ts';
import { tooManyRequests } from '../../apiserver/errors.ts';
import type { PlatformAuditEvent } from '../../apiserver/extension.ts';

/** Checks a username and password (the platform's User objects, or a test's). */
export type PasswordVerifier = (username: string, password: string) => Promise<boolean>;

export interface LoginThrottleSettings {
  /** Failures for one user name after which the backoff starts. */
  freeFailuresPerUser: number;
  /** Failures from one source address (any user names) after which the backoff starts. */
  freeFailuresPerAddress: number;
  /** The first lockout; each further failure doubles it. */
  baseDelayMs: number;
  /** The longest lockout; a counter idle for this long starts again from zero. */
  maxDelayMs: number;
  /** Counters kept at most (the least recently failed are forgotten first). */
  maxEntries: number;
}

export const DEFAULT_LOGIN_THROTTLE: LoginThrottleSettings = {
  freeFailuresPerUser: 5, freeFailuresPerAddress: 20, baseDelayMs: 1000, maxDelayMs: 15 * 60_000, maxEntries: 10_000,
};

interface Counter { failures: number; lastFailureMs: number; lockedUntilMs: number }

/** Failure counters by key ("user:<name>", "addr:<ip>"), least recently failed first (a Map keeps insertion order). */
export class LoginThrottle {
  private readonly counters = new Map<string, Counter>();

  constructor(readonly settings: LoginThrottleSettings) {}

  /** How long the caller must still wait (0: may try now). */
  retryAfterMs(keys: readonly string[], now: number): number {
    let wait = 0;
    for (const k of keys) {
      const c = this.live(k, now);
      if (c) wait = Math.max(wait, c.lockedUntilMs - now);
    }
    return wait;
  }

  fail(keys: ReadonlyArray<{ key: string; free: number }>, now: number): void {
    const s = this.settings;
    for (const { key, free } of keys) {
      const c = this.live(key, now) ?? { failures: 0, lastFailureMs: now, lockedUntilMs: 0 };
      c.failures++;
      c.lastFailureMs = now;
      const delay = Math.min(s.maxDelayMs, s.baseDelayMs * 2 ** Math.min(30, c.failures - free));
      if (c.failures >= free) c.lockedUntilMs = now + delay;
      this.counters.delete(key);
      this.counters.set(key, c);
    }
    while (this.counters.size > s.maxEntries) this.counters.delete(this.counters.keys().next().value!);
  }

  /** A successful login clears the user's counter (not the address's: one good account must not unlock guessing). */
  succeed(key: string): void { this.counters.delete(key); }

  /** Takes back one failure recorded ahead of a check that then succeeded. */
  refund(key: string, free: number): void {
    const c = this.counters.get(key);
    if (!c) return;
    c.failures = Math.max(0, c.failures - 1);
    if (c.failures < free) c.lockedUntilMs = 0;
  }

  get size(): number { return this.counters.size; }

  private live(key: string, now: number): Counter | undefined {
    const c = this.counters.get(key);
    if (c && now - c.lastFailureMs > this.settings.maxDelayMs && now >= c.lockedUntilMs) {
      this.counters.delete(key);
      return undefined;
    }
    return c;
  }
}

/** Checks a password for a login route: throttled, audited; true when it matches. */
export type PasswordLogin = (ctx: RequestContext, username: string, password: string) => Promise<boolean>;

export function createPasswordLogin(verify: PasswordVerifier, d: {
  throttle: LoginThrottle; now: () => number; audit: (e: PlatformAuditEvent) => void;
}): PasswordLogin {
  const s = d.throttle.settings;
  return async (ctx, username, password) => {
    const now = d.now();
    const address = ctx.req.socket.remoteAddress ?? 'unknown';
    const userKey = `user:${username}`;
    const addrKey = `addr:${address}`;
    const ua = ctx.req.headers['user-agent'];
    const event = (verb: string, code: number, message: string) => d.audit({
      verb, requestURI: ctx.path, user: { username }, code, message, sourceIPs: [address],
      userAgent: typeof ua === 'string' ? ua.slice(0, 256) : undefined,
      annotations: { 'authentication.portcullis.io/method': 'password' },
    });
    const wait = d.throttle.retryAfterMs([userKey, addrKey], now);
    if (wait > 0) {
      const err = tooManyRequests(
        `too many failed logins for this user or from this address: try again in ${Math.ceil(wait / 1000)}s`, wait / 1000);
      event('login-throttled', 429, err.message);
      throw err;
    }
    // counted as a failure before the (slow) check, so that parallel guesses cannot all pass the gate above
    const counted = [{ key: userKey, free: s.freeFailuresPerUser }, { key: addrKey, free: s.freeFailuresPerAddress }];
    d.throttle.fail(counted, now);
    const ok = await verify(username, password);
    if (ok) {
      d.throttle.succeed(userKey);
      d.throttle.refund(addrKey, s.freeFailuresPerAddress);
      event('login', 200, 'password accepted');
    } else {
      event('login-failed', 401, 'invalid username or password');
    }
    return ok;
  };
}
