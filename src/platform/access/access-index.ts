// Management access on the request path: per tenant cluster, the users with access from platform objects
// (memoised on the tenant record), plus the `use` verb on tenantclusters checked with RBAC in root.
import { type Attributes, type UserInfo, SYSTEM_AUTHENTICATED, SYSTEM_MASTERS } from '../../apiserver/auth/types.ts';
import { ROOT_CLUSTER } from '../../apiserver/cluster-name.ts';
import { effectiveSpec, roleMapping, staticAccess, type AccessReason } from './access.ts';
import { type PlatformState, type TenantClusterSpec, type TenantRec, type UserRec, GROUP, memoSlot, VERSION, tenantClusterType } from '../resources/index.ts';
import type { ClusterHandle } from '../../apiserver/cluster-handle.ts';
import { InternTable } from '../../apiserver/intern.ts';

/** Asks RBAC in root whether the attributes are allowed (wired to the rbac authorizer by default). */
export type RootAuthorizer = (a: Attributes) => Promise<boolean>;
/**
 * Whether a user or group name is a subject of some ClusterRoleBinding in root (undefined: unknown). Identities
 * whose bound names are the same get the same cluster-scoped decision, so one is asked for all of them.
 */
export type BoundInRoot = (kind: 'user' | 'group', name: string) => boolean;

/** Teams show up in root RBAC as this group, so a ClusterRoleBinding can grant `use` to a team. */
export const teamGroup = (team: string): string => `portcullis:team:${team}`;

/**
 * A tenant's access from platform objects: valid while its record (every change replaces it), the templates and the
 * users, teams and projects are the ones it was computed from (another tenant's status change does not recompute
 * it). `access` is keyed by the users' own name strings (UserRec.name) and holds shared, frozen reason lists: a
 * lookup with that string compares pointers and reads no per-tenant string or list.
 */
interface Entry { spec: TenantClusterSpec; access: AccessMap; platform: AccessMap }
type AccessMap = Map<string, readonly AccessReason[]>;

/** Equal reason lists are one frozen array (a handful of distinct lists exist). */
const reasonLists = new InternTable<readonly AccessReason[]>(1024);
function sharedReasons(r: AccessReason[]): readonly AccessReason[] {
  return reasonLists.intern(r.join(','), Object.freeze(r));
}
interface Partition { at?: string; shared: Array<{ user: UserRec; users: string[] }>; own: UserRec[] }

/** Entries live on the tenant record (one lookup finds both); they depend on the platform state only. */
const ENTRY = memoSlot<Entry, AccessMap>('access');
const EMPTY: AccessMap = new Map();

export class AccessIndex {
  private memo?: Partition;

  constructor(
    private readonly state: PlatformState,
    private readonly authorizeInRoot: () => RootAuthorizer | undefined,
    private readonly boundInRoot: () => BoundInRoot | undefined = () => undefined,
    /** Changes whenever a binding in root changes (undefined: unknown, nothing is kept between calls). */
    private readonly rootVersion: () => number | undefined = () => undefined,
  ) {}

  /** The tenant's spec with its template applied (from the in-memory state). */
  effective(tenant: string): TenantClusterSpec | undefined {
    return this.entry(tenant)?.spec;
  }

  private entry(tenant: string, h?: ClusterHandle): Entry | undefined {
    const rec = this.state.tenant(tenant, h);
    return rec === undefined ? undefined : this.entryOf(rec);
  }

  /** Valid while the record, the templates and users, teams and projects are the ones it was computed from. */
  private entryOf(rec: TenantRec): Entry {
    const state = this.state;
    const at = state.accessVersion;
    const hit = ENTRY.get(rec, at);
    if (hit !== undefined) return hit;
    const tpl = rec.spec.templateRef ? state.templates.get(rec.spec.templateRef.name) : undefined;
    const spec = effectiveSpec(rec.spec, tpl);
    const access: AccessMap = new Map();
    let others = false;
    for (const [u, r] of staticAccess(state, spec)) {
      const user = state.users.get(u);
      if (user === undefined) others = true;
      access.set(user?.name ?? u, sharedReasons(r));
    }
    // the users among them that are platform users now (this entry is recomputed whenever users change)
    let platform = access;
    if (others) {
      platform = new Map();
      for (const [u, r] of access) if (state.users.has(u)) platform.set(u, r);
    }
    return ENTRY.set(rec, at, { spec, access, platform: platform.size ? platform : EMPTY }, platform.size ? platform : EMPTY);
  }

  /**
   * The platform user's management access to the tenant from platform objects alone, synchronously: its reasons
   * (shared, frozen), or undefined when it is no platform user or only RBAC in root (`use`) can give it (ask
   * `reasons`). The entry holds the users that exist (it is recomputed whenever users change): a hit needs no lookup
   * among all users. Read from the tenant's current record `rec` (one object fewer per request than the entry).
   */
  platformAccess(username: string, rec: TenantRec): readonly AccessReason[] | undefined {
    return (ENTRY.hot(rec, this.state.accessVersion) ?? this.entryOf(rec).platform).get(username);
  }

