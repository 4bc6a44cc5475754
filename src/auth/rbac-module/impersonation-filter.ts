// Impersonation filter: Impersonate-User/Group/Uid/Extra-* headers become the effective user when every
// impersonate check is allowed (first denial → 403; groups/extra/uid without a user → 400).
import type { Filter, RequestContext } from '../../apiserver/context.ts';
import { clusterFrom, headersDistinct, userFrom } from '../../apiserver/context.ts';
import { StatusError, badRequest } from '../../apiserver/errors.ts';
import type { Attributes, AuthorizerResult } from '../../apiserver/auth/types.ts';
import { isImpersonationHeader, planImpersonation } from '../authz/rbac/index.ts';
import { forbiddenMessage } from '../../apiserver/auth/forbidden.ts';

/** True when any header is an impersonation header (raw names: no header object is built for the check). */
function hasImpersonation(raw: string[]): boolean {
  for (let i = 0; i < raw.length; i += 2) {
    const c = raw[i].charCodeAt(0);
    if ((c === 73 || c === 105) && isImpersonationHeader(raw[i])) return true; // 'I' / 'i'
  }
  return false;
}

export function withImpersonation(authorize: (a: Attributes) => Promise<AuthorizerResult>): Filter {
  return (ctx, next) => (hasImpersonation(ctx.req.rawHeaders) ? impersonate(ctx, next, authorize) : next());
}

async function impersonate(ctx: RequestContext, next: () => Promise<void>, authorize: (a: Attributes) => Promise<AuthorizerResult>): Promise<void> {
  const headers = headersDistinct(ctx.req) as Record<string, string[] | undefined>;
  const requestor = userFrom(ctx);
  const plan = planImpersonation(requestor, clusterFrom(ctx), headers);
  if (plan.kind === 'none') return next();
  if (plan.kind === 'invalid') throw badRequest(plan.message);
  for (const check of plan.checks) {
    const r = await authorize(check);
    if (r.decision !== 'allow') {
      const f = forbiddenMessage(check, r.reason);
      throw new StatusError(403, 'Forbidden', f.message, f.details);
    }
  }
  ctx.impersonator = requestor;
  ctx.user = plan.user;
  ctx.annotations['impersonation.portcullis.io/by'] = requestor.username;
  for (const h of Object.keys(ctx.req.headers)) if (isImpersonationHeader(h)) delete ctx.req.headers[h];
  await next();
}
