// Credential scope: which logical clusters / namespaces a scoped access key (or a token minted with one) may touch,
// and the gate (credential-scope) that denies anything outside with a 403 naming the scope — whatever RBAC says.
import type { IncomingMessage } from 'node:http';
import { type RequestContext, restrictionsFrom, type RequestInfo } from '../../apiserver/context.ts';
import type { Gate, GateVerdict } from '../../apiserver/auth/decision-order.ts';
import type { AuthnResult, CredentialRestrictions } from '../../apiserver/auth/types.ts';
import { forbidden } from '../../apiserver/errors.ts';
import { ROOT_CLUSTER } from '../../apiserver/cluster-name.ts';
import { describeScope, isScoped, type Scope } from '../resources/index.ts';

/** The scope a request's credential carries; returned by the authenticators, read by the filter. */
export interface RequestScope { scope: Scope; credential: string }
declare module '../../apiserver/auth/types.ts' {
  interface CredentialRestrictions {
    /** A scoped access key's scope (or that of a token minted with one). */
    readonly scope?: RequestScope;
  }
}
/** The restriction an authenticator returns for a credential with `scope` (none when it is unscoped). */
export const scopeRestriction = (scope: Scope | undefined, credential: string): { scope: RequestScope } | undefined =>
  (isScoped(scope) ? { scope: { scope, credential } } : undefined);
/**
 * Further scopes from the credentials up the chain (a token requested through a scoped key): every one must allow.
 * The chain walk runs as an authentication check, which sees the request but cannot change the (shared, frozen)
 * authentication result, so these are kept per request here.
 */
const inherited = new WeakMap<IncomingMessage, RequestScope[]>();
/** Adds the scope of a credential up the request credential's chain (scopes hold transitively). */
export const addInheritedScope = (req: IncomingMessage, s: RequestScope): void => {
  const list = inherited.get(req);
  if (list) list.push(s); else inherited.set(req, [s]);
};
/** The scope a credential minted after this authentication carries: its own, else the nearest one up its chain. */
export const scopeOf = (result: AuthnResult | undefined, req: IncomingMessage): RequestScope | undefined =>
  result?.restrictions?.scope ?? inherited.get(req)?.[0];
export const requestScope = (ctx: RequestContext): RequestScope | undefined =>
  restrictionsFrom(ctx).scope ?? inherited.get(ctx.req)?.[0];

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

const UNSCOPED: GateVerdict = Object.freeze({ verdict: 'pass', reason: 'the credential is not scoped' });

/**
 * The credential-scope gate: a request outside its credential's scope (or the scope of one up its chain) is denied,
 * whatever RBAC says. `restrictionsOf` resolves a credential id (for explain).
 */
export function credentialScopeGate(projectOf: (c: string) => string | undefined,
  restrictionsOf: (credentialId: string) => CredentialRestrictions | undefined): Gate {
  return {
    check({ restrictions, cluster, info, request }) {
      const own = restrictions.scope;
      const up = request ? inherited.get(request) : undefined;
      if (!own && !up) return UNSCOPED;
      for (const s of own ? [own, ...(up ?? [])] : up!) {
        const why = scopeViolation(s, cluster, info, projectOf);
        if (!why) continue;
        return {
          verdict: 'deny', reason: why, error: forbidden(null, '', why),
          apply: (ctx) => { ctx.annotations['credentials.portcullis.io/scope'] = why; },
        };
      }
      return { verdict: 'allow', reason: `inside the scope of ${(own ?? up![0]).credential}` };
    },
    restrictionsOf,
  };
}
