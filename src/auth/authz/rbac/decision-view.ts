// Decision views: what one (cluster, namespace, username, groups) may do, as the probe segments of its
// subjects (subject-roles.ts) in one flat array; a long cluster-scope part of a group list is shared by the
// users with that list. Cached per cluster and user (decision-cache.ts).
import type { AuthorizerResult, UserInfo } from '../../../apiserver/auth/types.ts';
import { IndexedBinding, tripleApplies, type Scope } from './bindings.ts';
import type { ClusterState, GroupParts, View } from './cluster-state.ts';
import { allowedReason, describeBinding, describeSubject } from './describe.ts';
import type { Query } from './perm-ids.ts';
import { appendSegment, byGrant, byRole, type Order } from './subject-roles.ts';
import { InternTable } from '../../../apiserver/intern.ts';

/** Appends the cluster-scope segments of `groups` to `parts`; returns whether a role does not resolve. */
export function appendTopGroups(cs: ClusterState, groups: readonly string[], o: Order, parts: unknown[]): boolean {
  let missing = false;
  const map = cs.top.groups;
  if (map !== null) for (const g of groups) missing = appendSegment(parts, map.get(g), cs.roleEpoch, o) || missing;
  return missing;
}

/**
 * The view of `user` over its own and its groups' bindings, cluster-wide then in `nsScope`, as an
 * exact-size array: the user's cluster-scope group segments are `known` (shared, current), or built here
 * and, when longer than `inlineMax` entries, swapped by `share` for a shared copy (copying short ones into
 * each view saves visiting one more array).
 */
export function buildView(cs: ClusterState, nsScope: Scope | undefined, user: UserInfo, o: Order, scratch: unknown[],
  inlineMax: number, known: GroupParts | null, share: (start: number, missing: boolean) => GroupParts | null): View {
  const parts = scratch;
  parts.length = 1;
  let missing = appendSegment(parts, cs.top.users.get(user.username), cs.roleEpoch, o);
  if (known !== null) {
    parts.push(known.parts);
    missing = known.missing || missing;
  } else {
    const start = parts.length;
    const groupsMissing = appendTopGroups(cs, user.groups, o, parts);
    missing = groupsMissing || missing;
    if (parts.length - start > inlineMax) {
      const gp = share(start, groupsMissing);
      if (gp !== null) { parts.length = start; parts.push(gp.parts); }
    }
  }
  if (nsScope !== undefined) {
    missing = appendSegment(parts, nsScope.users.get(user.username), cs.roleEpoch, o) || missing;
    const groups = nsScope.groups;
    if (groups !== null) for (const g of user.groups) missing = appendSegment(parts, groups.get(g), cs.roleEpoch, o) || missing;
  }
  parts[0] = missing;
  return parts.slice();
}

/** Some applying binding's role does not resolve. */
export const viewMissing = (v: View): boolean => v[0] === true;

/** The allow result of the first role of the view granting `q`, or null. */
export function decide(v: View, q: Query, user: UserInfo): AuthorizerResult | null {
  return probe(v, 1, q, user, false);
}

function probe(parts: unknown[], start: number, q: Query, user: UserInfo, shared: boolean): AuthorizerResult | null {
  for (let i = start; i < parts.length;) {
    const h = parts[i];
    if (typeof h !== 'number') {
      const r = probe(h as unknown[], 0, q, user, true);
      if (r !== null) return r;
      i++;
      continue;
    }
    const n = h < 0 ? -h : h;
    const k = h < 0 ? byGrant(parts, i + 1, n, q) : byRole(parts, i + 1, n, q);
    if (k >= 0) {
      const j = i + 1 + n + k;
      const p = parts[j];
      if (!(p instanceof IndexedBinding)) return p as AuthorizerResult;
      const r = result(p, user);
      if (!shared || p.single) parts[j] = r;
      return r;
    }
    i += 1 + 2 * n;
  }
  return null;
}

/** The frozen allow result naming binding `b` and its first subject that applies to `user`. */
function result(b: IndexedBinding, user: UserInfo): AuthorizerResult {
  const cached = b.allowed;
  if (b.single) return (cached as AuthorizerResult | null) ?? (b.allowed = allowResult(b, 0));
  const t = b.subjects;
  let k = 0;
  while (k < t.length && !tripleApplies(user, t[k]!, t[k + 1]!, t[k + 2]!, b.ns)) k += 3;
  const bySubject = (cached ?? (b.allowed = [])) as Array<AuthorizerResult | undefined>;
  return (bySubject[k / 3] ??= allowResult(b, k));
}

/**
 * Equal allow results are one frozen object across clusters (the same binding, role and subject in many tenants):
 * a decision then reads an object other tenants' decisions keep in the CPU caches. Bounded; forgetting only unshares.
 */
const results = new InternTable<AuthorizerResult>(65_536);

/** `RBAC: allowed by ...` naming the subject at triple offset `k` (as Kubernetes words it). */
function allowResult(b: IndexedBinding, k: number): AuthorizerResult {
  const t = b.subjects;
  const subject = k < t.length ? describeSubject(t[k]!, t[k + 1]!, t[k + 2]!, b.ns) : 'unknown subject';
  const reason = allowedReason(describeBinding(b.name, b.ns, b.roleKind, b.roleName, subject));
  return results.intern(reason, Object.freeze({ decision: 'allow', reason }));
}
