// Authorizes the request with the union of authorizers; anything not allowed is a 403 in Kubernetes' wording.
import type { Filter, RequestContext } from '../context.ts';
import { clusterFrom, infoFrom, userFrom } from '../context.ts';
import type { Attributes, Authorizer, AuthorizerResult } from '../auth/types.ts';
import { forbiddenMessage } from '../auth/forbidden.ts';
import { forbiddenStatus } from '../errors.ts';

export function attributesOf(ctx: Parameters<Filter>[0]): Attributes {
  const info = infoFrom(ctx);
  return {
    user: userFrom(ctx), cluster: clusterFrom(ctx), verb: info.verb, isResourceRequest: info.isResourceRequest,
    path: info.path, apiGroup: info.apiGroup, apiVersion: info.apiVersion, resource: info.resource,
    subresource: info.subresource, namespace: info.namespace, name: info.name, handle: ctx.handle,
  };
}

export function withAuthorization(authz: Authorizer): Filter {
  const decided = (ctx: RequestContext, attrs: Attributes, r: AuthorizerResult, next: () => Promise<void>): Promise<void> => {
    ctx.annotations['authorization.k8s.io/decision'] = r.decision === 'allow' ? 'allow' : 'forbid';
    ctx.annotations['authorization.k8s.io/reason'] = r.reason;
    if (r.decision !== 'allow') {
      const f = forbiddenMessage(attrs, r.reason);
      throw forbiddenStatus(f.message, f.details);
    }
    return next();
  };
  // Synchronous when the authorizers answer synchronously (RBAC does): no promise per request.
  return (ctx, next) => {
    const attrs = attributesOf(ctx);
    const r = authz.authorize(attrs);
    return r instanceof Promise ? r.then((v) => decided(ctx, attrs, v, next)) : decided(ctx, attrs, r, next);
  };
}
