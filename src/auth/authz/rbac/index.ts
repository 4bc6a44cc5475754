// The indexed RBAC authorizer for many logical clusters: per cluster, subject (user / group / ServiceAccount
// username) -> bindings (split by namespace) -> shared compiled roles. Kept current from watch events.
import type { Attributes, Authorizer, AuthorizerResult, UserInfo } from '../../types.ts';
import { CompiledRole, RoleCache, prepareRequest, type PreparedRequest } from './compiled-role.ts';
import { allowedReason, deniedReason, describeBinding, describeSubject, roleRefError } from './describe.ts';
import type { PolicyRule, PolicySnapshot, RbacKind, RbacObject, RoleBinding, Role, RulesForResult, WatchEventType } from './types.ts';

/** A role name's slot: bindings point at it, so a role appearing later grants without re-adding them. */
interface Slot { role: CompiledRole | null; refs: number; readonly kind: string; readonly name: string }

class IndexedBinding {
  constructor(
    readonly name: string,
    /** '' for a ClusterRoleBinding. */
    readonly ns: string,
    /** An unregistered slot (never filled) when the roleRef cannot resolve: unsupported kind, or a Role from a ClusterRoleBinding. */
    readonly slot: Slot,
    /** The only subject, inline (the common case): kind, name, namespace; or all of them in `more`. */
    private readonly kind0: string,
    private readonly name0: string,
    private readonly ns0: string,
    private readonly more: readonly string[] | null,
  ) {}

  /** Flattened [kind, name, namespace] triples. */
  get subjects(): readonly string[] {
    return this.more ?? (this.kind0 === '' ? [] : [this.kind0, this.name0, this.ns0]);
  }

  get roleKind(): string { return this.slot.kind; }
  get roleName(): string { return this.slot.name; }
}

/** Subject kinds as shared constants (one string per process instead of one per binding). */
const KINDS = new Map(['User', 'Group', 'ServiceAccount'].map((k) => [k, k]));
const kindConst = (k: string): string => KINDS.get(k) ?? k;

type Bucket = IndexedBinding | IndexedBinding[] | Set<IndexedBinding>;
const ARRAY_LIMIT = 16;

function bucketAdd(map: Map<string, Bucket>, key: string, b: IndexedBinding): void {
  const cur = map.get(key);
  if (cur === undefined) map.set(key, b);
  else if (cur instanceof IndexedBinding) map.set(key, [cur, b]);
  else if (Array.isArray(cur)) {
    if (cur.length < ARRAY_LIMIT) cur.push(b);
    else map.set(key, new Set([...cur, b]));
  } else cur.add(b);
}

function bucketRemove(map: Map<string, Bucket>, key: string, b: IndexedBinding): void {
  const cur = map.get(key);
  if (cur === undefined) return;
  if (cur === b) { map.delete(key); return; }
  if (Array.isArray(cur)) {
    const i = cur.indexOf(b);
    if (i >= 0) cur.splice(i, 1);
    if (cur.length === 1) map.set(key, cur[0]!);
  } else if (cur instanceof Set) {
    cur.delete(b);
    if (cur.size <= ARRAY_LIMIT / 2) map.set(key, [...cur]);
  }
}

function* bucketItems(bucket: Bucket | undefined): Generator<IndexedBinding> {
  if (bucket === undefined) return;
  if (bucket instanceof IndexedBinding) yield bucket;
  else yield* bucket;
}

/** The bindings and role slots of one scope: the cluster scope, or one namespace. */
class Scope {
  /** '' for the cluster scope; the namespace otherwise (shared by every binding of the scope). */
  constructor(readonly name: string) {}
  readonly bindings = new Map<string, IndexedBinding>();
  readonly users = new Map<string, Bucket>();
  /** Created on first use (most namespaces bind no group / hold no Role). */
  groups: Map<string, Bucket> | null = null;
  /** ClusterRoles in the cluster scope, Roles in a namespace scope. */
  roleSlots: Map<string, Slot> | null = null;
  get empty(): boolean { return this.bindings.size === 0 && !this.roleSlots?.size; }
  slotMap(): Map<string, Slot> { return (this.roleSlots ??= new Map()); }
  groupMap(): Map<string, Bucket> { return (this.groups ??= new Map()); }
}

