// Escalation check of platform writes that reach connected clusters by name: a new project admin gets each of the
// project's connected clusters' default role upstream, and a new team member what the team gets there (project
// admin, owner, access rules). As for a ConnectedCluster's own role mapping, the writer must already hold that role
// upstream (cluster-admin holds every role) or may `bind` clusterroles/<role> in root; system:masters may always.
import type { Admission } from '../apiserver/registry/store.ts';
import type { Attributes } from '../apiserver/auth/types.ts';
import { SYSTEM_MASTERS } from '../apiserver/auth/types.ts';
import { forbidden } from '../apiserver/errors.ts';
import { ROOT_CLUSTER } from '../apiserver/cluster-name.ts';
import { GROUP, projectType, teamType, type Directory, type ProjectSpec, type TeamSpec } from '../platform/index.ts';
import type { ConnectedAccess } from './access.ts';
import { mayConfer } from './grant-admission.ts';
import type { ConnectedClusters } from './registry.ts';
import type { ConnectedClusterSpec } from './types.ts';

type Member = NonNullable<ProjectSpec['members']>[number];
const key = (m: Member) => (m.user !== undefined ? `user:${m.user}` : `team:${m.team}`);
const defaultRole = (s: ConnectedClusterSpec) => s.access?.defaultClusterRole ?? 'cluster-admin';

/** connected cluster → roles newly conferred on someone by this Project or Team write. */
function conferred(clusters: ConnectedClusters, dir: Directory, resource: string, name: string,
  before: Record<string, unknown> | undefined, after: Record<string, unknown>): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  const add = (cc: string, role: string) => { if (!out.has(cc)) out.set(cc, new Set()); out.get(cc)!.add(role); };
  const ccs = [...clusters.records.values()];
  if (resource === projectType.resource) {
    const was = new Set(((before as ProjectSpec | undefined)?.members ?? []).filter((m) => m.role === 'admin').map(key));
    const admins = ((after as ProjectSpec).members ?? []).filter((m) => m.role === 'admin' && !was.has(key(m)));
    if (admins.length) for (const cc of ccs) if (cc.spec.project === name) add(cc.name, defaultRole(cc.spec));
    return out;
  }
  const b = before as TeamSpec | undefined;
  const a = after as TeamSpec;
  const grows = (a.members ?? []).some((u) => !(b?.members ?? []).includes(u))
    || (a.groups ?? []).some((g) => !(b?.groups ?? []).includes(g));
  if (!grows) return out;
  for (const cc of ccs) {
    const adminProject = (dir.projects.get(cc.spec.project)?.members ?? [])
      .some((m) => m.team === name && m.role === 'admin');
    if (adminProject || cc.spec.owner?.team === name) add(cc.name, defaultRole(cc.spec));
    for (const r of cc.spec.access?.rules ?? []) if (r.teams?.includes(name)) add(cc.name, r.clusterRole);
  }
  return out;
}

export function connectedDirectoryGrantAdmission(clusters: ConnectedClusters, access: ConnectedAccess,
  dir: () => Directory | undefined, authorize: (a: Attributes) => Promise<{ decision: string }>): Admission {
  return {
    name: 'ConnectedClusterDirectoryGrants',
    phase: 'validating',
    handles: (op, t) => op !== 'delete' && t.group === GROUP && (t.resource === projectType.resource || t.resource === teamType.resource),
    async admit(op, t, obj, old, ctx) {
      if (t.group !== GROUP || (t.resource !== projectType.resource && t.resource !== teamType.resource)) return;
      if (op === 'delete' || !obj || ctx.subresource || ctx.cluster !== ROOT_CLUSTER) return;
      const user = ctx.user;
      const d = dir();
      if (!user || !d || user.groups.includes(SYSTEM_MASTERS) || clusters.records.size === 0) return;
      const name = obj.metadata.name ?? '';
      const gr = t.resource === projectType.resource ? projectType : teamType;
      const wanted = conferred(clusters, d, t.resource, name, old?.spec as Record<string, unknown> | undefined,
        (obj.spec ?? {}) as Record<string, unknown>);
      for (const [cc, roles] of wanted) {
        const held = (await access.mapping(cc)).get(user.username) ?? [];
        for (const role of roles) {
          if (await mayConfer(user, role, held, authorize)) continue;
          throw forbidden(gr, name, `spec.members: this gives ClusterRole "${role}" in connected cluster "${cc}", which `
            + `requires holding it there through the role mapping (user "${user.username}" holds `
            + `${held.length ? held.join(', ') : 'nothing'}) or bind on clusterroles/${role} in root`);
        }
      }
    },
  };
}
