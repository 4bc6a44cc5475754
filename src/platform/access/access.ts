// Pure access logic of tenant clusters: the effective spec after a template, who has management access
// (seed 002's default list plus access rules), and the role mapping materialised inside the tenant.
import { cloneObject, setOwn } from '../../apiserver/clone.ts';
import type { TemplateSpec, TenantClusterSpec, Directory } from '../resources/index.ts';
import type { KObject } from '../../apiserver/storage/interface.ts';

type Plain = Record<string, unknown>;
const isPlain = (v: unknown): v is Plain => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Fields the template sets override the instance's: objects merge key by key; lists and scalars are replaced. */
function overlay(base: unknown, over: unknown): unknown {
  if (over === undefined) return cloneObject(base);
  if (isPlain(base) && isPlain(over)) {
    const out: Plain = cloneObject(base);
    for (const [k, v] of Object.entries(over)) setOwn(out, k, overlay(Object.hasOwn(base, k) ? base[k] : undefined, v));
    return out;
  }
  return cloneObject(over);
}

export function effectiveSpec(spec: TenantClusterSpec, template?: TemplateSpec): TenantClusterSpec {
  return overlay(spec, template?.template ?? {}) as TenantClusterSpec;
}

/** True when the template sets this top-level path (e.g. ['access', 'rules']): the instance's value is ignored. */
export function templateControls(template: TemplateSpec | undefined, path: string[]): boolean {
  let cur: unknown = template?.template;
  for (const p of path) {
    if (!isPlain(cur) || cur[p] === undefined) return false;
    cur = cur[p];
  }
  return true;
}

export type AccessReason = 'global-admin' | 'project-admin' | 'owner' | 'access-rule' | 'use-verb';

/**
 * Users with management access from the platform objects alone (global admins, project admins, the owner,
 * users and team members named in access rules). The `use`-verb holders come from RBAC in root and are
 * added by the caller.
 */
export function staticAccess(dir: Directory, spec: TenantClusterSpec): Map<string, AccessReason[]> {
  const out = new Map<string, AccessReason[]>();
  const add = (u: string, r: AccessReason) => {
    const cur = out.get(u);
    if (!cur) out.set(u, [r]); else if (!cur.includes(r)) cur.push(r);
  };
  for (const u of dir.globalAdmins()) add(u, 'global-admin');
  for (const u of dir.projectAdmins(spec.project)) add(u, 'project-admin');
  if (spec.owner?.user) add(spec.owner.user, 'owner');
  if (spec.owner?.team) for (const u of dir.teamMembers(spec.owner.team)) add(u, 'owner');
  for (const rule of spec.access?.rules ?? []) {
    for (const u of rule.users ?? []) add(u, 'access-rule');
    for (const t of rule.teams ?? []) for (const u of dir.teamMembers(t)) add(u, 'access-rule');
  }
  return out;
}

/**
 * Seed 002: a user matching at least one rule (directly or through a team) gets the roles of every
 * matching rule and not the default; a user matching none gets access.defaultClusterRole.
 */
export function roleMapping(dir: Directory, spec: TenantClusterSpec, users: Iterable<string>): Map<string, string[]> {
  const rules = spec.access?.rules ?? [];
  const fallback = spec.access?.defaultClusterRole ?? 'cluster-admin';
  const out = new Map<string, string[]>();
  for (const u of users) {
    const roles = new Set<string>();
    for (const r of rules) {
      if (r.users?.includes(u) || r.teams?.some((t) => dir.teamMembers(t).has(u))) roles.add(r.clusterRole);
    }
    out.set(u, roles.size ? [...roles].sort() : [fallback]);
  }
  return out;
}

/** Most users one role-mapping binding names: a role held by more is bound in parts (~70 bytes per subject). */
export const BINDING_SUBJECTS = 5000;

/**
 * Name of the ClusterRoleBinding giving the ClusterRole `role` inside a tenant (and upstream, in front of a real
 * cluster) to the users the role mapping gives it: `portcullis:access:<role>`, and for a role held by more than
 * BINDING_SUBJECTS users, `portcullis:access-part-<n>:<role>` for the n-th part (a prefix no role name can fake).
 */
export function bindingName(role: string, part = 1): string {
  return part === 1 ? `portcullis:access:${role}` : `portcullis:access-part-${part}:${role}`;
}

/**
 * The role mapping (user → ClusterRoles) as the ClusterRoleBindings that materialise it: one per ClusterRole (in parts
 * of BINDING_SUBJECTS), its users as subjects, sorted. One binding per role rather than per user and role keeps a tenant at a handful of
 * objects however many users it maps (26 bindings became 4 for ten access rules: bench/RESULTS.md, issue 17).
 */
export function roleBindings(
  mapping: ReadonlyMap<string, readonly string[]>, labels: Record<string, string>,
): Map<string, KObject> {
  const users = new Map<string, string[]>();
  for (const [user, roles] of mapping) {
    for (const role of roles) {
      const list = users.get(role);
      if (list) list.push(user); else users.set(role, [user]);
    }
  }
  const out = new Map<string, KObject>();
  for (const role of [...users.keys()].sort(byCodeUnits)) {
    const all = users.get(role)!.sort(byCodeUnits);
    for (let i = 0; i < all.length; i += BINDING_SUBJECTS) {
      const name = bindingName(role, i / BINDING_SUBJECTS + 1);
      out.set(name, {
        apiVersion: `${RBAC}/v1`, kind: 'ClusterRoleBinding',
        metadata: { name, labels: { ...labels } },
        roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: role },
        subjects: all.slice(i, i + BINDING_SUBJECTS).map((name) => ({ apiGroup: RBAC, kind: 'User', name })),
      });
    }
  }
  return out;
}

const RBAC = 'rbac.authorization.k8s.io';
const byCodeUnits = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Problems in references that do not stop provisioning but are shown as a condition. */
export function referenceWarnings(dir: Directory, spec: TenantClusterSpec): string[] {
  const warnings: string[] = [];
  const teams = new Set<string>();
  const users = new Set<string>();
  for (const r of spec.access?.rules ?? []) {
    for (const t of r.teams ?? []) teams.add(t);
    for (const u of r.users ?? []) users.add(u);
  }
  if (spec.owner?.team) teams.add(spec.owner.team);
  if (spec.owner?.user) users.add(spec.owner.user);
  for (const t of [...teams].sort()) if (!dir.teams.has(t)) warnings.push(`team "${t}" does not exist`);
  for (const u of [...users].sort()) if (!dir.users.has(u)) warnings.push(`user "${u}" does not exist`);
  return warnings;
}