class ClusterState {
  readonly top = new Scope('');
  readonly namespaces = new Map<string, Scope>();

  scope(ns: string, create: boolean): Scope | undefined {
    if (ns === '') return this.top;
    let s = this.namespaces.get(ns);
    if (!s && create) this.namespaces.set(ns, (s = new Scope(ns)));
    return s;
  }

  prune(ns: string): void {
    if (ns !== '' && this.namespaces.get(ns)?.empty) this.namespaces.delete(ns);
  }
}

/** rbac.go appliesToUser over a flattened subject triple. */
function tripleApplies(user: UserInfo, kind: string, name: string, sns: string, bindingNs: string): boolean {
  if (kind === 'User') return user.username === name;
  if (kind === 'Group') return user.groups.includes(name);
  if (kind === 'ServiceAccount') {
    const ns = sns || bindingNs;
    return ns !== '' && user.username === `system:serviceaccount:${ns}:${name}`;
  }
  return false;
}

/** Bounded cache of allow reasons of recently matching bindings (bindings are immutable once indexed). */
const REASON_CACHE_SIZE = 4096;

const NO_OPINION: AuthorizerResult = Object.freeze({ decision: 'noopinion', reason: '' });

export class RbacIndex implements Authorizer {
  private readonly clusters = new Map<string, ClusterState>();
  private readonly cache: RoleCache;
  private epoch = 0;
  /** Set during a decision when an applicable binding's role is missing (only then are errors collected). */
  private sawMissing = false;
  private readonly reasons = new Map<IndexedBinding, { subject: number; reason: string }>();

  /** `linearLimit` (tests): roles with at most this many rule combinations are matched rule by rule (-1: never). */
  constructor(opts: { linearLimit?: number } = {}) {
    this.cache = new RoleCache(opts.linearLimit);
  }

  /** Applies one watch event (ADDED / MODIFIED upsert; DELETED removes by name and namespace). */
  apply(cluster: string, kind: RbacKind, type: WatchEventType, obj: RbacObject): void {
    let cs = this.clusters.get(cluster);
    if (!cs) {
      if (type === 'DELETED') return;
      this.clusters.set(cluster, (cs = new ClusterState()));
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
    for (const scope of [cs.top, ...cs.namespaces.values()]) {
      for (const slot of scope.roleSlots?.values() ?? []) if (slot.role) this.cache.release(slot.role);
    }
    this.clusters.delete(cluster);
  }

  hasCluster(cluster: string): boolean { return this.clusters.has(cluster); }

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
    const name = obj.metadata.name;
    let slot = scope.roleSlots?.get(name);
    if (type === 'DELETED') {
      if (!slot?.role) return;
      this.cache.release(slot.role);
      slot.role = null;
      if (slot.refs === 0) scope.roleSlots!.delete(name);
      cs.prune(ns);
      return;
    }
    if (!slot) scope.slotMap().set(name, (slot = { role: null, refs: 0, kind: ns === '' ? 'ClusterRole' : 'Role', name }));
    const next = this.cache.acquire(obj.rules);
    if (slot.role) this.cache.release(slot.role);
    slot.role = next;
  }

  private applyBinding(cs: ClusterState, ns: string, type: WatchEventType, obj: RoleBinding): void {
    const scope = cs.scope(ns, type !== 'DELETED');
    if (!scope) return;
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
    let slot = slotScope?.roleSlots?.get(ref.name);
    if (slotScope && !slot) slotScope.slotMap().set(ref.name, (slot = { role: null, refs: 0, kind: ref.kind, name: ref.name }));
    slot ??= { role: null, refs: 0, kind: ref.kind, name: ref.name };
    slot.refs++;
    const triples: string[] = [];
    for (const s of obj.subjects ?? []) triples.push(kindConst(s.kind), s.name, s.namespace ?? '');
    const b = triples.length === 3
      ? new IndexedBinding(obj.metadata.name, ns, slot, triples[0]!, triples[1]!, triples[2]!, null)
      : new IndexedBinding(obj.metadata.name, ns, slot, '', '', '', triples);
    scope.bindings.set(b.name, b);
    this.forEachKey(b, (users, key) => bucketAdd(users ? scope.users : scope.groupMap(), key, b));
  }

