// What a change of a User, Team or Project grants: groups a user's credentials will carry (as impersonating them
// would), global admin (cluster-admin in root), team membership (the team's group), and project admins (the default
// ClusterRole in each of the project's tenant clusters).
import type { KObject } from '../../apiserver/storage/interface.ts';
import { ROOT_CLUSTER } from '../../apiserver/cluster-name.ts';
import { effectiveSpec, teamGroup } from '../access/index.ts';
import type { PlatformState, ProjectSpec, TeamSpec, UserSpec } from '../resources/index.ts';

const RBAC = 'rbac.authorization.k8s.io';

/** A directory grant: an identity to impersonate in root, or a ClusterRole to bind in a cluster. */
export interface DirectoryGrant {
  field: string;
  what: string;
  cluster: string;
  /** The requester must be allowed to impersonate this group (in root). */
  group?: string;
  /** The requester must be allowed to impersonate this user (in root). */
  user?: string;
  /** The requester must pass the escalation check for this binding. */
  rbac?: KObject;
}

const binding = (role: string): KObject => ({
  apiVersion: `${RBAC}/v1`, kind: 'ClusterRoleBinding', metadata: { name: `portcullis:${role}` },
  roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: role }, subjects: [],
} as KObject);

const added = (before: readonly string[] | undefined, after: readonly string[] | undefined): string[] =>
  [...new Set(after ?? [])].filter((x) => !(before ?? []).includes(x));

export function userGrants(before: UserSpec | undefined, after: UserSpec, name = ''): DirectoryGrant[] {
  const out: DirectoryGrant[] = added(before?.groups, after.groups)
    .map((g) => ({ field: 'spec.groups', what: `group "${g}"`, cluster: ROOT_CLUSTER, group: g }));
  // Re-linking an existing account to an identity-provider account hands it to whoever logs in as that account.
  if (before && JSON.stringify(before.identity ?? null) !== JSON.stringify(after.identity ?? null)) {
    out.push({ field: 'spec.identity', what: `the account of user "${name}"`, cluster: ROOT_CLUSTER, user: name });
  }
  if (after.globalAdmin === true && before?.globalAdmin !== true) {
    out.push({
      field: 'spec.globalAdmin', what: 'binding ClusterRole "cluster-admin"', cluster: ROOT_CLUSTER,
      rbac: binding('cluster-admin'),
    });
  }
  return out;
}

/**
 * New members get the team's group and, by name, what the team is given inside tenants: project admin of the projects
 * it administers (each tenant's default ClusterRole), ownership (cluster-admin) and access rules naming it.
 */
export function teamGrants(state: Pick<PlatformState, 'tenants' | 'templates' | 'projects'>, name: string,
  before: TeamSpec | undefined, after: TeamSpec): DirectoryGrant[] {
  const more = added(before?.members, after.members).length + added(before?.groups, after.groups).length;
  if (!more) return [];
  const group = teamGroup(name);
  const out: DirectoryGrant[] = [
    { field: 'spec.members', what: `membership of group "${group}"`, cluster: ROOT_CLUSTER, group },
  ];
  const bind = (tenant: string, role: string, why: string) => out.push({
    field: 'spec.members', what: `binding ClusterRole "${role}" (${why})`, cluster: tenant, rbac: binding(role),
  });
  for (const rec of state.tenants.values()) {
    const tpl = rec.spec.templateRef ? state.templates.get(rec.spec.templateRef.name) : undefined;
    const spec = effectiveSpec(rec.spec, tpl);
    const admin = state.projects.get(spec.project)?.members.some((m) => m.team === name && m.role === 'admin');
    if (admin) bind(rec.name, spec.access?.defaultClusterRole ?? 'cluster-admin', `project admin of "${spec.project}"`);
    if (spec.owner?.team === name) bind(rec.name, 'cluster-admin', 'owner');
    for (const r of spec.access?.rules ?? []) if (r.teams?.includes(name)) bind(rec.name, r.clusterRole, 'access rule');
  }
  return out;
}

/** New project admins get each tenant's default ClusterRole (unless a rule names them): that binding is checked. */
export function projectGrants(state: PlatformState, name: string, before: ProjectSpec | undefined,
  after: ProjectSpec): DirectoryGrant[] {
  const admins = (s: ProjectSpec | undefined) => (s?.members ?? []).filter((m) => m.role === 'admin')
    .map((m) => (m.user ? `user:${m.user}` : `team:${m.team}`));
  if (added(admins(before), admins(after)).length === 0) return [];
  const out: DirectoryGrant[] = [];
  for (const tenant of state.tenantsInProject(name)) {
    const rec = state.tenants.get(tenant);
    if (!rec) continue;
    const tpl = rec.spec.templateRef ? state.templates.get(rec.spec.templateRef.name) : undefined;
    const spec = effectiveSpec(rec.spec, tpl);
    const role = spec.access?.defaultClusterRole ?? 'cluster-admin';
    out.push({
      field: 'spec.members', what: `binding ClusterRole "${role}" (project admin)`, cluster: tenant,
      rbac: binding(role),
    });
  }
  return out;
}
