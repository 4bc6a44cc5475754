// The union of authorizers: the first allow or deny wins; no opinion from all is a deny with the collected reasons.
import type { Attributes, Authorizer, AuthorizerResult } from '../types.ts';
import { SYSTEM_MASTERS } from '../types.ts';

export function createUnionAuthorizer(list: Authorizer[]): Authorizer {
  return {
    async authorize(a: Attributes): Promise<AuthorizerResult> {
      const reasons: string[] = [];
      for (const authz of list) {
        const r = await authz.authorize(a);
        if (r.decision !== 'noopinion') return r;
        if (r.reason) reasons.push(r.reason);
      }
      return { decision: 'deny', reason: reasons.join('; ') };
    },
  };
}

/** Members of system:masters may do anything, as in kube-apiserver's privileged-group authorizer. */
export const mastersAuthorizer: Authorizer = {
  authorize: (a) => (a.user.groups.includes(SYSTEM_MASTERS)
    ? { decision: 'allow', reason: `allowed: member of group "${SYSTEM_MASTERS}"` }
    : { decision: 'noopinion', reason: '' }),
};
