// The decision view cache: per cluster (the cluster state is the map), username -> one record holding that
// user's views (one per namespace) for one group list and cluster epoch; long group segments shared per group
// list. A hit is two Map.get on short strings and a group-list comparison; clock (second-chance) eviction
// keeps a byte budget.
import type { UserInfo } from '../../../apiserver/auth/types.ts';
import type { ClusterState } from './bindings.ts';
import { buildView, GroupParts, type View } from './decision-view.ts';
import type { Order } from './subject-roles.ts';

export interface CacheOptions {
  /** Memory budget of the view cache per indexed binding, in bytes (0: no cache). */
  cacheBytesPerBinding?: number;
  /** Budget floor, in bytes. */
  minCacheBytes?: number;
  /** Cluster-scope group segments longer than this are shared by the users with that group list (default 24). */
  shareGroupsAbove?: number;
}

/** Approximate heap bytes (64-bit V8): a record with its map entry; a view array; a Map; shared group segments. */
const RECORD_BYTES = 160;
const MAP_BYTES = 200;
const viewBytes = (v: readonly unknown[]): number => 32 + 8 * v.length;
const groupBytes = (g: GroupParts): number => 160 + 2 * g.key.length + viewBytes(g.parts);

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
    this.g0 = n > 0 ? groups[0]! : '';
    this.g1 = n > 1 ? groups[1]! : '';
    this.g2 = n > 2 ? groups[2]! : '';
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

type Entry = UserRecord | GroupParts;

export class DecisionCache {
  /** Clock ring over every record and shared group list cached (dead ones leave when the hand passes). */
  private ring: Entry[] = [];
  private hand = 0;
  private dead = 0;
  private bytes = 0;
  private views = 0;
  private sweeps = 0;
  private evictions = 0;
  private readonly perBinding: number;
  private readonly floor: number;
  private readonly inlineMax: number;
  /** Reused while building (views are copied out at their exact size). */
  private readonly scratch: unknown[] = [];
  private readonly noShare = (): null => null;

  constructor(o: CacheOptions = {}) {
    this.perBinding = o.cacheBytesPerBinding ?? 64;
    this.floor = o.minCacheBytes ?? 1024 * 1024;
    this.inlineMax = o.shareGroupsAbove ?? 24;
  }

  /** The (cached) view of `user` in namespace `ns` ('' = cluster scope) of `cs`. */
  view(cs: ClusterState, user: UserInfo, ns: string, o: Order, bindings: number): View {
    const rec = cs.get(user.username);
    if (rec !== undefined && rec.epoch === cs.epoch && rec.hasGroups(user.groups)) {
      rec.used = true;
      const v = ns === '' ? rec.top : ns === rec.ns1 ? rec.v1 : rec.byNs === null ? undefined : rec.byNs.get(ns);
      if (v != null) return v;
      return this.fill(rec, ns, user, o, bindings);
    }
    if (this.perBinding <= 0) return buildView(cs, ns === '' ? undefined : cs.namespaces.get(ns), user, o, this.scratch, Infinity, null, this.noShare);
    return this.fill(this.record(cs, user), ns, user, o, bindings);
  }

  /** The user's record, new or emptied (its cluster changed, or its user came with other groups). */
  private record(cs: ClusterState, user: UserInfo): UserRecord {
    let rec = cs.get(user.username);
    if (rec === undefined) {
      cs.set(user.username, (rec = new UserRecord(cs, user.username, user.groups)));
      this.ring.push(rec);
      this.bytes += RECORD_BYTES;
      return rec;
    }
    const { views, bytes } = rec.size();
    this.views -= views;
    this.bytes -= bytes - RECORD_BYTES;
    rec.clearViews();
    rec.epoch = cs.epoch;
    rec.used = true;
    if (!rec.hasGroups(user.groups)) rec.setGroups(user.groups);
    return rec;
  }

