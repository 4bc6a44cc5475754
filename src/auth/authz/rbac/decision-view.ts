// Decision views: what one (cluster, namespace, username, groups) may do, as the probe segments of its
// subjects (subject-roles.ts) in one flat array, cached in one map under one key per request identity and
// bounded by a memory budget that grows with the bindings indexed; stale once their cluster changes.
import type { AuthorizerResult, UserInfo } from '../../types.ts';
import { IndexedBinding, tripleApplies, type ClusterState, type Scope } from './bindings.ts';
import { allowedReason, describeBinding, describeSubject } from './describe.ts';
import type { Query } from './perm-ids.ts';
import { appendSegment, probeSegments, type Order } from './subject-roles.ts';

export class DecisionView {
  constructor(
    readonly cs: ClusterState,
    readonly epoch: number,
    /** Segments (subject-roles.ts); a binding slot is replaced by its allow result on first use. */
    private readonly parts: unknown[],
    /** Some applying binding's role does not resolve (a denial then reports the errors). */
    readonly missing: boolean,
  ) {}

  get current(): boolean { return this.epoch === this.cs.epoch; }
  get size(): number { return this.parts.length; }

  /** The allow result of the first role granting `q`, or null. */
  decide(q: Query, user: UserInfo): AuthorizerResult | null {
    const parts = this.parts;
    const i = probeSegments(parts, 0, q);
    if (i < 0) return null;
    const p = parts[i];
    if (!(p instanceof IndexedBinding)) return p as AuthorizerResult;
    const r = result(p, user);
    parts[i] = r;
    return r;
  }
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

/** `RBAC: allowed by ...` naming the subject at triple offset `k` (as Kubernetes words it). */
function allowResult(b: IndexedBinding, k: number): AuthorizerResult {
  const t = b.subjects;
  const subject = k < t.length ? describeSubject(t[k]!, t[k + 1]!, t[k + 2]!, b.ns) : 'unknown subject';
  return Object.freeze({ decision: 'allow', reason: allowedReason(describeBinding(b.name, b.ns, b.roleKind, b.roleName, subject)) });
}

/** The view of `user` over its own and its groups' bindings, cluster-wide then in `nsScope`. */
export function buildView(cs: ClusterState, nsScope: Scope | undefined, user: UserInfo, o: Order): DecisionView {
  const parts: unknown[] = [];
  let missing = false;
  for (const s of nsScope === undefined ? [cs.top] : [cs.top, nsScope]) {
    missing = appendSegment(parts, s.users.get(user.username), cs.roleEpoch, o) || missing;
    const groups = s.groups;
    if (groups !== null) for (const g of user.groups) missing = appendSegment(parts, groups.get(g), cs.roleEpoch, o) || missing;
  }
  return new DecisionView(cs, cs.epoch, parts, missing);
}

const SEP = '\u0000';

/** The cache key of a request's identity; null when a part contains the separator (never cached). */
export function viewKey(cluster: string, namespace: string, user: UserInfo): string | null {
  const groups = user.groups;
  let key = cluster + SEP + namespace + SEP + user.username;
  for (let i = 0; i < groups.length; i++) key += SEP + groups[i]!;
  // A name containing the separator could make two identities share a key (namespaces never do).
  if (cluster.includes(SEP) || user.username.includes(SEP)) return null;
  for (let i = 0; i < groups.length; i++) if (groups[i]!.includes(SEP)) return null;
  return key;
}

/** Approximate heap bytes of one cached view: map entry, key string, view object and its array. */
const viewBytes = (key: string, v: DecisionView): number => 64 + key.length + 48 + 16 + 8 * v.size;

export interface CacheOptions {
  /** Memory budget of the view cache per indexed binding, in bytes (0: no cache). */
  cacheBytesPerBinding?: number;
  /** Budget floor, in bytes. */
  minCacheBytes?: number;
}

/** The views of every cluster of one index; emptied whenever the budget would be exceeded. */
export class ViewCache {
  private readonly map = new Map<string, DecisionView>();
  private bytes = 0;
  private resets = 0;
  private readonly perBinding: number;
  private readonly floor: number;

  constructor(o: CacheOptions = {}) {
    this.perBinding = o.cacheBytesPerBinding ?? 64;
    this.floor = o.minCacheBytes ?? 1024 * 1024;
  }

  get(key: string): DecisionView | undefined { return this.map.get(key); }

  /** Keeps `v` under `key` unless caching is off; empties the cache first when over budget for `bindings`. */
  put(key: string, v: DecisionView, bindings: number): void {
    if (this.perBinding <= 0) return;
    const cost = viewBytes(key, v);
    const old = this.map.get(key);
    if (old !== undefined) this.bytes -= viewBytes(key, old);
    if (this.bytes + cost > Math.max(this.floor, bindings * this.perBinding)) this.clear();
    this.map.set(key, v);
    this.bytes += cost;
  }

  clear(): void {
    if (this.map.size > 0) this.resets++;
    this.map.clear();
    this.bytes = 0;
  }

  stats(): { views: number; bytes: number; resets: number } {
    return { views: this.map.size, bytes: this.bytes, resets: this.resets };
  }
}
