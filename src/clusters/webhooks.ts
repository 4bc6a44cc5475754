// Webhook mode: a real kube-apiserver keeps serving and asks Portcullis. POST .../<name>/tokenreview answers a
// TokenReview v1 (any Portcullis credential → user, groups, and the key's namespace scope as an extra);
// POST .../<name>/subjectaccessreview answers a SubjectAccessReview v1: denied without management access or outside
// the credential's scope, otherwise no opinion (the upstream's RBAC, with the role-mapping bindings, decides).
import type { IncomingMessage } from 'node:http';
import type { Route } from '../apiserver/extension.ts';
import type { RequestContext } from '../apiserver/context.ts';
import type { Attributes, AuthnRequest, AuthnResult } from '../apiserver/auth/types.ts';
import { userFrom } from '../apiserver/context.ts';
import { ROOT_CLUSTER } from '../apiserver/cluster-name.ts';
import { GROUP, RESOURCE, VERSION } from './types.ts';
import { StatusError, badRequest, routeNotFound } from '../apiserver/errors.ts';
import { readBody } from '../apiserver/codec/body.ts';
import { writeJson } from '../apiserver/handlers/respond.ts';
import { clusterAccess, scopeOf } from '../credentials/index.ts';
import type { ConnectedClusters } from './registry.ts';
import type { ConnectedAccess } from './access.ts';

export const WEBHOOK_PREFIX = '/platform/v1/connectedclusters';
/** Extra naming the connected cluster a TokenReview was answered for (SubjectAccessReviews check it). */
export const CLUSTER_EXTRA = 'clusters.portcullis.io/cluster';
/** Extra listing the namespaces a scoped credential may touch in that cluster. */
export const SCOPE_EXTRA = 'clusters.portcullis.io/scope-namespaces';
const MAX_REVIEW_BYTES = 64 * 1024;

export interface WebhookDeps {
  clusters: ConnectedClusters;
  access: ConnectedAccess;
  authenticate: (r: AuthnRequest) => Promise<AuthnResult>;
  projectOf: (cluster: string) => string | undefined;
  /** The server's authorizer: callers need `create` on connectedclusters/<review> for this cluster in root. */
  authorize: (a: Attributes) => Promise<boolean>;
}

async function review(ctx: RequestContext, group: string, kind: string): Promise<Record<string, any>> {
  if (ctx.req.method !== 'POST') throw new StatusError(405, 'MethodNotAllowed', `${kind} webhooks accept POST only`);
  let body: Record<string, any>;
  try { body = JSON.parse((await readBody(ctx.req, MAX_REVIEW_BYTES)).toString('utf8')) as Record<string, any>; } catch (e) {
    if (e instanceof StatusError) throw e;
    throw badRequest(`the request body is not a JSON ${kind}: ${(e as Error).message}`);
  }
  if (typeof body !== 'object' || body === null || body.kind !== kind || (body.apiVersion !== `${group}/v1` && body.apiVersion !== `${group}/v1beta1`)) {
    throw badRequest(`expected a ${kind} (${group}/v1), got kind "${body?.kind}" apiVersion "${body?.apiVersion}"`);
  }
  if (typeof body.spec !== 'object' || body.spec === null) throw badRequest(`${kind}: spec is required`);
  return body;
}

function answer(ctx: RequestContext, body: Record<string, any>, status: Record<string, unknown>): void {
  // kube-apiserver caches decisions itself (cacheTTL, authorizedTTL, unauthorizedTTL): nothing in between may.
  writeJson(ctx, 200, { apiVersion: body.apiVersion, kind: body.kind, metadata: { creationTimestamp: null }, status }, { 'cache-control': 'no-store' });
}