  private fill(rec: UserRecord, ns: string, user: UserInfo, o: Order, bindings: number): View {
    const cs = rec.cs;
    const nsScope = ns === '' ? undefined : cs.namespaces.get(ns);
    let v = nsScope === undefined ? rec.top : null;
    if (v === null) {
      v = buildView(cs, nsScope, user, o, this.scratch, this.inlineMax, this.known(cs, user.groups), (start, missing) => this.shared(cs, user.groups, start, missing));
      this.views++;
      this.bytes += viewBytes(v);
      if (nsScope === undefined) rec.top = v;
    }
    if (ns !== '') {
      if (rec.ns1 === null) { rec.ns1 = ns; rec.v1 = v; }
      else {
        if (rec.byNs === null) { rec.byNs = new Map(); this.bytes += MAP_BYTES; }
        rec.byNs.set(ns, v);
      }
    }
    const limit = Math.max(this.floor, bindings * this.perBinding);
    if (this.bytes > limit) this.sweep(limit);
    return v;
  }

  /** The current shared segments of `groups` in `cs`, if any (only clusters that ever shared look). */
  private known(cs: ClusterState, groups: readonly string[]): GroupParts | null {
    const lists = cs.groupLists;
    if (lists === null) return null;
    const gp = lists.get(JSON.stringify(groups));
    if (gp === undefined || gp.epoch !== cs.epoch) return null;
    gp.used = true;
    return gp;
  }

  /** The shared copy of the cluster-scope group segments in `scratch` from `start` (current, or made now). */
  private shared(cs: ClusterState, groups: readonly string[], start: number, missing: boolean): GroupParts {
    const key = JSON.stringify(groups);
    const lists = (cs.groupLists ??= new Map());
    const cur = lists.get(key);
    if (cur !== undefined) {
      if (cur.epoch === cs.epoch) { cur.used = true; return cur; }
      this.evict(cur);
      this.compact();
    }
    const gp = new GroupParts(cs, key, cs.epoch, this.scratch.slice(start), missing);
    lists.set(key, gp);
    this.ring.push(gp);
    this.bytes += groupBytes(gp);
    return gp;
  }

  /** Second chance: evicts entries not used since the hand last passed until a quarter of the budget is free. */
  private sweep(limit: number): void {
    this.sweeps++;
    const ring = this.ring;
    const target = limit * 0.75;
    // Each step clears a mark or removes a slot, so this ends.
    while (this.bytes > target && ring.length > 0) {
      if (this.hand >= ring.length) this.hand = 0;
      const e = ring[this.hand]!;
      if (!e.dead && e.used) { e.used = false; this.hand++; continue; }
      if (!e.dead) { this.evict(e); this.evictions++; }
      this.dead--;
      ring[this.hand] = ring[ring.length - 1]!;
      ring.pop();
    }
  }

  /** Unlinks `e` from its cluster and frees what it holds (its ring slot goes when the hand passes). */
  private evict(e: Entry): void {
    if (e.dead) return;
    const cs = e.cs;
    if (e instanceof UserRecord) {
      const { views, bytes } = e.size();
      this.views -= views;
      this.bytes -= bytes;
      e.clearViews();
      e.epoch = -1;
      if (cs.get(e.username) === e) cs.delete(e.username);
    } else {
      this.bytes -= groupBytes(e);
      e.dead = true;
      e.parts = [];
      if (cs.groupLists?.get(e.key) === e) cs.groupLists.delete(e.key);
    }
    this.dead++;
  }

  /** Dead slots go as the hand passes; without sweeps (under budget), all at once when they are most of the ring. */
  private compact(): void {
    if (this.dead <= 1024 || this.dead * 2 <= this.ring.length) return;
    this.ring = this.ring.filter((x) => !x.dead);
    this.hand = 0;
    this.dead = 0;
  }

  /** Forgets a dropped cluster's entries. */
  dropCluster(cs: ClusterState): void {
    for (const e of [...cs.values(), ...(cs.groupLists?.values() ?? [])]) this.evict(e);
    this.compact();
  }

  clear(): void {
    for (const e of this.ring) this.evict(e);
    this.ring = [];
    this.hand = this.dead = this.bytes = this.views = 0;
  }

  /** Views cached, their approximate bytes, budget sweeps and entries evicted by them so far. */
  stats(): { views: number; bytes: number; resets: number; evictions: number } {
    return { views: this.views, bytes: this.bytes, resets: this.sweeps, evictions: this.evictions };
  }
}
