// Authenticates the request with the union of authenticators; a failure is a 401 Status.
// Synchronous when the authenticator answers synchronously (certificates, access keys): no promise per request.
import type { Filter, RequestContext } from '../context.ts';
import { StatusError } from '../errors.ts';
import { clusterFrom } from '../context.ts';
import type { AuthnResult, AuthnRequest } from '../auth/types.ts';

export interface RequestAuthenticator { authenticate(r: AuthnRequest): AuthnResult | Promise<AuthnResult> }

export function withAuthentication(authn: RequestAuthenticator, onFailure?: (ctx: RequestContext, err: StatusError) => void): Filter {
  const failed = (ctx: RequestContext, e: unknown): never => {
    if (onFailure && e instanceof StatusError) onFailure(ctx, e);
    throw e;
  };
  const proceed = (ctx: RequestContext, result: AuthnResult, next: () => Promise<void>): Promise<void> => {
    ctx.user = result.user;
    ctx.credentialId = result.credentialId;
    ctx.restrictions = result.restrictions;
    ctx.authn = result;
    ctx.annotations['authentication.portcullis.io/reason'] = result.reason;
    // Credentials never travel further than this filter (cleared, not deleted: deleting a property would turn
    // the headers object into a slow dictionary for every later header read).
    if (ctx.req.headers.authorization !== undefined) ctx.req.headers.authorization = undefined;
    return next();
  };
  return (ctx, next) => {
    let result: AuthnResult | Promise<AuthnResult>;
    try {
      result = authn.authenticate({ req: ctx.req, cluster: clusterFrom(ctx) });
    } catch (e) {
      return failed(ctx, e);
    }
    if (result instanceof Promise) return result.then((r) => proceed(ctx, r, next), (e) => failed(ctx, e));
    return proceed(ctx, result, next);
  };
}