  private unindex(cs: ClusterState, scope: Scope, b: IndexedBinding): void {
    scope.bindings.delete(b.name);
    this.forEachKey(b, (users, key) => bucketRemove(users ? scope.users : scope.groupMap(), key, b));
    if (--b.slot.refs === 0 && b.slot.role === null) {
      const slotScope = b.slot.kind === 'ClusterRole' ? cs.top : scope;
      if (slotScope.roleSlots?.get(b.slot.name) === b.slot) slotScope.roleSlots.delete(b.slot.name);
    }
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
    const cs = this.clusters.get(a.cluster);
    if (!cs) return NO_OPINION;
    const q = prepareRequest(a);
    const epoch = ++this.epoch;
    this.sawMissing = false;
    let hit = this.scanScope(cs.top, a.user, q, epoch);
    const nsScope = a.namespace !== '' ? cs.namespaces.get(a.namespace) : undefined;
    if (!hit && nsScope) hit = this.scanScope(nsScope, a.user, q, epoch);
    if (hit) return { decision: 'allow', reason: this.reason(hit, a.user) };
    if (!this.sawMissing) return NO_OPINION;
    return { decision: 'noopinion', reason: deniedReason(this.candidates(cs.top, a.user, nsScope).errors) };
  }

  private scanScope(scope: Scope, user: UserInfo, q: PreparedRequest, epoch: number): IndexedBinding | null {
    const hit = this.checkBucket(scope.users.get(user.username), q, epoch);
    if (hit) return hit;
    const groups = scope.groups;
    if (groups === null || groups.size === 0) return null;
    for (const g of user.groups) {
      const h = this.checkBucket(groups.get(g), q, epoch);
      if (h) return h;
    }
    return null;
  }

  private checkBucket(bucket: Bucket | undefined, q: PreparedRequest, epoch: number): IndexedBinding | null {
    if (bucket === undefined) return null;
    if (bucket instanceof IndexedBinding) return this.checkBinding(bucket, q, epoch) ? bucket : null;
    for (const b of bucket) if (this.checkBinding(b, q, epoch)) return b;
    return null;
  }

  private checkBinding(b: IndexedBinding, q: PreparedRequest, epoch: number): boolean {
    const role = b.slot.role;
    if (role === null) { this.sawMissing = true; return false; }
    if (role.stamp === epoch) return false;
    role.stamp = epoch;
    return role.allows(q);
  }

  /** `RBAC: allowed by ...` naming the binding's first subject that applies to the user (as Kubernetes does). */
  private reason(b: IndexedBinding, user: UserInfo): string {
    const t = b.subjects;
    let i = 0;
    while (i < t.length && !tripleApplies(user, t[i]!, t[i + 1]!, t[i + 2]!, b.ns)) i += 3;
    const cached = this.reasons.get(b);
    if (cached !== undefined && cached.subject === i) return cached.reason;
    const subject = i < t.length ? describeSubject(t[i]!, t[i + 1]!, t[i + 2]!, b.ns) : 'unknown subject';
    const reason = allowedReason(describeBinding(b.name, b.ns, b.roleKind, b.roleName, subject));
    if (this.reasons.size >= REASON_CACHE_SIZE) this.reasons.clear();
    this.reasons.set(b, { subject: i, reason });
    return reason;
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
    const nsScope = namespace !== '' ? cs.namespaces.get(namespace) : undefined;
    const { bindings, errors } = this.candidates(cs.top, user, nsScope);
    const rules: PolicyRule[] = [];
    for (const b of bindings) if (b.slot.role) rules.push(...b.slot.role.rules);
    return { rules, incomplete: errors.length > 0, evaluationErrors: [...new Set(errors)] };
  }
}