  teamsOf(user: string): string[] {
    return this.state.teamsOf(user);
  }

  /** Does RBAC in root give this user (its groups and teams) the `use` verb on the tenant cluster? */
  canUse(username: string, groups: readonly string[], tenant: string): Promise<boolean> {
    return this.allowedInRoot(username, groups, 'use', tenant);
  }

  /** Does RBAC in root allow `verb` on tenantclusters/<tenant> for this user (teams count as groups)? */
  async allowedInRoot(username: string, groups: readonly string[], verb: string, tenant: string): Promise<boolean> {
    const authz = this.authorizeInRoot();
    if (!authz) return false;
    const all = [...new Set([...groups, ...this.teamsOf(username).map(teamGroup), SYSTEM_AUTHENTICATED])];
    return authz({
      user: { username, groups: all }, cluster: ROOT_CLUSTER, verb, isResourceRequest: true, path: '',
      apiGroup: GROUP, apiVersion: VERSION, resource: tenantClusterType.resource, subresource: '', namespace: '', name: tenant,
    });
  }

  /** Why `username` has management access to the tenant ([] = none). */
  async reasons(username: string, groups: readonly string[], tenant: string, h?: ClusterHandle): Promise<readonly AccessReason[]> {
    const e = this.entry(tenant, h);
    if (!e) return [];
    const r = e.access.get(username);
    if (r) return r;
    return (await this.canUse(username, groups, tenant)) ? ['use-verb'] : [];
  }

  /**
   * Platform users holding `use` on the tenant through RBAC in root (their IdP groups and teams count). Users no
   * root binding names, with the same bound groups, share one decision: per tenant, one decision per distinct set
   * of bound groups, not one per user.
   */
  async useVerbUsers(tenant: string): Promise<Set<string>> {
    const out = new Set<string>();
    if (!this.authorizeInRoot()) return out;
    const bound = this.boundInRoot();
    if (!bound) {
      for (const u of this.state.users.values()) if (await this.canUse(u.name, u.groups, tenant)) out.add(u.name);
      return out;
    }
    const part = this.partition(bound);
    for (const { user, users } of part.shared) if (await this.canUse(user.name, user.groups, tenant)) for (const n of users) out.add(n);
    for (const u of part.own) if (await this.canUse(u.name, u.groups, tenant)) out.add(u.name);
    return out;
  }

  /**
   * Users grouped by the names root bindings know them by (one decision per group serves all its users), and the
   * users a binding names directly (decided one by one). The grouping depends on users, teams and root bindings
   * only, not on the tenant: it is kept until one of them changes (`rootVersion`; without it, built per call).
   */
  private partition(bound: BoundInRoot): Partition {
    const v = this.rootVersion();
    const at = v === undefined ? undefined : `${this.state.membershipVersion}/${v}`;
    if (at !== undefined && this.memo?.at === at) return this.memo;
    const groups = new Map<string, { user: UserRec; users: string[] }>();
    const own: UserRec[] = [];
    for (const u of this.state.users.values()) {
      if (bound('user', u.name)) { own.push(u); continue; }
      const names = [...u.groups, ...this.state.teamsOf(u.name).map(teamGroup), SYSTEM_AUTHENTICATED].filter((g) => bound('group', g));
      const key = [...new Set(names)].sort().join('\n');
      const g = groups.get(key);
      if (g) g.users.push(u.name); else groups.set(key, { user: u, users: [u.name] });
    }
    this.memo = { at, shared: [...groups.values()], own };
    return this.memo;
  }

  /**
   * May `u` manage the tenant cluster (its permissions, its audit)? Global admins, admins of its project, its owner,
   * and holders of `update` on it in root.
   */
  async mayManage(u: UserInfo, tenant: string): Promise<boolean> {
    if (u.groups.includes(SYSTEM_MASTERS)) return true;
    const reasons = await this.reasons(u.username, u.groups, tenant);
    if (reasons.some((r) => r === 'global-admin' || r === 'project-admin' || r === 'owner')) return true;
    return this.allowedInRoot(u.username, u.groups, 'update', tenant);
  }

  /** The ClusterRoles `username` gets inside the tenant ([] without management access). */
  async rolesOf(username: string, groups: readonly string[], tenant: string): Promise<{ roles: string[]; reasons: readonly AccessReason[] }> {
    const reasons = await this.reasons(username, groups, tenant);
    if (!reasons.length) return { roles: [], reasons };
    return { roles: roleMapping(this.state, this.entry(tenant)!.spec, [username]).get(username)!, reasons };
  }
}
