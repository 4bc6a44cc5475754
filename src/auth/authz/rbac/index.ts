// The indexed RBAC authorizer for many logical clusters: per cluster, subject (user / group / ServiceAccount
// username) -> bindings (split by namespace) -> shared compiled roles, kept current from watch events; each
// decision probes the cached view of the request's identity (decision-cache.ts) with its permission ids.
import type { Attributes, Authorizer, AuthorizerResult, UserInfo } from '../../../apiserver/auth/types.ts';
import { MISS, type ClusterSlot } from '../../../apiserver/cluster-handle.ts';
import { bucketAdd, bucketItems, bucketRemove, IndexedBinding, kindConst, type Scope, type Slot } from './bindings.ts';
import { ClusterState } from './cluster-state.ts';
import { CompiledRole, RoleCache } from './compiled-role.ts';
import { DecisionCache, type CacheOptions } from './decision-cache.ts';
import { decide, viewMissing } from './decision-view.ts';
import { deniedReason, roleRefError } from './describe.ts';
import { Query } from './perm-ids.ts';
import { order, type Order, type OrderOptions } from './subject-roles.ts';
import type { PolicyRule, PolicySnapshot, RbacKind, RbacObject, RoleBinding, Role, RulesForResult, WatchEventType } from './types.ts';

const NO_OPINION: AuthorizerResult = Object.freeze({ decision: 'noopinion', reason: '' });

export class RbacIndex implements Authorizer {
  private readonly clusters = new Map<string, ClusterState>();
  private readonly cache: RoleCache;
  private readonly views: DecisionCache;
  private readonly order: Order;
  /** The request being decided (one reused object: decisions are synchronous). */
  private readonly q = new Query();
  /** Bindings indexed over all clusters (the view cache's budget grows with them). */
  private bindingCount = 0;
  /** The held clusters' states on the clusters' handles too (a request's handle finds its state without a lookup). */
  private slot: ClusterSlot<ClusterState> | undefined;

  /**
   * `byRule` (tests): roles match rule by rule instead of by permission ids; the order options choose which
   * binding a reason names (subject-roles.ts); the cache options bound the decision views (decision-cache.ts).
   */
  constructor(opts: { byRule?: boolean } & OrderOptions & CacheOptions = {}) {
    this.cache = new RoleCache(opts.byRule);
    this.views = new DecisionCache(opts);
    this.order = order(opts);
  }

  /** Mirrors the held clusters into `slot` from now on (cluster-handle.ts). */
  attachHandles(slot: ClusterSlot<ClusterState>): void {
    this.slot = slot;
    for (const [name, cs] of this.clusters) slot.set(name, cs);
  }

  private hold(cluster: string, cs: ClusterState): ClusterState {
    this.clusters.set(cluster, cs);
    this.slot?.set(cluster, cs);
    return cs;
  }

  /** The state of the request's cluster when held: from its handle when it has one, else by name. */
  private held(a: Attributes): ClusterState | undefined {
    const slot = this.slot;
    if (slot !== undefined) {
      const cs = slot.read(a.handle, a.cluster);
      if (cs !== MISS) return cs;
    }
    return this.clusters.get(a.cluster);
  }

  /** Applies one watch event (ADDED / MODIFIED upsert; DELETED removes by name and namespace). */
  apply(cluster: string, kind: RbacKind, type: WatchEventType, obj: RbacObject): void {
    let cs = this.clusters.get(cluster);
    if (!cs) {
      if (type === 'DELETED') return;
      cs = this.hold(cluster, new ClusterState());
    }
    const ns = kind === 'Role' || kind === 'RoleBinding' ? (obj.metadata.namespace ?? '') : '';
    if (kind === 'Role' || kind === 'ClusterRole') this.applyRole(cs, ns, type, obj as Role);
    else this.applyBinding(cs, ns, type, obj as RoleBinding);
  }

