// The decision view cache: per cluster (the cluster state is the map), username -> one record holding that
// user's views (one per namespace) for one group list and cluster epoch; long group segments shared per group
// list. A hit is two Map.get on short strings and a group-list comparison; clock (second-chance) eviction
// keeps a byte budget.
import type { UserInfo } from '../../../apiserver/auth/types.ts';
import { GroupParts, MAP_BYTES, RECORD_BYTES, UserRecord, intern, viewBytes, type ClusterState, type View } from './cluster-state.ts';
import { buildView } from './decision-view.ts';
import type { Order } from './subject-roles.ts';

export interface CacheOptions {
  /** Memory budget of the view cache per indexed binding, in bytes (0: no cache). */
  cacheBytesPerBinding?: number;
  /** Budget floor, in bytes. */
  minCacheBytes?: number;
  /** Cluster-scope group segments longer than this are shared by the users with that group list (default 24). */
  shareGroupsAbove?: number;
}

const groupBytes = (g: GroupParts): number => 160 + 2 * g.key.length + viewBytes(g.parts);

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
      const name = intern(user.username);
      cs.set(name, (rec = new UserRecord(cs, name, user.groups)));
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
      if (rec.ns1 === null) { rec.ns1 = intern(ns); rec.v1 = v; }
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
