// Host-tier RBAC of a tenant cluster (seed 001 "Host Cluster RBAC"), as pure data: the seed's default rules
// and the objects a tenant's effective spec asks for in its host cluster and host namespace.
import { cloneObject } from '../../apiserver/clone.ts';
import type { KObject } from '../../apiserver/storage/interface.ts';
import { serviceAccountUsername } from '../../apiserver/auth/types.ts';
import { type TenantClusterSpec, HOST_CLUSTER, MANAGED_BY_LABEL, MANAGED_BY_VALUE, TENANT_LABEL } from '../resources/index.ts';

export interface PolicyRule { apiGroups?: string[]; resources?: string[]; resourceNames?: string[]; nonResourceURLs?: string[]; verbs: string[] }

const ALL = ['create', 'delete', 'patch', 'update', 'get', 'list', 'watch'];
const READ = ['get', 'watch', 'list'];

/** The seed's namespace-scoped Role rules. */
export const DEFAULT_ROLE_RULES: readonly PolicyRule[] = Object.freeze([
  { apiGroups: [''], resources: ['configmaps', 'secrets', 'services', 'pods', 'persistentvolumeclaims'], verbs: ALL },
  { apiGroups: [''], resources: ['pods/attach', 'pods/portforward', 'pods/exec', 'pods/log'], verbs: ['get', 'list', 'watch', 'create'] },
  { apiGroups: [''], resources: ['pods/status', 'pods/ephemeralcontainers'], verbs: ['patch', 'update'] },
  { apiGroups: ['', 'events.k8s.io'], resources: ['events'], verbs: ['create', 'get', 'list', 'watch'] },
]);

/** The seed's cluster-wide rules: nodes for the scheduler, storage classes, persistent volumes. */
export const DEFAULT_CLUSTER_RULES: readonly PolicyRule[] = Object.freeze([
  { apiGroups: [''], resources: ['nodes', 'nodes/status'], verbs: READ },
  { apiGroups: ['storage.k8s.io'], resources: ['storageclasses', 'csinodes', 'csidrivers'], verbs: READ },
  { apiGroups: [''], resources: ['persistentvolumes'], verbs: ALL },
]);

/** Multi-namespace mode (sync.toHost.namespaces.enabled): the seed's extra rules of vc-<name>-multi. */
export const MULTI_NAMESPACE_RULES: readonly PolicyRule[] = Object.freeze([
  { apiGroups: [''], resources: ['namespaces', 'serviceaccounts'], verbs: ALL },
]);

/** What delegated authorization needs: the host ServiceAccount sends SubjectAccessReviews to the host. */
export const DELEGATION_RULE: PolicyRule = Object.freeze({ apiGroups: ['authorization.k8s.io'], resources: ['subjectaccessreviews'], verbs: ['create'] }) as PolicyRule;

export interface DelegationConfig { resources: ReadonlyArray<{ group: string; resource: string }>; nonResourceURLs: readonly string[] }

/** The delegation config in effect: an unset `delegation` means `nodes` (seed 001); a set one lists exactly what is delegated. */
export function effectiveDelegation(spec: TenantClusterSpec): DelegationConfig {
  if (!spec.delegation) return { resources: [{ group: '', resource: 'nodes' }], nonResourceURLs: [] };
  return { resources: spec.delegation.resources ?? [], nonResourceURLs: spec.delegation.nonResourceURLs ?? [] };
}

export interface HostRbacPlan {
  tenant: string;
  hostCluster: string;
  hostNamespace: string;
  serviceAccount: string;
  /** system:serviceaccount:<hostNamespace>:vc-<name> */
  serviceAccountUser: string;
  /** Namespace-scoped rules (Role vc-<name>, or the ClusterRole vc-<name>-multi in multi-namespace mode); null when disabled. */
  roleRules: PolicyRule[] | null;
  multiNamespace: boolean;
  /** Rules of the ClusterRole vc-<name>; null when no ClusterRole is created. */
  clusterRoleRules: PolicyRule[] | null;
  /** Why the ClusterRole exists (or not), for explain and status. */
  clusterRoleReason: string;
}

export const hostObjectName = (tenant: string): string => `vc-${tenant}`;
export const multiRoleName = (tenant: string): string => `vc-${tenant}-multi`;

/**
 * The plan for a tenant. The ClusterRole vc-<name> is created when `rbac.clusterRole.enabled` is true, or,
 * unless it is explicitly false, when cluster-wide rules are needed: the tenant delegates authorization
 * (the host ServiceAccount must create SubjectAccessReviews; the default delegates `nodes`, whose reads the
 * seed's node rules cover) or sets `overwriteRules`/`extraRules`. `overwriteRules` replaces the seed's
 * cluster rules and `extraRules` adds to them; the SubjectAccessReview rule is kept while delegating.
 */