export function webhookRoutes(d: WebhookDeps): Route[] {
  const tokenReview = async (ctx: RequestContext, cluster: string) => {
    const body = await review(ctx, 'authentication.k8s.io', 'TokenReview');
    const token = body.spec.token;
    if (typeof token !== 'string' || token === '') throw badRequest('TokenReview: spec.token is required');
    const audiences = Array.isArray(body.spec.audiences) ? body.spec.audiences as string[] : [];
    const fake = { headers: { authorization: `Bearer ${token}` }, rawHeaders: ['Authorization', `Bearer ${token}`], socket: {} } as unknown as IncomingMessage;
    let r: AuthnResult;
    try { r = await d.authenticate({ req: fake, cluster }); } catch (e) {
      if (e instanceof StatusError && e.code === 401) return answer(ctx, body, { authenticated: false, error: e.message });
      throw e;
    }
    const extra: Record<string, string[]> = { ...(r.user.extra ?? {}), [CLUSTER_EXTRA]: [cluster] };
    const scope = scopeOf(r, fake);
    if (scope) {
      const a = clusterAccess(scope.scope, cluster, d.projectOf);
      if (a.kind === 'none') return answer(ctx, body, { authenticated: false, error: `${scope.credential} is scoped outside cluster "${cluster}"` });
      if (a.kind === 'namespaces') extra[SCOPE_EXTRA] = [...a.namespaces].sort();
    }
    const user = d.access.upstreamUser({ ...r.user, extra });
    ctx.annotations['clusters.portcullis.io/webhook'] = `tokenreview ${cluster}: ${r.user.username}`;
    answer(ctx, body, { authenticated: true, user: { ...user, groups: [...user.groups, 'system:authenticated'] }, audiences });
  };

  const subjectAccessReview = async (ctx: RequestContext, cluster: string) => {
    const body = await review(ctx, 'authorization.k8s.io', 'SubjectAccessReview');
    const spec = body.spec as { user?: string; groups?: string[]; extra?: Record<string, string[]>; resourceAttributes?: { namespace?: string } };
    const noOpinion = (reason: string) => answer(ctx, body, { allowed: false, reason });
    const deny = (reason: string) => answer(ctx, body, { allowed: false, denied: true, reason });
    // Only identities this webhook authenticated for this cluster are Portcullis'; the upstream's own users
    // (nodes, its ServiceAccounts) are left to its other authorizers.
    if (!spec.extra?.[CLUSTER_EXTRA]?.includes(cluster)) return noOpinion('not a Portcullis identity');
    const username = spec.user ?? '';
    const reasons = await d.access.reasons(username, spec.groups ?? [], cluster);
    if (reasons.length === 0) return deny(`User "${username}" has no management access to connected cluster "${cluster}"`);
    const scoped = spec.extra[SCOPE_EXTRA];
    // Discovery and other non-resource paths stay open to a scoped credential, as in the proxy.
    if (scoped && spec.resourceAttributes) {
      const ns = spec.resourceAttributes?.namespace ?? '';
      if (!ns || !scoped.includes(ns)) {
        return deny(`the credential is scoped to namespace${scoped.length > 1 ? 's' : ''} ${scoped.join(', ')} in cluster "${cluster}"`);
      }
    }
    noOpinion(`management access: ${reasons.join(',')}`);
  };

  return [{
    prefix: WEBHOOK_PREFIX,
    async handle(ctx) {
      const [name, what, ...rest] = ctx.path.slice(WEBHOOK_PREFIX.length + 1).split('/');
      if (!name || rest.length || (what !== 'tokenreview' && what !== 'subjectaccessreview')) throw routeNotFound(ctx.path);
      // Reaching /platform/v1 is not enough: reviews reveal identities and decisions, so only the cluster's webhook
      // identity (or whoever holds the same grant) may ask.
      const caller = userFrom(ctx);
      const allowed = await d.authorize({
        user: caller, cluster: ROOT_CLUSTER, verb: 'create', isResourceRequest: true, path: '', apiGroup: GROUP, apiVersion: VERSION,
        resource: RESOURCE, subresource: what, namespace: '', name,
      });
      if (!allowed) {
        throw new StatusError(403, 'Forbidden', `User "${caller.username}" cannot create ${RESOURCE}/${what} "${name}": `
          + 'only the connected cluster\'s webhook identity may call it (portcullis clusters webhook-config)', { name, group: GROUP, kind: RESOURCE });
      }
      if (!d.clusters.has(name)) throw routeNotFound(ctx.path);
      if (what === 'tokenreview') return tokenReview(ctx, name);
      if (what === 'subjectaccessreview') return subjectAccessReview(ctx, name);
      throw routeNotFound(ctx.path);
    },
  }];
}
