// Who reaches a connected cluster and as whom: management access from the platform (global admins, project admins,
// owner, access rules, `use` on connectedclusters in root), the role mapping materialised upstream, and the
// identity Portcullis impersonates upstream (the user, its groups and teams, never system:masters).
import type { Attributes, UserInfo } from '../apiserver/auth/types.ts';
import { SYSTEM_AUTHENTICATED, SYSTEM_MASTERS } from '../apiserver/auth/types.ts';
import { ROOT_CLUSTER } from '../apiserver/cluster-name.ts';
import type { Filter, RequestContext } from '../apiserver/context.ts';
import { StatusError } from '../apiserver/errors.ts';
import { roleMapping, staticAccess, teamGroup, type Directory, type TenantClusterSpec } from '../platform/index.ts';
import type { ConnectedClusters } from './registry.ts';
import { GROUP, RESOURCE, VERSION, type ConnectedClusterSpec } from './types.ts';

export type RootCheck = (a: Attributes) => Promise<boolean>;

/** The connected cluster's fields that management access and role mapping read (a tenant cluster's subset). */
const asTenant = (s: ConnectedClusterSpec): TenantClusterSpec => s as unknown as TenantClusterSpec;

export class ConnectedAccess {
  constructor(private readonly clusters: ConnectedClusters, private readonly dir: () => Directory | undefined,
    private readonly inRoot: () => RootCheck | undefined) {}

  teamsOf(user: string): string[] {
    const dir = this.dir();
    if (!dir) return [];
    const out: string[] = [];
    for (const t of dir.teams.keys()) if (dir.teamMembers(t).has(user)) out.push(t);
    return out;
  }

  private async canUse(username: string, groups: readonly string[], cluster: string): Promise<boolean> {
    const authz = this.inRoot();
    if (!authz) return false;
    const all = [...new Set([...groups, ...this.teamsOf(username).map(teamGroup), SYSTEM_AUTHENTICATED])];
    return authz({
      user: { username, groups: all }, cluster: ROOT_CLUSTER, verb: 'use', isResourceRequest: true, path: '',
      apiGroup: GROUP, apiVersion: VERSION, resource: RESOURCE, subresource: '', namespace: '', name: cluster,
    });
  }

  /** Why `username` has management access to the connected cluster ([] = none). */
  async reasons(username: string, groups: readonly string[], cluster: string): Promise<string[]> {
    const rec = this.clusters.get(cluster);
    const dir = this.dir();
    if (!rec || !dir || rec.deleting || !dir.users.has(username) || dir.users.get(username)!.disabled) return [];
    const r = staticAccess(dir, asTenant(rec.spec)).get(username);
    if (r) return r;
    return (await this.canUse(username, groups, cluster)) ? ['use-verb'] : [];
  }

  /** user → ClusterRoles upstream, for every platform user with management access. */
  async mapping(cluster: string): Promise<Map<string, string[]>> {
    const rec = this.clusters.get(cluster);
    const dir = this.dir();
    if (!rec || !dir) return new Map();
    const users = new Set(staticAccess(dir, asTenant(rec.spec)).keys());
    for (const u of dir.users.values()) if (!users.has(u.name) && await this.canUse(u.name, u.groups, cluster)) users.add(u.name);
    for (const u of [...users]) if (!dir.users.has(u) || dir.users.get(u)!.disabled) users.delete(u);
    return roleMapping(dir, asTenant(rec.spec), users);
  }

  /** The identity sent upstream: Portcullis' own system groups (system:masters above all) never leave it. */
  upstreamUser(u: UserInfo): UserInfo {
    const groups = u.groups.filter((g) => !g.startsWith('system:'));
    for (const t of this.teamsOf(u.username)) groups.push(teamGroup(t));
    return { username: u.username, ...(u.uid ? { uid: u.uid } : {}), groups: [...new Set(groups)], ...(u.extra ? { extra: u.extra } : {}) };
  }

  /** The clusterAccess filter for connected clusters: only platform users with management access get through. */
  filter(servedLocally: (name: string) => boolean): Filter {
    return (ctx, next) => {
      const cluster = ctx.cluster;
      // the (few) connected clusters first: a tenant's request does not look itself up among every logical cluster
      if (!cluster || !this.clusters.has(cluster) || servedLocally(cluster)) return next();
      return this.atTheDoor(ctx, next, cluster);
    };
  }

  private async atTheDoor(ctx: RequestContext, next: () => Promise<void>, cluster: string): Promise<void> {
    const user = ctx.user!;
    const deny = (why: string): never => {
      ctx.annotations['platform.portcullis.io/management-access'] = 'denied';
      throw new StatusError(403, 'Forbidden', why, { name: cluster, group: GROUP, kind: RESOURCE });
    };
    const reasons = user.groups.includes(SYSTEM_MASTERS) && this.dir()?.users.has(user.username)
      ? ['system:masters'] : await this.reasons(user.username, user.groups, cluster);
    if (!this.dir()?.users.has(user.username)) {
      deny(`User "${user.username}" is not a platform user: only platform users reach connected cluster "${cluster}"`);
    }
    if (reasons.length === 0) deny(`User "${user.username}" has no management access to connected cluster "${cluster}"`);
    ctx.annotations['platform.portcullis.io/management-access'] = reasons.join(',');
    await next();
  }
}