export function hostRbacPlan(tenant: string, spec: TenantClusterSpec): HostRbacPlan {
  const hostNamespace = spec.hostNamespace ?? `tc-${tenant}`;
  const sa = hostObjectName(tenant);
  const role = spec.rbac?.role;
  const cr = spec.rbac?.clusterRole;
  const deleg = effectiveDelegation(spec);
  const delegating = deleg.resources.length + deleg.nonResourceURLs.length > 0;
  const customized = cr?.overwriteRules !== undefined || cr?.extraRules !== undefined;
  const crEnabled = cr?.enabled ?? (delegating || customized);
  const clusterRoleReason = cr?.enabled === true ? 'rbac.clusterRole.enabled is true'
    : cr?.enabled === false ? 'rbac.clusterRole.enabled is false'
      : delegating ? 'the tenant delegates authorization to the host'
        : customized ? 'rbac.clusterRole sets rules' : 'no cluster-wide rules are needed';
  return {
    tenant,
    hostCluster: spec.hostCluster ?? HOST_CLUSTER,
    hostNamespace,
    serviceAccount: sa,
    serviceAccountUser: serviceAccountUsername(hostNamespace, sa),
    roleRules: role?.enabled === false ? null : [...clone(role?.overwriteRules ?? DEFAULT_ROLE_RULES), ...clone(role?.extraRules ?? [])],
    multiNamespace: spec.sync?.toHost?.namespaces?.enabled === true,
    clusterRoleRules: crEnabled
      ? [...clone(cr?.overwriteRules ?? DEFAULT_CLUSTER_RULES), ...clone(cr?.extraRules ?? []), ...(delegating ? [clone([DELEGATION_RULE])[0]] : [])]
      : null,
    clusterRoleReason,
  };
}

function clone(rules: readonly PolicyRule[]): PolicyRule[] {
  return rules.map((r) => cloneObject(r));
}

export const RBAC_GROUP = 'rbac.authorization.k8s.io';

/** A desired object in the host cluster: its resource and namespace ('' = cluster-scoped). */
export interface HostObject { group: string; resource: string; namespace: string; object: KObject }

export function hostLabels(tenant: string): Record<string, string> {
  return { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE, [TENANT_LABEL]: tenant };
}

/** Every object the plan asks for, besides the host namespace. */
export function desiredHostObjects(p: HostRbacPlan): HostObject[] {
  const labels = hostLabels(p.tenant);
  const name = hostObjectName(p.tenant);
  const subject = { kind: 'ServiceAccount', name: p.serviceAccount, namespace: p.hostNamespace };
  const meta = (n: string, ns?: string) => ({ name: n, ...(ns ? { namespace: ns } : {}), labels: { ...labels } });
  const out: HostObject[] = [{
    group: '', resource: 'serviceaccounts', namespace: p.hostNamespace,
    object: { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta(name, p.hostNamespace), automountServiceAccountToken: true } as KObject,
  }];
  const rbac = (resource: string, kind: string, n: string, ns: string, body: Record<string, unknown>): HostObject => ({
    group: RBAC_GROUP, resource, namespace: ns, object: { apiVersion: `${RBAC_GROUP}/v1`, kind, metadata: meta(n, ns || undefined), ...body } as KObject,
  });
  if (p.roleRules && !p.multiNamespace) {
    out.push(rbac('roles', 'Role', name, p.hostNamespace, { rules: p.roleRules }));
    out.push(rbac('rolebindings', 'RoleBinding', name, p.hostNamespace, { roleRef: { apiGroup: RBAC_GROUP, kind: 'Role', name }, subjects: [subject] }));
  }
  if (p.roleRules && p.multiNamespace) {
    const multi = multiRoleName(p.tenant);
    out.push(rbac('clusterroles', 'ClusterRole', multi, '', { rules: [...clone(MULTI_NAMESPACE_RULES), ...p.roleRules] }));
    out.push(rbac('clusterrolebindings', 'ClusterRoleBinding', multi, '', { roleRef: { apiGroup: RBAC_GROUP, kind: 'ClusterRole', name: multi }, subjects: [subject] }));
  }
  if (p.clusterRoleRules) {
    out.push(rbac('clusterroles', 'ClusterRole', name, '', { rules: p.clusterRoleRules }));
    out.push(rbac('clusterrolebindings', 'ClusterRoleBinding', name, '', { roleRef: { apiGroup: RBAC_GROUP, kind: 'ClusterRole', name }, subjects: [subject] }));
  }
  return out;
}

/** Every object the platform may have created for a tenant (to remove what the plan no longer asks for). */
export function possibleHostObjects(tenant: string, hostNamespace: string): Array<Omit<HostObject, 'object'> & { name: string }> {
  const name = hostObjectName(tenant);
  const multi = multiRoleName(tenant);
  return [
    { group: '', resource: 'serviceaccounts', namespace: hostNamespace, name },
    { group: RBAC_GROUP, resource: 'roles', namespace: hostNamespace, name },
    { group: RBAC_GROUP, resource: 'rolebindings', namespace: hostNamespace, name },
    { group: RBAC_GROUP, resource: 'clusterroles', namespace: '', name: multi },
    { group: RBAC_GROUP, resource: 'clusterrolebindings', namespace: '', name: multi },
    { group: RBAC_GROUP, resource: 'clusterroles', namespace: '', name },
    { group: RBAC_GROUP, resource: 'clusterrolebindings', namespace: '', name },
  ];
}
