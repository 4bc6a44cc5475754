// One logical cluster's RBAC state and the decision cache's entries kept in it (a user's record, a group list's
// shared segments): they point at each other, so they live in one file (no import cycle).
import { Scope } from './bindings.ts';
import { InternTable } from '../../../apiserver/intern.ts';

/**
 * One logical cluster. It is itself the decision cache's map username -> UserRecord (decision-cache.ts): a
 * cache hit then reads the cluster's epoch and finds the user's record in one object, not two.
 */
export class ClusterState extends Map<string, UserRecord> {
  readonly top = new Scope('');
  readonly namespaces = new Map<string, Scope>();
  /** Bumped on every change (cached decision views of the cluster are then stale); -1 once the cluster is dropped. */
  epoch = 0;
  /** Bumped when a Role or ClusterRole changes (subject buckets' role lists are then stale). */
  roleEpoch = 0;
  /** Clock mark of the lazy index (residency.ts): used since the last sweep. */
  used = true;
  /** Decision cache (decision-cache.ts): group list -> shared cluster-scope segments. */
  groupLists: Map<string, GroupParts> | null = null;

  scope(ns: string, create: boolean): Scope | undefined {
    if (ns === '') return this.top;
    let s = this.namespaces.get(ns);
    if (!s && create) this.namespaces.set(ns, (s = new Scope(ns)));
    return s;
  }

  prune(ns: string): void {
    if (ns !== '' && this.namespaces.get(ns)?.empty) this.namespaces.delete(ns);
  }

  *scopes(): Generator<Scope> {
    yield this.top;
    yield* this.namespaces.values();
  }
}

/**
 * [missing, segment...]: `missing` = some applying binding's role does not resolve (a denial then reports
 * the errors); a segment is a probe segment (subject-roles.ts) or a shared array of segments. A binding
 * slot is replaced by its allow result on first use (in shared arrays only when it names the same subject
 * for every user).
 */
export type View = unknown[];

/** Long cluster-scope segments of one group list in one cluster, shared by the views of its users. */
export class GroupParts {
  /** Clock state (decision-cache.ts): referenced since the hand last passed; evicted or cluster dropped. */
  used = true;
  dead = false;
  constructor(
    readonly cs: ClusterState,
    readonly key: string,
    /** Built at this cluster epoch (stale once it changes). */
    readonly epoch: number,
    /** Emptied once evicted (views built with it keep their reference). */
    public parts: readonly unknown[],
    readonly missing: boolean,
  ) {}
}

/**
 * One string object per distinct name kept in records (usernames, group and namespace names): a hit compares the
 * request's name with a string that every cluster's records share (likely in the CPU caches), not with one of this
 * cluster's own. Interned when a record is written, never per decision. Bounded: forgetting only unshares.
 */
const names = new InternTable<string>(65_536);
export function intern(s: string): string { return names.intern(s, s); }

/** Approximate heap bytes (64-bit V8): a record with its map entry; a view array; a Map; shared group segments. */
export const RECORD_BYTES = 160;
export const MAP_BYTES = 200;
export const viewBytes = (v: readonly unknown[]): number => 32 + 8 * v.length;

/** One user's views in one cluster, valid for one group list at one cluster epoch. */
export class UserRecord {
  /** Clock mark: referenced since the hand last passed. */
  used = true;
  /** Cluster scope (also every namespace without bindings or roles); one namespace inline; the others. */
  top: View | null = null;
  ns1: string | null = null;
  v1: View | null = null;
  byNs: Map<string, View> | null = null;
  /** The cluster epoch the views were built at; -1 once evicted. */
  epoch: number;
  /** The group list, inline (one object fewer to visit on a hit): its length, the first three, the rest. */
  ng = 0;
  g0 = '';
  g1 = '';
  g2 = '';
  more: readonly string[] | null = null;
  constructor(readonly cs: ClusterState, readonly username: string, groups: readonly string[]) {
    this.epoch = cs.epoch;
    this.setGroups(groups);
  }

  setGroups(groups: readonly string[]): void {
    const n = (this.ng = groups.length);
    this.g0 = n > 0 ? intern(groups[0]!) : '';
    this.g1 = n > 1 ? intern(groups[1]!) : '';
    this.g2 = n > 2 ? intern(groups[2]!) : '';
    this.more = n > 3 ? Object.freeze(groups.slice(3)) : null;
  }

  /** Whether `groups` is the record's group list (same names, same order). */
  hasGroups(groups: readonly string[]): boolean {
    const n = groups.length;
    if (n !== this.ng) return false;
    if (n === 0) return true;
    if (groups[0] !== this.g0) return false;
    if (n === 1) return true;
    if (groups[1] !== this.g1) return false;
    if (n === 2) return true;
    if (groups[2] !== this.g2) return false;
    const more = this.more;
    for (let i = 3; i < n; i++) if (groups[i] !== more![i - 3]) return false;
    return true;
  }

  get dead(): boolean { return this.epoch === -1; }

  /** Distinct views held, and their approximate bytes with the record's own. */
  size(): { views: number; bytes: number } {
    let views = 0, bytes = RECORD_BYTES;
    const add = (v: View | null): void => { if (v !== null && v !== this.top) { views++; bytes += viewBytes(v); } };
    if (this.top !== null) { views++; bytes += viewBytes(this.top); }
    add(this.v1);
    if (this.byNs !== null) { bytes += MAP_BYTES; for (const v of this.byNs.values()) add(v); }
    return { views, bytes };
  }

  clearViews(): void {
    this.top = this.v1 = this.byNs = null;
    this.ns1 = null;
  }
}
