// The management-access gate: a platform user (a name with a User object) reaches a tenant cluster only with
// management access; other identities (the tenant's ServiceAccounts, certificate users, system:masters) pass to RBAC.
import type { Gate, GateVerdict } from '../../apiserver/auth/decision-order.ts';
import { forbiddenStatus, type StatusError } from '../../apiserver/errors.ts';
import type { RequestContext } from '../../apiserver/context.ts';
import type { AccessReason } from './access.ts';
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
    check({ cluster, user, clusterMissing, handle }) {
      // the tenant's record from the request's handle (no lookup by name); the user's own record, whose name string
      // keys the tenant's access entry (the lookup compares pointers)
      const rec = state.tenant(cluster, handle);
      if (rec === undefined && !clusterMissing) return NOT_TENANT;
      if (user.groups.includes(SYSTEM_MASTERS)) return MASTER;
      // platform objects grant it to this platform user (the entry holds only users that exist): decided
      // synchronously, one shared verdict per distinct reason list, no lookup among all users
      const known = rec === undefined ? undefined : index.platformAccess(user.username, rec);
      if (known !== undefined && known.length > 0) return admitted(known);
      if (!state.users.has(user.username)) return NOT_PLATFORM;
      return index.reasons(user.username, user.groups, cluster, handle)
        .then((reasons): GateVerdict => (reasons.length > 0 ? admitted(reasons) : new Refused(user.username, cluster, reasons)));
    },
  };
}

/** The Admitted verdict of each (shared, frozen) reason list: built once, not per request. */
const verdicts = new Map<readonly AccessReason[], Admitted>();
function admitted(reasons: readonly AccessReason[]): Admitted {
  if (!Object.isFrozen(reasons)) return new Admitted(reasons);
  let v = verdicts.get(reasons);
  if (v === undefined) {
    if (verdicts.size >= 256) verdicts.clear();
    verdicts.set(reasons, (v = new Admitted(reasons)));
  }
  return v;
}

const ANNOTATION = 'platform.portcullis.io/management-access';

// Verdicts as classes: their `apply` is a method, not a closure made per request.
class Admitted implements GateVerdict {
  readonly verdict = 'allow';
  readonly reason: string;
  readonly details: { reasons: readonly AccessReason[] };
  private readonly annotation: string;
  constructor(reasons: readonly AccessReason[]) {
    this.reason = `management access: ${reasons.join(', ')}`;
    this.details = Object.freeze({ reasons });
    this.annotation = reasons.join(',');
  }

  apply(ctx: RequestContext): void { ctx.annotations[ANNOTATION] = this.annotation; }
}

class Refused implements GateVerdict {
  readonly verdict = 'deny';
  readonly reason: string;
  readonly details: { reasons: readonly AccessReason[] };
  private readonly message: string;
  constructor(username: string, private readonly cluster: string, reasons: readonly AccessReason[]) {
    this.message = `User "${username}" has no management access to tenant cluster "${cluster}"`;
    this.reason = `${this.message} (not a global admin, project admin, owner, in an access rule, nor holding "use" on `
      + 'the tenant cluster)';
    this.details = { reasons };
  }

  /** Made when the chain throws it (explain reads the reason only). */
  get error(): StatusError {
    return forbiddenStatus(this.message, { name: this.cluster, group: 'management.portcullis.io', kind: 'tenantclusters' });
  }

  apply(ctx: RequestContext): void { ctx.annotations[ANNOTATION] = 'denied'; }
}