  /** Loads a whole snapshot into `cluster` (on top of what is there). */
  load(cluster: string, s: PolicySnapshot): void {
    for (const o of s.clusterRoles) this.apply(cluster, 'ClusterRole', 'ADDED', o);
    for (const o of s.roles) this.apply(cluster, 'Role', 'ADDED', o);
    for (const o of s.clusterRoleBindings) this.apply(cluster, 'ClusterRoleBinding', 'ADDED', o);
    for (const o of s.roleBindings) this.apply(cluster, 'RoleBinding', 'ADDED', o);
  }

  dropCluster(cluster: string): void {
    const cs = this.clusters.get(cluster);
    if (!cs) return;
    for (const scope of cs.scopes()) {
      for (const v of scope.roleSlots?.values() ?? []) {
        const role = v instanceof CompiledRole ? v : v.role;
        if (role !== null) this.cache.release(role);
      }
    }
    for (const scope of cs.scopes()) this.bindingCount -= scope.bindings.size;
    this.views.dropCluster(cs);
    cs.epoch = -1;
    this.clusters.delete(cluster);
    this.slot?.set(cluster, undefined);
  }

  hasCluster(cluster: string): boolean { return this.clusters.has(cluster); }

  /** Holds `cluster` (empty until events or a snapshot fill it). */
  ensureCluster(cluster: string): void {
    if (!this.clusters.has(cluster)) this.hold(cluster, new ClusterState());
  }

  /**
   * Whether a user or group name is a subject of some binding at cluster scope in `cluster` (undefined when the
   * cluster is not held). A cluster-scoped decision for two identities whose bound names are the same is the same.
   */
  boundAtClusterScope(cluster: string): ((kind: 'user' | 'group', name: string) => boolean) | undefined {
    const top = this.clusters.get(cluster)?.top;
    if (!top) return undefined;
    return (kind, name) => (kind === 'user' ? top.users.get(name) !== undefined : top.groups?.get(name) !== undefined);
  }

  /** rulesFor over `snapshot` alone, in an index of its own (this one is left as it is). */
  rulesInSnapshot(snapshot: PolicySnapshot, user: UserInfo, namespace: string): RulesForResult {
    const once = new RbacIndex();
    once.load('', snapshot);
    return once.rulesFor('', user, namespace);
  }

  /** How many clusters the index holds. */
  get clusterCount(): number { return this.clusters.size; }

  /**
   * Drops every cluster not used (decided in, or its rules read) since the previous sweep, except those `keep`
   * names; marks the others unused. A clock over the clusters: call it periodically. Returns the dropped names.
   */
  sweep(keep: (cluster: string) => boolean): string[] {
    const out: string[] = [];
    for (const [name, cs] of this.clusters) {
      if (cs.used || keep(name)) { cs.used = false; continue; }
      this.dropCluster(name);
      out.push(name);
    }
    return out;
  }

  /**
   * Drops least recently used clusters (second chance, in order of loading) until at most `capacity` remain,
   * never one `keep` names. Returns the dropped names.
   */
  shrinkTo(capacity: number, keep: (cluster: string) => boolean): string[] {
    const out: string[] = [];
    let kept = 0;
    for (const [name, cs] of this.clusters) {
      if (this.clusters.size <= capacity || kept >= this.clusters.size) break;
      if (keep(name)) { kept++; continue; }
      if (cs.used) { cs.used = false; this.clusters.delete(name); this.clusters.set(name, cs); continue; }
      this.dropCluster(name);
      out.push(name);
    }
    return out;
  }

  /** Drops everything built lazily (decision views, subjects' role lists, allow reasons); rebuilt on use. */
  clearCaches(): void {
    this.views.clear();
    for (const cs of this.clusters.values()) {
      for (const scope of cs.scopes()) {
        for (const b of scope.bindings.values()) b.allowed = null;
        for (const m of [scope.users, scope.groups]) {
          for (const bucket of m?.values() ?? []) if (!(bucket instanceof IndexedBinding)) { bucket.epoch = -1; bucket.roles = []; bucket.firsts = []; }
        }
      }
    }
  }

