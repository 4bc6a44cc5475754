// Authorizes the request with the union of authorizers; anything not allowed is a 403 in Kubernetes' wording.
import type { Filter } from '../context.ts';
import { clusterFrom, infoFrom, userFrom } from '../context.ts';
import type { Attributes, Authorizer } from '../../auth/types.ts';
import { forbiddenMessage } from '../../auth/authz/forbidden.ts';
import { StatusError } from '../errors.ts';

export function attributesOf(ctx: Parameters<Filter>[0]): Attributes {
  const info = infoFrom(ctx);
  return {
    user: userFrom(ctx), cluster: clusterFrom(ctx), verb: info.verb, isResourceRequest: info.isResourceRequest,
    path: info.path, apiGroup: info.apiGroup, apiVersion: info.apiVersion, resource: info.resource,
    subresource: info.subresource, namespace: info.namespace, name: info.name,
  };
}

export function withAuthorization(authz: Authorizer): Filter {
  return async (ctx, next) => {
    const attrs = attributesOf(ctx);
    const { decision, reason } = await authz.authorize(attrs);
    ctx.annotations['authorization.k8s.io/decision'] = decision === 'allow' ? 'allow' : 'forbid';
    ctx.annotations['authorization.k8s.io/reason'] = reason;
    if (decision !== 'allow') {
      const f = forbiddenMessage(attrs, reason);
      throw new StatusError(403, 'Forbidden', f.message, f.details);
    }
    await next();
  };
}
