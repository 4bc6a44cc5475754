// The impersonation gate: Impersonate-User/Group/Uid/Extra-* headers become the effective user when every
// impersonate check is allowed (first denial → 403; groups/extra/uid without a user → 400).
import type { Gate, GateQuery, GateVerdict } from '../../apiserver/auth/decision-order.ts';
import { rawHeadersDistinct } from '../../apiserver/context.ts';
import { badRequest, forbiddenStatus } from '../../apiserver/errors.ts';
import type { Attributes, AuthorizerResult } from '../../apiserver/auth/types.ts';
import { isImpersonationHeader, planImpersonation } from '../authz/rbac/index.ts';
import { forbiddenMessage } from '../../apiserver/auth/forbidden.ts';

const NONE: GateVerdict = Object.freeze({ verdict: 'pass', reason: 'no impersonation headers' });

/** True when any header is an impersonation header (raw names: no header object is built for the check). */
function hasImpersonation(raw: readonly string[]): boolean {
  for (let i = 0; i < raw.length; i += 2) {
    const c = raw[i].charCodeAt(0);
    if ((c === 73 || c === 105) && isImpersonationHeader(raw[i])) return true; // 'I' / 'i'
  }
  return false;
}

export function impersonationGate(authorize: Authorize): Gate {
  return { check: (q) => (hasImpersonation(q.rawHeaders) ? impersonate(q, authorize) : NONE) };
}

type Authorize = (a: Attributes) => Promise<AuthorizerResult>;

async function impersonate(q: GateQuery, authorize: Authorize): Promise<GateVerdict> {
  const requestor = q.user;
  const plan = planImpersonation(requestor, q.cluster, rawHeadersDistinct(q.rawHeaders));
  if (plan.kind === 'none') return NONE;
  if (plan.kind === 'invalid') return { verdict: 'deny', reason: plan.message, error: badRequest(plan.message) };
  for (const check of plan.checks) {
    const r = await authorize(check);
    if (r.decision !== 'allow') {
      const f = forbiddenMessage(check, r.reason);
      return { verdict: 'deny', reason: f.message, error: forbiddenStatus(f.message, f.details) };
    }
  }
  const user = plan.user;
  return {
    verdict: 'allow', reason: `"${requestor.username}" may impersonate "${user.username}"`, user,
    details: { impersonatedUser: user },
    apply(ctx) {
      ctx.impersonator = requestor;
      ctx.user = user;
      ctx.annotations['impersonation.portcullis.io/by'] = requestor.username;
      for (const h of Object.keys(ctx.req.headers)) if (isImpersonationHeader(h)) delete ctx.req.headers[h];
    },
  };
}
