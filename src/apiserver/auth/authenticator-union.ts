// Runs authenticators in order; the first that applies decides. Success adds system:authenticated; none -> 401.
// Synchronous authenticators (client certificates, access keys) keep the whole decision synchronous: the
// request path only pays for a promise when an authenticator really waits.
import { unauthorized } from '../errors.ts';
import { SYSTEM_AUTHENTICATED, type Authenticator, type AuthnRequest, type AuthnResult } from './types.ts';
import { bearerToken } from './bearer.ts';

export interface UnionAuthenticator {
  readonly names: string[];
  authenticate(r: AuthnRequest): AuthnResult | Promise<AuthnResult>;
}

type Outcome = AuthnResult | null | Promise<AuthnResult | null>;
const isPromise = (v: Outcome): v is Promise<AuthnResult | null> => typeof (v as Promise<unknown> | null)?.then === 'function';

/**
 * The result with system:authenticated. Authenticators that cache per connection return the same frozen
 * result each time; its completed form is cached too, so a connection's requests share one user object.
 */
const completed = new WeakMap<AuthnResult, AuthnResult>();
function complete(res: AuthnResult): AuthnResult {
  const hit = completed.get(res);
  if (hit) return hit;
  const groups = res.user.groups.includes(SYSTEM_AUTHENTICATED) ? [...res.user.groups] : [...res.user.groups, SYSTEM_AUTHENTICATED];
  const out: AuthnResult = Object.freeze({ ...res, user: Object.freeze({ ...res.user, groups: Object.freeze(groups) as string[] }) });
  if (Object.isFrozen(res)) completed.set(res, out);
  return out;
}

export function createUnionAuthenticator(list: Authenticator[]): UnionAuthenticator {
  const authenticators = [...list];
  const from = (r: AuthnRequest, start: number): AuthnResult | Promise<AuthnResult> => {
    for (let i = start; i < authenticators.length; i++) {
      const res = authenticators[i].authenticate(r);
      if (isPromise(res)) return res.then((v) => (v ? complete(v) : from(r, i + 1)));
      if (res) return complete(res);
    }
    throw unauthorized('Unauthorized');
  };
  return {
    names: authenticators.map((a) => a.name),
    authenticate(r) {
      bearerToken(r.req); // a malformed Authorization header is rejected whatever authenticators exist
      return from(r, 0);
    },
  };
}

/** Runs `checks` on every successful result (they throw to refuse it); synchronous results stay synchronous. */
export function withAuthenticationChecks(
  inner: UnionAuthenticator, checks: ReadonlyArray<(res: AuthnResult, r: AuthnRequest) => void>,
): UnionAuthenticator {
  if (checks.length === 0) return inner;
  const run = (res: AuthnResult, r: AuthnRequest): AuthnResult => { for (const c of checks) c(res, r); return res; };
  return {
    names: inner.names,
    authenticate(r) {
      const res = inner.authenticate(r);
      return res instanceof Promise ? res.then((v) => run(v, r)) : run(res, r);
    },
  };
}
