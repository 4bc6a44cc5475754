// The clusterAccess filter: a platform user (a name with a User object) reaches a tenant cluster only with
// management access; other identities (the tenant's ServiceAccounts, certificate users, system:masters) pass to RBAC.
// An unknown cluster is refused to a platform user exactly as a tenant cluster they have no access to.
import type { Filter, RequestContext } from '../../apiserver/context.ts';
import { StatusError } from '../../apiserver/errors.ts';
import { SYSTEM_MASTERS, type UserInfo } from '../../apiserver/auth/types.ts';
import type { AccessIndex } from './access-index.ts';
import type { PlatformState } from '../resources/index.ts';

/** Whether the door applies: a platform user (not system:masters) entering a tenant cluster, or one that does
 *  not exist (answered as a tenant cluster without access, so names cannot be probed). */
function atDoor(state: PlatformState, user: UserInfo, cluster: string, missing: boolean): boolean {
  return (state.tenants.has(cluster) || missing) && state.users.has(user.username) && !user.groups.includes(SYSTEM_MASTERS);
}

/** The door's answer without a request (e.g. before minting a token for `cluster`). */
export async function mayEnter(state: PlatformState, index: AccessIndex, user: UserInfo, cluster: string,
  missing = false): Promise<boolean> {
  return !atDoor(state, user, cluster, missing) || (await index.reasons(user.username, user.groups, cluster)).length > 0;
}

export function withClusterAccess(state: PlatformState, index: AccessIndex): Filter {
  return (ctx, next) => {
    const cluster = ctx.cluster;
    const user = ctx.user;
    if (!cluster || !user || !atDoor(state, user, cluster, ctx.clusterMissing === true)) return next();
    return atTheDoor(ctx, next, index, user, cluster);
  };
}

async function atTheDoor(ctx: RequestContext, next: () => Promise<void>, index: AccessIndex, user: UserInfo, cluster: string): Promise<void> {
  const reasons = await index.reasons(user.username, user.groups, cluster);
  if (reasons.length === 0) {
    ctx.annotations['platform.portcullis.io/management-access'] = 'denied';
    throw new StatusError(403, 'Forbidden', `User "${user.username}" has no management access to tenant cluster "${cluster}"`,
      { name: cluster, group: 'management.portcullis.io', kind: 'tenantclusters' });
  }
  ctx.annotations['platform.portcullis.io/management-access'] = reasons.join(',');
  await next();
}
