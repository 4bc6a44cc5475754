// Authenticates the request with the union of authenticators; a failure is a 401 Status.
import type { Filter, RequestContext } from '../context.ts';
import { StatusError } from '../errors.ts';
import { clusterFrom } from '../context.ts';
import type { AuthnResult, AuthnRequest } from '../../auth/types.ts';

export interface RequestAuthenticator { authenticate(r: AuthnRequest): Promise<AuthnResult> }

export function withAuthentication(authn: RequestAuthenticator, onFailure?: (ctx: RequestContext, err: StatusError) => void): Filter {
  return async (ctx, next) => {
    let result: AuthnResult;
    try {
      result = await authn.authenticate({ req: ctx.req, cluster: clusterFrom(ctx) });
    } catch (e) {
      if (onFailure && e instanceof StatusError) onFailure(ctx, e);
      throw e;
    }
    ctx.user = result.user;
    ctx.credentialId = result.credentialId;
    ctx.annotations['authentication.portcullis.io/reason'] = result.reason;
    // Credentials never travel further than this filter.
    delete ctx.req.headers.authorization;
    await next();
  };
}