  /** Size of the decision view cache (memory diagnostics). */
  viewStats(): ReturnType<DecisionCache['stats']> { return this.views.stats(); }

  stats(): { clusters: number; bindings: number; compiledRoles: number } {
    let bindings = 0;
    for (const cs of this.clusters.values()) {
      bindings += cs.top.bindings.size;
      for (const s of cs.namespaces.values()) bindings += s.bindings.size;
    }
    return { clusters: this.clusters.size, bindings, compiledRoles: this.cache.size };
  }

  private applyRole(cs: ClusterState, ns: string, type: WatchEventType, obj: Role): void {
    const scope = cs.scope(ns, type !== 'DELETED');
    if (!scope) return;
    cs.epoch++;
    cs.roleEpoch++;
    const name = obj.metadata.name;
    const cur = scope.roleSlots?.get(name);
    const old = cur === undefined ? null : cur instanceof CompiledRole ? cur : cur.role;
    if (type === 'DELETED') {
      if (old === null) return;
      this.cache.release(old);
      if (cur instanceof CompiledRole || cur!.refs === 0) scope.roleSlots!.delete(name);
      else cur!.role = null;
      cs.prune(ns);
      return;
    }
    const next = this.cache.acquire(obj.rules);
    if (old !== null) this.cache.release(old);
    // A role no binding references is kept bare (most built-in roles of most clusters): no slot object.
    if (cur === undefined || cur instanceof CompiledRole) scope.slotMap().set(name, next);
    else cur.role = next;
  }

  private applyBinding(cs: ClusterState, ns: string, type: WatchEventType, obj: RoleBinding): void {
    const scope = cs.scope(ns, type !== 'DELETED');
    if (!scope) return;
    cs.epoch++;
    const old = scope.bindings.get(obj.metadata.name);
    if (old) this.unindex(cs, scope, old);
    if (type !== 'DELETED') this.index(cs, scope, obj);
    cs.prune(ns);
  }

  private index(cs: ClusterState, scope: Scope, obj: RoleBinding): void {
    const ns = scope.name;
    const ref = obj.roleRef;
    let slotScope: Scope | undefined;
    if (ref.kind === 'ClusterRole') slotScope = cs.top;
    else if (ref.kind === 'Role' && ns !== '') slotScope = scope;
    const cur = slotScope?.roleSlots?.get(ref.name);
    let slot: Slot;
    if (cur === undefined || cur instanceof CompiledRole) {
      slot = { role: cur ?? null, refs: 0, kind: ref.kind, name: ref.name };
      slotScope?.slotMap().set(ref.name, slot);
    } else slot = cur;
    slot.refs++;
    const triples: string[] = [];
    for (const s of obj.subjects ?? []) triples.push(kindConst(s.kind), s.name, s.namespace ?? '');
    const b = triples.length === 3 && triples[2] === ''
      ? new IndexedBinding(obj.metadata.name, ns, slot, triples[0]!, triples[1]!, null)
      : new IndexedBinding(obj.metadata.name, ns, slot, '', '', triples.length > 0 ? triples : null);
    scope.bindings.set(b.name, b);
    this.bindingCount++;
    this.forEachKey(b, (users, key) => bucketAdd(users ? scope.users : scope.groupMap(), key, b));
  }

  private unindex(cs: ClusterState, scope: Scope, b: IndexedBinding): void {
    scope.bindings.delete(b.name);
    this.bindingCount--;
    this.forEachKey(b, (users, key) => bucketRemove(users ? scope.users : scope.groupMap(), key, b));
    const slot = b.slot;
    if (--slot.refs > 0) return;
    const slotScope = slot.kind === 'ClusterRole' ? cs.top : scope;
    if (slotScope.roleSlots?.get(slot.name) !== slot) return;
    if (slot.role === null) slotScope.roleSlots.delete(slot.name);
    else slotScope.roleSlots.set(slot.name, slot.role);
  }

