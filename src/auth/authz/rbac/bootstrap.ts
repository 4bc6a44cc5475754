// The built-in RBAC policy every logical cluster starts with: Kubernetes' golden bootstrap data in
// ./bootstrap-policy (or $PORTCULLIS_K8S_REFERENCE), loaded once, deep-frozen.
import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parse } from 'yaml';
import { RBAC_GROUP, type ClusterRole, type ClusterRoleBinding, type Role, type RoleBinding } from './types.ts';

export interface BootstrapPolicy {
  readonly clusterRoles: readonly ClusterRole[];
  readonly clusterRoleBindings: readonly ClusterRoleBinding[];
  readonly roles: readonly Role[];
  readonly roleBindings: readonly RoleBinding[];
}

function referenceDir(): URL {
  const env = process.env.PORTCULLIS_K8S_REFERENCE;
  if (env) return pathToFileURL(env.endsWith('/') ? env : env + '/');
  return new URL('./bootstrap-policy/', import.meta.url);
}

function readItems<T>(dir: URL, file: string, kind: string): T[] {
  const url = new URL(file, dir);
  const doc = parse(readFileSync(fileURLToPath(url), 'utf8')) as { items?: Array<{ kind?: string }> } | null;
  const items = doc?.items;
  if (!Array.isArray(items)) throw new Error(`${fileURLToPath(url)}: expected a v1 List with items`);
  for (const it of items) if (it.kind !== kind) throw new Error(`${fileURLToPath(url)}: expected only ${kind}, found ${it.kind}`);
  return items as T[];
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object' && !Object.isFrozen(o)) {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}

/** A bootstrap ClusterRoleBinding of `name` (to the ClusterRole of the same name) for one group, as policy.go makes them. */
function groupBinding(name: string, group: string): ClusterRoleBinding {
  return {
    apiVersion: `${RBAC_GROUP}/v1`,
    kind: 'ClusterRoleBinding',
    metadata: {
      annotations: { 'rbac.authorization.kubernetes.io/autoupdate': 'true' },
      creationTimestamp: null,
      labels: { 'kubernetes.io/bootstrapping': 'rbac-defaults' },
      name,
    },
    roleRef: { apiGroup: RBAC_GROUP, kind: 'ClusterRole', name },
    subjects: [{ apiGroup: RBAC_GROUP, kind: 'Group', name: group }],
  };
}

let cached: BootstrapPolicy | undefined;

/** The built-in ClusterRoles, ClusterRoleBindings, Roles and RoleBindings (aggregated roles still carry `rules: null`). */
export function loadBootstrapPolicy(): BootstrapPolicy {
  if (cached) return cached;
  const dir = referenceDir();
  const clusterRoleBindings = readItems<ClusterRoleBinding>(dir, 'cluster-role-bindings.yaml', 'ClusterRoleBinding');
  // The reference copy of cluster-role-bindings.yaml predates these two bindings, which current
  // Kubernetes creates (bootstrappolicy/policy.go ClusterRoleBindings); their ClusterRoles are in the data.
  for (const [name, group] of [['system:monitoring', 'system:monitoring'], ['system:service-account-issuer-discovery', 'system:serviceaccounts']] as const) {
    if (!clusterRoleBindings.some((b) => b.metadata.name === name)) clusterRoleBindings.push(groupBinding(name, group));
  }
  clusterRoleBindings.sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0));
  cached = deepFreeze({
    clusterRoles: readItems<ClusterRole>(dir, 'cluster-roles.yaml', 'ClusterRole'),
    clusterRoleBindings,
    roles: readItems<Role>(dir, 'namespace-roles.yaml', 'Role'),
    roleBindings: readItems<RoleBinding>(dir, 'namespace-role-bindings.yaml', 'RoleBinding'),
  });
  return cached;
}
