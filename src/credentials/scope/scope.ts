// Credential scope: which logical clusters / namespaces a scoped access key (or a token minted with one) may touch,
// and the filter (credentialScope slot) that denies anything outside with a 403 naming the scope — whatever RBAC says.
import type { IncomingMessage } from 'node:http';
import { type Filter, clusterFrom, infoFrom, type RequestInfo } from '../../apiserver/context.ts';
import { StatusError } from '../../apiserver/errors.ts';
import { ROOT_CLUSTER } from '../../apiserver/cluster-name.ts';
import { describeScope, isScoped, type Scope } from '../resources/index.ts';

/** The scope a request's credential carries; set by the authenticators, read by the filter. */
export interface RequestScope { scope: Scope; credential: string }
const scopes = new WeakMap<IncomingMessage, RequestScope>();
/** Further scopes from the credentials up the chain (a token requested through a scoped key): every one must allow. */
const inherited = new WeakMap<IncomingMessage, RequestScope[]>();
export const setRequestScope = (req: IncomingMessage, s: RequestScope): void => { scopes.set(req, s); };
/** Adds the scope of a credential up the request credential's chain (scopes hold transitively). */
export const addInheritedScope = (req: IncomingMessage, s: RequestScope): void => {
  const list = inherited.get(req);
  if (list) list.push(s); else inherited.set(req, [s]);
};
/** The scope a credential minted by this request carries: its own, else the nearest one up its chain. */
export const requestScope = (req: IncomingMessage): RequestScope | undefined => scopes.get(req) ?? inherited.get(req)?.[0];

export type ClusterAccess = { kind: 'all' } | { kind: 'namespaces'; namespaces: Set<string> } | { kind: 'none' };

/** What the scope allows in one logical cluster. `projectOf` maps a tenant cluster to its project. */
export function clusterAccess(scope: Scope, cluster: string, projectOf: (c: string) => string | undefined): ClusterAccess {
  if (scope.tenantClusters?.includes(cluster) || scope.hostClusters?.includes(cluster)) return { kind: 'all' };
  const project = cluster === ROOT_CLUSTER ? undefined : projectOf(cluster);
  if (project && scope.projects?.includes(project)) return { kind: 'all' };
  const ns = (scope.namespaces ?? []).filter((n) => n.cluster === cluster).map((n) => n.namespace);
  return ns.length ? { kind: 'namespaces', namespaces: new Set(ns) } : { kind: 'none' };
}

const DISCOVERY = /^\/(api|apis|version|openapi|healthz|livez|readyz)(\/|$)/;
const SELF_REVIEWS = new Set(['authorization.k8s.io/selfsubjectaccessreviews', 'authorization.k8s.io/selfsubjectrulesreviews', 'authentication.k8s.io/selfsubjectreviews']);
/** Non-resource routes in root a scoped credential may call (each checks the scope itself where it matters). */
const ROOT_SELF_SERVICE = ['/platform/v1/tokens', '/platform/v1/whoami', '/platform/v1/logout'];

/** Why the request is outside the scope, or null when it is inside. */
export function scopeViolation(s: RequestScope, cluster: string, info: RequestInfo, projectOf: (c: string) => string | undefined): string | null {
  if (!isScoped(s.scope)) return null;
  const prefix = `${s.credential} is scoped to ${describeScope(s.scope)}`;
  const access = clusterAccess(s.scope, cluster, projectOf);
  if (access.kind === 'all') return null;
  const selfReview = info.isResourceRequest && SELF_REVIEWS.has(`${info.apiGroup}/${info.resource}`);
  if (!info.isResourceRequest && info.verb === 'get' && DISCOVERY.test(info.path)) return null;
  if (selfReview) return null;
  if (cluster === ROOT_CLUSTER && !info.isResourceRequest && ROOT_SELF_SERVICE.some((p) => info.path === p || info.path.startsWith(`${p}/`))) return null;
  if (access.kind === 'none') {
    return cluster === ROOT_CLUSTER
      ? `${prefix}; the management cluster "root" is outside its scope`
      : `${prefix}; cluster "${cluster}" is outside its scope`;
  }
  if (info.isResourceRequest) {
    if (info.namespace && access.namespaces.has(info.namespace)) return null;
    if (info.apiGroup === '' && info.resource === 'namespaces' && info.name && access.namespaces.has(info.name) && ['get', 'watch', 'list'].includes(info.verb)) return null;
    if (info.namespace) return `${prefix}; namespace "${info.namespace}" in cluster "${cluster}" is outside its scope`;
  }
  return `${prefix}; cluster-wide requests in cluster "${cluster}" are outside its scope (only namespace${access.namespaces.size > 1 ? 's' : ''} ${[...access.namespaces].join(', ')})`;
}

export function withCredentialScope(projectOf: (c: string) => string | undefined): Filter {
  const enforce = (ctx: Parameters<Filter>[0], s: RequestScope): void => {
    const why = scopeViolation(s, clusterFrom(ctx), infoFrom(ctx), projectOf);
    if (why) {
      ctx.annotations['credentials.portcullis.io/scope'] = why;
      throw new StatusError(403, 'Forbidden', `forbidden: ${why}`);
    }
  };
  return (ctx, next) => {
    const s = scopes.get(ctx.req);
    if (s) enforce(ctx, s);
    const up = inherited.get(ctx.req);
    if (up) for (const u of up) enforce(ctx, u);
    return next();
  };
}
