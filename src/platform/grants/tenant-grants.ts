// What a change of a tenant's effective spec grants, as data: the ClusterRoles its role mapping newly binds, the
// objects it newly applies inside the tenant, the resources it newly delegates, and the host-tier rules it adds.
import type { KObject } from '../../apiserver/storage/interface.ts';
import { parseObjects, type TenantClusterSpec } from '../resources/index.ts';
import { effectiveDelegation, hostRbacPlan, type PolicyRule } from '../host-rbac/index.ts';
import { bindingName } from '../access/index.ts';

const RBAC = 'rbac.authorization.k8s.io';

/** One grant in a cluster: an RBAC object to pass the escalation check, or a manifest the writer must apply. */
export interface Grant {
  /** The spec field that asks for it (for the refusal message). */
  field: string;
  /** What it is, for people: `binding ClusterRole "edit"`, `ConfigMap "app/cfg"`, ... */
  what: string;
  cluster: string;
  /** True when the grant is inside the tenant itself (nothing to take there before it exists). */
  inTenant: boolean;
  /** An RBAC object (Role/ClusterRole/binding) whose creation must pass RBAC escalation prevention. */
  rbac?: KObject;
  /** A manifest applied as is: the writer must be allowed to create and update it (and, if RBAC, not escalate). */
  manifest?: Record<string, unknown>;
}

const clusterRole = (name: string, rules: PolicyRule[]): KObject =>
  ({ apiVersion: `${RBAC}/v1`, kind: 'ClusterRole', metadata: { name }, rules } as KObject);

/** subject → role pairs of the role mapping: rule subjects, the owner and everyone else on the default. */
function accessPairs(spec: TenantClusterSpec | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (!spec) return out;
  const def = spec.access?.defaultClusterRole ?? 'cluster-admin';
  for (const r of spec.access?.rules ?? []) {
    for (const u of r.users ?? []) out.set(`user:${u}|${r.clusterRole}`, r.clusterRole);
    for (const t of r.teams ?? []) out.set(`team:${t}|${r.clusterRole}`, r.clusterRole);
  }
  out.set(`default|${def}`, def);
  if (spec.owner?.user) out.set(`owner:user:${spec.owner.user}|${def}`, def);
  if (spec.owner?.team) out.set(`owner:team:${spec.owner.team}|${def}`, def);
  return out;
}

const objectKey = (o: Record<string, unknown>): string => {
  const m = o.metadata as { name: string; namespace?: string };
  return `${String(o.apiVersion)}|${String(o.kind)}|${m.namespace ?? ''}|${m.name}`;
};

/** Custom host-tier rules (overwriteRules / extraRules) and the mode that decides their scope. */
function hostCustom(spec: TenantClusterSpec) {
  const cr = spec.rbac?.clusterRole;
  const role = spec.rbac?.role;
  return {
    cluster: [...(cr?.overwriteRules ?? []), ...(cr?.extraRules ?? [])] as PolicyRule[],
    role: [...(role?.overwriteRules ?? []), ...(role?.extraRules ?? [])] as PolicyRule[],
    multi: spec.sync?.toHost?.namespaces?.enabled === true,
  };
}

/** Everything `after` grants that `before` (undefined: a new tenant) did not, for tenant `tenant`. */
export function newGrants(tenant: string, before: TenantClusterSpec | undefined, after: TenantClusterSpec): Grant[] {
  const out: Grant[] = [];
  const had = accessPairs(before);
  const roles = new Set<string>();
  for (const [k, role] of accessPairs(after)) if (!had.has(k)) roles.add(role);
  for (const role of [...roles].sort()) {
    out.push({
      field: 'spec.access', what: `binding ClusterRole "${role}"`, cluster: tenant, inTenant: true,
      rbac: {
        apiVersion: `${RBAC}/v1`, kind: 'ClusterRoleBinding', metadata: { name: bindingName(role) },
        roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: role }, subjects: [],
      } as KObject,
    });
  }
  const old = new Map(parseObjects(before?.objects).objects.map((o) => [objectKey(o), JSON.stringify(o)]));
  for (const o of parseObjects(after.objects).objects) {
    if (old.get(objectKey(o)) === JSON.stringify(o)) continue;
    const m = o.metadata as { name: string; namespace?: string };
    const what = `${String(o.kind)} "${m.namespace ? `${m.namespace}/` : ''}${m.name}"`;
    out.push({ field: 'spec.objects', what, cluster: tenant, inTenant: true, manifest: o });
  }
  const was = before ? effectiveDelegation(before) : { resources: [], nonResourceURLs: [] };
  const now = effectiveDelegation(after);
  for (const r of now.resources) {
    if (was.resources.some((w) => w.group === r.group && w.resource === r.resource)) continue;
    out.push({
      field: 'spec.delegation', what: `delegating ${r.group ? `${r.resource}.${r.group}` : r.resource} to the host`,
      cluster: tenant, inTenant: true,
      rbac: clusterRole('delegation', [{ apiGroups: [r.group], resources: [r.resource], verbs: ['*'] }]),
    });
  }
  for (const u of now.nonResourceURLs) {
    if (was.nonResourceURLs.includes(u)) continue;
    out.push({
      field: 'spec.delegation', what: `delegating ${u} to the host`, cluster: tenant, inTenant: true,
      rbac: clusterRole('delegation', [{ nonResourceURLs: [u], verbs: ['*'] }]),
    });
  }
  const custom = hostCustom(after);
  if (!before || JSON.stringify(hostCustom(before)) !== JSON.stringify(custom)) {
    const plan = hostRbacPlan(tenant, after);
    if (custom.cluster.length) {
      out.push({
        field: 'spec.rbac.clusterRole', what: `ClusterRole "${plan.serviceAccount}"`,
        cluster: plan.hostCluster, inTenant: false,
        rbac: clusterRole(plan.serviceAccount, custom.cluster),
      });
    }
    if (custom.role.length) {
      const role = { name: plan.serviceAccount, namespace: plan.hostNamespace };
      out.push({
        field: 'spec.rbac.role', cluster: plan.hostCluster, inTenant: false,
        what: custom.multi ? `ClusterRole "${role.name}-multi"` : `Role "${role.namespace}/${role.name}"`,
        rbac: custom.multi ? clusterRole(`${role.name}-multi`, custom.role)
          : { apiVersion: `${RBAC}/v1`, kind: 'Role', metadata: role, rules: custom.role } as KObject,
      });
    }
  }
  return out;
}
