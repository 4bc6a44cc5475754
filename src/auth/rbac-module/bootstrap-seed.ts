// Kubernetes' built-in RBAC (the bootstrap ClusterRoles, ClusterRoleBindings, Roles and RoleBindings) as one shared
// set (ModuleContext.sharedSets): stored once, seen by every logical cluster (and root) as its own objects, with
// admin / edit / view already carrying the rules the aggregation controller gives them.
import type { KObject } from '../../apiserver/storage/interface.ts';
import type { SharedSet } from '../../apiserver/storage/shared-sets.ts';
import { deepFreeze } from '../../apiserver/storage/cache-index.ts';
import { applyAggregation, loadBootstrapPolicy, RBAC_GROUP, type ClusterRole } from '../authz/rbac/index.ts';
import { reconcileDefault } from './bootstrap-reconcile.ts';

export const BOOTSTRAP_SET = 'bootstrap-rbac';

/** Only name, namespace, labels and annotations of the policy's metadata are stored. */
function strip(o: unknown): KObject {
  const c = structuredClone(o) as KObject;
  c.metadata = { name: c.metadata.name, namespace: c.metadata.namespace, labels: c.metadata.labels, annotations: c.metadata.annotations };
  if (c.metadata.namespace === undefined) delete c.metadata.namespace;
  return c;
}

const relKey = (resource: string, o: KObject): string =>
  `${RBAC_GROUP}/${resource}/${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`;

let cached: SharedSet | undefined;

export function bootstrapRbacSet(): SharedSet {
  if (cached) return cached;
  const policy = loadBootstrapPolicy();
  const objects = new Map<string, KObject>();
  /** As Kubernetes ships them (aggregated roles without rules): what start-up reconciliation compares with. */
  const expected = new Map<string, KObject>();
  const add = (resource: string, items: readonly unknown[]) => {
    for (const item of items) { const o = strip(item); objects.set(relKey(resource, o), deepFreeze(o)); }
  };
  for (const [resource, items] of [['clusterroles', policy.clusterRoles], ['clusterrolebindings', policy.clusterRoleBindings],
    ['roles', policy.roles], ['rolebindings', policy.roleBindings]] as const) {
    for (const item of items) { const o = strip(item); expected.set(relKey(resource, o), deepFreeze(o)); }
  }
  add('clusterroles', applyAggregation(policy.clusterRoles.map((o) => strip(o) as unknown as ClusterRole)));
  add('clusterrolebindings', policy.clusterRoleBindings);
  add('roles', policy.roles);
  add('rolebindings', policy.roleBindings);
  cached = { name: BOOTSTRAP_SET, objects, reconcile: (rel, own) => reconcileDefault(expected.get(rel)!, own) };
  return cached;
}
