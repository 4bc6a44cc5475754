// In-memory indexes of the platform objects (users, teams, projects, tenant clusters, templates), fed by
// the informer; derived views (team members, global admins, project admins) are memoised until users, teams or projects change.
import type { InformerEvent } from '../../apiserver/controllers/informer.ts';
import type { KObject } from '../../apiserver/storage/interface.ts';
import { MISS, type ClusterHandle, type ClusterSlot } from '../../apiserver/cluster-handle.ts';
import type { ProjectRole, TemplateSpec, TenantClusterSpec } from './schemas.ts';
import { HOST_CLUSTER, projectSpec, teamSpec, templateSpec, tenantSpec, userSpec, tenantStatus, type TenantClusterStatus } from './types.ts';

export interface UserRec { name: string; groups: readonly string[]; globalAdmin: boolean; displayName?: string; email?: string; disabled?: boolean }
export interface TeamRec { name: string; members: readonly string[]; groups: readonly string[]; displayName?: string }
export interface ProjectRec { name: string; displayName?: string; members: ReadonlyArray<{ user?: string; team?: string; role: ProjectRole }>; deleting: boolean }
export interface TenantRec {
  name: string;
  /**
   * What the request path derives from this record, per reader (memoSlot): the version of the platform state it
   * was derived at and the part every request reads (`Hot`), inline in the record (no other object to visit), and
   * the rest (`memo…`). Gone with the record when the tenant changes (every event replaces the record).
   */
  accessAt?: number; accessHot?: unknown; delegationAt?: number; delegationHot?: unknown;
  spec: TenantClusterSpec; status?: TenantClusterStatus; deleting: boolean;
  memoAccess?: unknown;
  memoDelegation?: unknown;
}

/** One reader's derived data on TenantRec: valid while the record is and `at` (a version the reader picks) holds. */
export interface MemoSlot<T, H> {
  /** The part read per request, when derived at `at`. */
  hot(r: TenantRec, at: number): H | undefined;
  get(r: TenantRec, at: number): T | undefined;
  set(r: TenantRec, at: number, v: T, hot: H): T;
}

export function memoSlot<T, H>(reader: 'access' | 'delegation'): MemoSlot<T, H> {
  return reader === 'access'
    ? {
      hot: (r, at) => (r.accessAt === at ? r.accessHot as H : undefined),
      get: (r, at) => (r.accessAt === at ? r.memoAccess as T : undefined),
      set: (r, at, v, hot) => { r.memoAccess = v; r.accessHot = hot; r.accessAt = at; return v; },
    }
    : {
      hot: (r, at) => (r.delegationAt === at ? r.delegationHot as H : undefined),
      get: (r, at) => (r.delegationAt === at ? r.memoDelegation as T : undefined),
      set: (r, at, v, hot) => { r.memoDelegation = v; r.delegationHot = hot; r.delegationAt = at; return v; },
    };
}

/** Read-only view the access computations need (implemented by PlatformState; tests may fake it). */
export interface Directory {
  users: ReadonlyMap<string, UserRec>;
  teams: ReadonlyMap<string, TeamRec>;
  projects: ReadonlyMap<string, ProjectRec>;
  templates: ReadonlyMap<string, TemplateSpec>;
  /** Members of a team: its listed members plus users whose IdP groups the team maps. */
  teamMembers(team: string): ReadonlySet<string>;
  /** Users with a project role of admin, teams expanded. */
  projectAdmins(project: string): ReadonlySet<string>;
  globalAdmins(): ReadonlySet<string>;
}

const EMPTY: ReadonlySet<string> = new Set();

export class PlatformState implements Directory {
  readonly users = new Map<string, UserRec>();
  readonly teams = new Map<string, TeamRec>();
  readonly projects = new Map<string, ProjectRec>();
  readonly tenants = new Map<string, TenantRec>();
  readonly templates = new Map<string, TemplateSpec>();
  /** Bumped on every change; memoised views and access caches key on it. */
  generation = 0;
  /** Bumped on changes to users, teams and projects only: team membership and admins depend on nothing else. */
  private membership = 0;
  private memoGen = -1;
  /** host cluster → how many tenant clusters name it (spec.hostCluster, `host` by default). */
  private readonly hostCounts = new Map<string, number>();
  /** Changes whenever users, teams or projects change (memoised views over membership key on it). */
  get membershipVersion(): number { return this.membership; }
  /** Bumped on every template change (what a tenant derives from its record is then recomputed). */
  templatesVersion = 0;
  /** Changes whenever users, teams, projects or templates change (both counters only grow: their sum changes too). */
  get accessVersion(): number { return this.membership + this.templatesVersion; }
  /** The tenant records on the clusters' handles too (the request path reads them without a lookup by name). */
  private slot: ClusterSlot<TenantRec> | undefined;

  /** Mirrors the tenant records into `slot` from now on (the platform module wires the request path's handles). */
  attachHandles(slot: ClusterSlot<TenantRec>): void {
    this.slot = slot;
    for (const [name, rec] of this.tenants) slot.set(name, rec);
  }

  /** The tenant record of `cluster`: from the request's handle when it holds one, else by name. Always the current one. */
  tenant(cluster: string, h: ClusterHandle | undefined): TenantRec | undefined {
    if (this.slot !== undefined) {
      const r = this.slot.read(h, cluster);
      if (r !== MISS) return r;
    }
    return this.tenants.get(cluster);
  }
  private memoTeams = new Map<string, Set<string>>();
  /** user -> teams it is a member of (the inverse of memoTeams). */
  private memoUserTeams = new Map<string, string[]>();
  private memoProjectAdmins = new Map<string, Set<string>>();
  private memoAdmins = new Set<string>();

