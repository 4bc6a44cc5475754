// The management-access gate: a platform user (a name with a User object) reaches a tenant cluster only with
// management access; other identities (the tenant's ServiceAccounts, certificate users, system:masters) pass to RBAC.
import type { Gate, GateVerdict } from '../../apiserver/auth/decision-order.ts';
import { forbiddenStatus } from '../../apiserver/errors.ts';
import { SYSTEM_MASTERS, type UserInfo } from '../../apiserver/auth/types.ts';
import type { AccessIndex } from './access-index.ts';
import type { PlatformState } from '../resources/index.ts';

// Constant verdicts: the requests that pass (most of them) allocate nothing here.
const NOT_TENANT: GateVerdict = Object.freeze({ verdict: 'pass', reason: 'not a tenant cluster' });
const MASTER: GateVerdict = Object.freeze({ verdict: 'pass', reason: `member of "${SYSTEM_MASTERS}": not checked` });
const NOT_PLATFORM: GateVerdict = Object.freeze({
  verdict: 'pass', reason: 'not a platform user: passes to the tenant\'s RBAC',
});

/** The door's answer without a request (e.g. before minting a token for `cluster`). */
export async function mayEnter(state: PlatformState, index: AccessIndex, user: UserInfo, cluster: string,
  missing = false): Promise<boolean> {
  const atDoor = (state.tenants.has(cluster) || missing) && state.users.has(user.username)
    && !user.groups.includes(SYSTEM_MASTERS);
  return !atDoor || (await index.reasons(user.username, user.groups, cluster)).length > 0;
}

export function managementAccessGate(state: PlatformState, index: AccessIndex): Gate {
  return {
    // An unknown cluster is refused to a platform user exactly as a tenant cluster they have no access to.
    check({ cluster, user, clusterMissing }) {
      if (!state.tenants.has(cluster) && !clusterMissing) return NOT_TENANT;
      if (user.groups.includes(SYSTEM_MASTERS)) return MASTER;
      if (!state.users.has(user.username)) return NOT_PLATFORM;
      return index.reasons(user.username, user.groups, cluster).then((reasons): GateVerdict => {
        if (reasons.length > 0) {
          const annotate = reasons.join(',');
          return {
            verdict: 'allow', reason: `management access: ${reasons.join(', ')}`, details: { reasons },
            apply: (ctx) => { ctx.annotations['platform.portcullis.io/management-access'] = annotate; },
          };
        }
        const message = `User "${user.username}" has no management access to tenant cluster "${cluster}"`;
        return {
          verdict: 'deny', details: { reasons },
          reason: `${message} (not a global admin, project admin, owner, in an access rule, nor holding "use" on the `
            + 'tenant cluster)',
          error: forbiddenStatus(message,
            { name: cluster, group: 'management.portcullis.io', kind: 'tenantclusters' }),
          apply: (ctx) => { ctx.annotations['platform.portcullis.io/management-access'] = 'denied'; },
        };
      });
    },
  };
}