  /** Distinct subject keys of a binding: users (User names and ServiceAccount usernames) and groups. */
  private forEachKey(b: IndexedBinding, fn: (users: boolean, key: string) => void): void {
    const users = new Set<string>();
    const groups = new Set<string>();
    const t = b.subjects;
    for (let i = 0; i < t.length; i += 3) {
      const kind = t[i]!, name = t[i + 1]!, sns = t[i + 2]!;
      if (kind === 'User') users.add(name);
      else if (kind === 'Group') groups.add(name);
      else if (kind === 'ServiceAccount') {
        const ns = sns || b.ns;
        if (ns !== '') users.add(`system:serviceaccount:${ns}:${name}`);
      }
    }
    for (const k of users) fn(true, k);
    for (const k of groups) fn(false, k);
  }

  authorize(a: Attributes): AuthorizerResult {
    return this.authorizeHeld(a) ?? NO_OPINION;
  }

  /** The decision when the request's cluster is held; undefined when it is not. */
  authorizeHeld(a: Attributes): AuthorizerResult | undefined {
    const cs = this.held(a);
    if (cs === undefined) return undefined;
    cs.used = true;
    const user = a.user;
    const v = this.views.view(cs, user, a.namespace, this.order, this.bindingCount);
    const q = this.q;
    q.set(a, this.cache.ids);
    const allowed = decide(v, q, user);
    if (allowed !== null) return allowed;
    if (!viewMissing(v)) return NO_OPINION;
    return { decision: 'noopinion', reason: deniedReason(this.candidates(cs.top, user, a.namespace === '' ? undefined : cs.namespaces.get(a.namespace)).errors) };
  }

  /** The distinct bindings that apply to the user: cluster-wide first, then the namespace's; with resolution errors. */
  private candidates(top: Scope, user: UserInfo, nsScope: Scope | undefined): { bindings: IndexedBinding[]; errors: string[] } {
    const seen = new Set<IndexedBinding>();
    const errors: string[] = [];
    for (const scope of nsScope ? [top, nsScope] : [top]) {
      const buckets = [scope.users.get(user.username), ...user.groups.map((g) => scope.groups?.get(g))];
      for (const bucket of buckets) {
        for (const b of bucketItems(bucket)) {
          if (seen.has(b)) continue;
          seen.add(b);
          if (b.slot.role === null) errors.push(roleRefError({ kind: b.roleKind, name: b.roleName }));
        }
      }
    }
    return { bindings: [...seen], errors };
  }

  /** Rules that apply to `user` in `namespace` ('' = cluster scope only), for SelfSubjectRulesReview. */
  rulesFor(cluster: string, user: UserInfo, namespace: string): RulesForResult {
    const cs = this.clusters.get(cluster);
    if (!cs) return { rules: [], incomplete: false, evaluationErrors: [] };
    cs.used = true;
    const nsScope = namespace !== '' ? cs.namespaces.get(namespace) : undefined;
    const { bindings, errors } = this.candidates(cs.top, user, nsScope);
    const rules: PolicyRule[] = [];
    for (const b of bindings) if (b.slot.role) rules.push(...b.slot.role.rules);
    return { rules, incomplete: errors.length > 0, evaluationErrors: [...new Set(errors)] };
  }
}

// The rest of the RBAC package's public surface (other modules import only this file).
export type * from './types.ts';
export { RBAC_GROUP } from './types.ts';
export { aggregate, applyAggregation, selectorMatches } from './aggregation.ts';
export { loadBootstrapPolicy, type BootstrapPolicy } from './bootstrap.ts';
export { checkEscalation, covers, type EscalationDeps } from './escalation.ts';
export { isImpersonationHeader, planImpersonation } from './impersonation.ts';
export { LazyRbac, type LazyOptions, type ResidencyStats } from './residency.ts';