  apply(kind: 'users' | 'teams' | 'projects' | 'tenantclusters' | 'tenantclustertemplates', ev: Pick<InformerEvent, 'type' | 'name' | 'object'>): void {
    this.generation++;
    if (kind === 'users' || kind === 'teams' || kind === 'projects') this.membership++;
    const del = ev.type === 'DELETED';
    const o: KObject = ev.object;
    switch (kind) {
      case 'users': {
        const s = userSpec(o);
        if (del) this.users.delete(ev.name);
        else this.users.set(ev.name, { name: ev.name, groups: s.groups ?? [], globalAdmin: s.globalAdmin === true, displayName: s.displayName, email: s.email, disabled: s.disabled === true });
        break;
      }
      case 'teams': {
        const s = teamSpec(o);
        if (del) this.teams.delete(ev.name);
        else this.teams.set(ev.name, { name: ev.name, members: s.members ?? [], groups: s.groups ?? [], displayName: s.displayName });
        break;
      }
      case 'projects': {
        const s = projectSpec(o);
        if (del) this.projects.delete(ev.name);
        else this.projects.set(ev.name, { name: ev.name, displayName: s.displayName, members: s.members ?? [], deleting: Boolean(o.metadata.deletionTimestamp) });
        break;
      }
      case 'tenantclusters': {
        const before = this.tenants.get(ev.name);
        if (before) this.countHost(before.spec, -1);
        if (del) { this.tenants.delete(ev.name); this.slot?.set(ev.name, undefined); } else {
          const rec: TenantRec = {
            name: ev.name, accessAt: -1, accessHot: undefined, delegationAt: -1, delegationHot: undefined, // read with it
            spec: tenantSpec(o), status: tenantStatus(o), deleting: Boolean(o.metadata.deletionTimestamp),
            memoAccess: undefined, memoDelegation: undefined,
          };
          this.tenants.set(ev.name, rec);
          this.slot?.set(ev.name, rec);
          this.countHost(rec.spec, 1);
        }
        break;
      }
      case 'tenantclustertemplates':
        this.templatesVersion++;
        if (del) this.templates.delete(ev.name); else this.templates.set(ev.name, templateSpec(o));
        break;
    }
  }

  private countHost(spec: TenantClusterSpec, by: number): void {
    const host = spec.hostCluster ?? HOST_CLUSTER;
    const n = (this.hostCounts.get(host) ?? 0) + by;
    if (n > 0) this.hostCounts.set(host, n); else this.hostCounts.delete(host);
  }

  /** A tenant cluster that `cluster` hosts (its spec.hostCluster, `host` by default), if any. */
  tenantHostedBy(cluster: string): string | undefined {
    if (!this.hostCounts.has(cluster)) return undefined;
    for (const t of this.tenants.values()) if ((t.spec.hostCluster ?? HOST_CLUSTER) === cluster) return t.name;
    return undefined;
  }

  private refresh(): void {
    if (this.memoGen === this.membership) return;
    this.memoGen = this.membership;
    const byGroup = new Map<string, string[]>();
    this.memoAdmins = new Set();
    for (const u of this.users.values()) {
      if (u.globalAdmin) this.memoAdmins.add(u.name);
      for (const g of u.groups) {
        const list = byGroup.get(g);
        if (list) list.push(u.name); else byGroup.set(g, [u.name]);
      }
    }
    this.memoTeams = new Map();
    this.memoUserTeams = new Map();
    for (const t of this.teams.values()) {
      const set = new Set(t.members);
      for (const g of t.groups) for (const u of byGroup.get(g) ?? []) set.add(u);
      this.memoTeams.set(t.name, set);
      for (const u of set) {
        const teams = this.memoUserTeams.get(u);
        if (teams) teams.push(t.name); else this.memoUserTeams.set(u, [t.name]);
      }
    }
    this.memoProjectAdmins = new Map();
  }

  teamMembers(team: string): ReadonlySet<string> {
    this.refresh();
    return this.memoTeams.get(team) ?? EMPTY;
  }

  /** Teams `user` is a member of, in the order teams were stored (a fresh array). */
  teamsOf(user: string): string[] {
    this.refresh();
    return [...(this.memoUserTeams.get(user) ?? [])];
  }

  globalAdmins(): ReadonlySet<string> {
    this.refresh();
    return this.memoAdmins;
  }

  projectAdmins(project: string): ReadonlySet<string> {
    this.refresh();
    let set = this.memoProjectAdmins.get(project);
    if (!set) {
      set = new Set();
      for (const m of this.projects.get(project)?.members ?? []) {
        if (m.role !== 'admin') continue;
        if (m.user) set.add(m.user);
        if (m.team) for (const u of this.teamMembers(m.team)) set.add(u);
      }
      this.memoProjectAdmins.set(project, set);
    }
    return set;
  }

  /** The project role of a user (teams expanded; the strongest wins). */
  projectRole(project: string, user: string): ProjectRole | undefined {
    const rank: Record<ProjectRole, number> = { admin: 3, member: 2, viewer: 1 };
    let best: ProjectRole | undefined;
    for (const m of this.projects.get(project)?.members ?? []) {
      const hit = m.user === user || (m.team !== undefined && this.teamMembers(m.team).has(user));
      if (hit && (!best || rank[m.role] > rank[best])) best = m.role;
    }
    return best;
  }

  tenantsInProject(project: string): string[] {
    const out: string[] = [];
    for (const t of this.tenants.values()) if (t.spec.project === project) out.push(t.name);
    return out;
  }

  tenantsWithTemplate(template: string): string[] {
    const out: string[] = [];
    for (const t of this.tenants.values()) if (t.spec.templateRef?.name === template) out.push(t.name);
    return out;
  }
}
