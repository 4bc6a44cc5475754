// THE request pipeline: the filters in request order, as data, ending in the router.
// Modules fill named slots (src/apiserver/extension.ts); only this file knows the order (of the decision steps:
// auth/decision-order.ts).
import type { Filter, Handler, RequestContext } from './context.ts';
import type { Authorizer } from './auth/types.ts';
import type { FilterSlots, Route } from './extension.ts';
import { withGates, type GateSlots } from './auth/decision-order.ts';
import { withRecovery } from './filters/recovery.ts';
import { withLogicalCluster, type ClusterDirectory } from './filters/logical-cluster.ts';
import { withRequestInfo } from './filters/request-info.ts';
import { withPublicRoutes } from './filters/public-routes.ts';
import { withAuthentication, type RequestAuthenticator } from './filters/authentication.ts';
import { withAuthorization } from './filters/authorization.ts';
import { withClusterExists } from './filters/cluster-exists.ts';

export interface ChainDeps {
  log: (msg: string) => void;
  clusters: ClusterDirectory;
  authn: RequestAuthenticator;
  authz: Authorizer;
  slots: FilterSlots;
  /** The gates (impersonation, management access, credential scope), run in auth/decision-order.ts's order. */
  gates: GateSlots;
  publicRoutes: Route[];
}

export function buildChain(d: ChainDeps): Filter[] {
  const optional = (f: Filter | undefined): Filter[] => (f ? [f] : []);
  return [
    ...optional(d.slots.observe),
    withRecovery(d.log),
    withLogicalCluster(d.clusters),
    withRequestInfo(),
    withPublicRoutes(d.publicRoutes),
    withAuthentication(d.authn, d.slots.authenticationFailed),
    ...optional(d.slots.audit),
    ...optional(withGates(d.gates)),
    ...optional(d.slots.clusterAccess),
    ...optional(d.slots.remote),
    withAuthorization(d.authz),
    withClusterExists(),
    ...optional(d.slots.beforeHandler),
  ];
}

/** Composes filters around the final handler. */
export function compose(filters: Filter[], handler: Handler): Handler {
  return filters.reduceRight<Handler>((next, f) => (ctx: RequestContext) => f(ctx, () => next(ctx)), handler);
}
