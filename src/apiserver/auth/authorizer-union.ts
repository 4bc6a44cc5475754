// The union of authorizers: the first allow or deny wins; no opinion from all is a deny with the collected reasons.
import type { Attributes, Authorizer, AuthorizerResult } from './types.ts';
import { SYSTEM_MASTERS } from './types.ts';

export function createUnionAuthorizer(list: Authorizer[]): Authorizer {
  // Stays synchronous while the authorizers answer synchronously; continues asynchronously after the first
  // that returns a promise (a delegated/webhook-style authorizer).
  const from = (a: Attributes, start: number, reasons: string[]): AuthorizerResult | Promise<AuthorizerResult> => {
    for (let i = start; i < list.length; i++) {
      const r = list[i].authorize(a);
      if (r instanceof Promise) {
        return r.then((v) => {
          if (v.decision !== 'noopinion') return v;
          if (v.reason) reasons.push(v.reason);
          return from(a, i + 1, reasons);
        });
      }
      if (r.decision !== 'noopinion') return r;
      if (r.reason) reasons.push(r.reason);
    }
    return { decision: 'deny', reason: reasons.join('; ') };
  };
  return { authorize: (a: Attributes) => from(a, 0, []) };
}

/** Members of system:masters may do anything, as in kube-apiserver's privileged-group authorizer. */
export const mastersAuthorizer: Authorizer = {
  authorize: (a) => (a.user.groups.includes(SYSTEM_MASTERS)
    ? { decision: 'allow', reason: `allowed: member of group "${SYSTEM_MASTERS}"` }
    : { decision: 'noopinion', reason: '' }),
};
