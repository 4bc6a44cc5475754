// Runs authenticators in order; the first that applies decides. Success adds system:authenticated; none -> 401.
import { unauthorized } from '../../apiserver/errors.ts';
import { SYSTEM_AUTHENTICATED, type Authenticator, type AuthnRequest, type AuthnResult } from '../types.ts';
import { bearerToken } from './bearer.ts';

export interface UnionAuthenticator {
  readonly names: string[];
  authenticate(r: AuthnRequest): Promise<AuthnResult>;
}

export function createUnionAuthenticator(list: Authenticator[]): UnionAuthenticator {
  const authenticators = [...list];
  return {
    names: authenticators.map((a) => a.name),
    async authenticate(r) {
      bearerToken(r.req); // a malformed Authorization header is rejected whatever authenticators exist
      for (const a of authenticators) {
        const res = await a.authenticate(r);
        if (!res) continue;
        const groups = res.user.groups.includes(SYSTEM_AUTHENTICATED)
          ? [...res.user.groups]
          : [...res.user.groups, SYSTEM_AUTHENTICATED];
        return { ...res, user: { ...res.user, groups } };
      }
      throw unauthorized('Unauthorized');
    },
  };
}
