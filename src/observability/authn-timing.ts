// Times authentication: each authenticator of the union (portcullis_authenticator_duration_seconds) and the union as
// a whole (authentication_duration_seconds). The observer is read per call, so it can be attached after assembly.
import type { Authenticator, AuthnRequest, AuthnResult } from '../apiserver/auth/types.ts';

/** result: "success" (this authenticator accepted), "none" (not its credential), "error" (it refused). */
export type AuthnObserver = (authenticator: string, seconds: number, result: 'success' | 'none' | 'error') => void;

export function timeAuthenticator<A extends { authenticate(r: AuthnRequest): AuthnResult | null | Promise<AuthnResult | null> }>(
  inner: A, name: string, observer: () => AuthnObserver | undefined): A {
  return {
    ...inner,
    authenticate(r: AuthnRequest) {
      const o = observer();
      if (!o) return inner.authenticate(r);
      const start = performance.now();
      let res: ReturnType<A['authenticate']>;
      try {
        res = inner.authenticate(r) as ReturnType<A['authenticate']>;
      } catch (e) {
        o(name, (performance.now() - start) / 1000, 'error');
        throw e;
      }
      if (!(res instanceof Promise)) {
        o(name, (performance.now() - start) / 1000, res ? 'success' : 'none');
        return res;
      }
      return res.then((v: AuthnResult | null) => { o(name, (performance.now() - start) / 1000, v ? 'success' : 'none'); return v; },
        (e: unknown) => { o(name, (performance.now() - start) / 1000, 'error'); throw e; });
    },
  } as A;
}

export type { Authenticator };
