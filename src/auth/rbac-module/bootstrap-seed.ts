// Seeds every new logical cluster (and root) with Kubernetes' built-in RBAC: the bootstrap ClusterRoles,
// ClusterRoleBindings, Roles and RoleBindings, registered as a cluster seeder (ModuleContext.clusterSeeds).
import type { ClusterSeeder } from '../../apiserver/controllers/logical-clusters.ts';
import type { KObject } from '../../apiserver/storage/interface.ts';
import { loadBootstrapPolicy, RBAC_GROUP } from '../authz/rbac/index.ts';

/** Only name, namespace, labels and annotations of the policy's metadata are stored. */
function strip(o: unknown): KObject {
  const c = structuredClone(o) as KObject;
  c.metadata = { name: c.metadata.name, namespace: c.metadata.namespace, labels: c.metadata.labels, annotations: c.metadata.annotations };
  return c;
}

export const seedBootstrapRbac: ClusterSeeder = async (_cluster, create) => {
  const policy = loadBootstrapPolicy();
  for (const o of policy.clusterRoles) await create(RBAC_GROUP, 'clusterroles', strip(o));
  for (const o of policy.clusterRoleBindings) await create(RBAC_GROUP, 'clusterrolebindings', strip(o));
  for (const o of policy.roles) await create(RBAC_GROUP, 'roles', strip(o));
  for (const o of policy.roleBindings) await create(RBAC_GROUP, 'rolebindings', strip(o));
};
