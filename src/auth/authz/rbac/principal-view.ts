// Per (namespace, username + groups) effective permissions, built lazily from the cluster-wide and namespace
// bindings of the user and its groups: per subject its distinct roles, merged into a shared table when many.
import type { AuthorizerResult, UserInfo } from '../../types.ts';
import { bucketItems, tripleApplies, type ClusterState, type IndexedBinding, type Scope } from './bindings.ts';
import type { CompiledRole } from './compiled-role.ts';
import { allowedReason, describeBinding, describeSubject } from './describe.ts';
import { PermTable, type Query } from './perm-table.ts';

/**
 * What one username with one list of groups may do in one namespace (or outside any indexed namespace): a
 * short list of parts to probe in turn, each a role, or the merged table of one subject's many roles.
 */
export class PrincipalView {
  /** Position of the granting role inside the merged part the last `probe` returned. */
  private hit = 0;

  constructor(
    /**
     * Everything a decision reads, in one array (fewer cold objects): the groups the view was built for, then
     * per part [a CompiledRole or a merged PermTable, its binding (a merged part: bindings by table position)].
     */
    private readonly slots: unknown[],
    private readonly groupCount: number,
    private readonly epoch: number,
    private readonly scopeEpoch: number,
    /** Some applying binding's role does not resolve (a denial then reports the errors). */
    readonly missing: boolean,
  ) {}

  /** Still exact for a user with these groups (user-subject binding changes delete views; the rest bump epochs). */
  current(cs: ClusterState, scope: Scope, groups: readonly string[]): boolean {
    if (this.epoch !== cs.epoch || this.scopeEpoch !== scope.groupEpoch || this.groupCount !== groups.length) return false;
    const slots = this.slots;
    for (let i = 0; i < groups.length; i++) if (slots[i] !== groups[i]) return false;
    return true;
  }

  /** The slot index of a part granting the request, or -1. */
  probe(q: Query): number {
    const slots = this.slots;
    for (let i = this.groupCount; i < slots.length; i += 2) {
      const part = slots[i];
      if (part instanceof PermTable) {
        const pos = part.probe(q);
        if (pos >= 0) { this.hit = pos; return i; }
      } else if ((part as CompiledRole).allows(q)) {
        return i;
      }
    }
    return -1;
  }

  /** The frozen allow result naming the binding of part `i` (just probed) and its first subject that applies. */
  result(i: number, user: UserInfo): AuthorizerResult {
    const bs = this.slots[i + 1] as IndexedBinding | IndexedBinding[];
    const b = Array.isArray(bs) ? bs[this.hit]! : bs;
    const cached = b.allowed;
    if (b.single) return (cached as AuthorizerResult | null) ?? (b.allowed = allowResult(b, 0));
    const t = b.subjects;
    let k = 0;
    while (k < t.length && !tripleApplies(user, t[k]!, t[k + 1]!, t[k + 2]!, b.ns)) k += 3;
    const bySubject = (cached ?? (b.allowed = [])) as Array<AuthorizerResult | undefined>;
    return (bySubject[k / 3] ??= allowResult(b, k));
  }
}

/** `RBAC: allowed by ...` naming the subject at triple offset `k` (as Kubernetes words it). */
function allowResult(b: IndexedBinding, k: number): AuthorizerResult {
  const t = b.subjects;
  const subject = k < t.length ? describeSubject(t[k]!, t[k + 1]!, t[k + 2]!, b.ns) : 'unknown subject';
  return Object.freeze({ decision: 'allow', reason: allowedReason(describeBinding(b.name, b.ns, b.roleKind, b.roleName, subject)) });
}

export interface ViewLimits {
  /** Merge the roles of a subject into one table (false: always match role by role). */
  tables?: boolean;
  /** Merge a subject's roles only when it has more than this many (fewer: probe each role, widely shared). */
  mergeAbove?: number;
  /** Largest merged table (grants); bigger role sets are matched role by role. */
  maxTableEntries?: number;
  /** Budget for all merged tables and for the number of views; when exceeded every view is dropped. */
  maxTotalEntries?: number;
  maxViews?: number;
}

/** A subject's distinct roles in one scope: a merged table (with its bindings by position), or role, binding pairs. */
export interface SubjectParts {
  epoch: number;
  missing: boolean;
  table: PermTable | null;
  tableBindings: IndexedBinding[] | null;
  singles: Array<CompiledRole | IndexedBinding>;
}

/** Builds, budgets and drops principal views for every cluster of one index. */
export class ViewCache {
  private readonly tables: boolean;
  private readonly mergeAbove: number;
  private readonly maxTableEntries: number;
  private readonly maxTotalEntries: number;
  private readonly maxViews: number;
  /** Merged tables by sorted role ids (null: over maxTableEntries). */
  private readonly merged = new Map<string, PermTable | null>();
  private readonly holders = new Set<ClusterState>();
  private views = 0;
  private entries = 0;
  private resets = 0;

  constructor(opts: ViewLimits = {}) {
    this.tables = opts.tables ?? true;
    this.mergeAbove = opts.mergeAbove ?? 2;
    this.maxTableEntries = opts.maxTableEntries ?? 4_096;
    this.maxTotalEntries = opts.maxTotalEntries ?? 500_000;
    this.maxViews = opts.maxViews ?? 500_000;
  }

  /**
   * Builds (and keeps in `scope`) the view of `user` over its own and its groups' bindings, cluster-wide then
   * in `scope`: per subject, its distinct roles, merged into one shared table when there are many.
   */
  build(cs: ClusterState, scope: Scope, user: UserInfo): PrincipalView {
    const slots: unknown[] = [...user.groups];
    const single = new Set<CompiledRole>();
    let missing = false;
    const add = (s: Scope, isUser: boolean, key: string): void => {
      const parts = this.subjectParts(cs, s, isUser, key);
      if (parts === null) return;
      missing ||= parts.missing;
      if (parts.table !== null) slots.push(parts.table, parts.tableBindings);
      const one = parts.singles;
      for (let i = 0; i < one.length; i += 2) {
        const role = one[i] as CompiledRole;
        if (!single.has(role)) { single.add(role); slots.push(role, one[i + 1]); }
      }
    };
    for (const s of scope === cs.top ? [scope] : [cs.top, scope]) {
      add(s, true, user.username);
      if (s.groups !== null) for (const g of user.groups) add(s, false, g);
    }
    const view = new PrincipalView(slots, user.groups.length, cs.epoch, scope.groupEpoch, missing);
    if (scope.views?.has(user.username) !== true) {
      if (this.views >= this.maxViews) this.reset();
      this.views++;
    }
    this.holders.add(cs);
    (scope.views ??= new Map()).set(user.username, view);
    return view;
  }

  /** One subject's distinct roles in `s` (many: merged), shared by the views of every user it applies to. */
  private subjectParts(cs: ClusterState, s: Scope, isUser: boolean, key: string): SubjectParts | null {
    const cache = isUser ? (s.userParts ??= new Map()) : (s.groupParts ??= new Map());
    const cached = cache.get(key);
    if (cached !== undefined && cached.epoch === cs.epoch) return cached;
    const bucket = (isUser ? s.users : s.groups)?.get(key);
    if (bucket === undefined) { cache.delete(key); return null; }
    const first = new Map<CompiledRole, IndexedBinding>();
    let missing = false;
    for (const b of bucketItems(bucket)) {
      const role = b.slot.role;
      if (role === null) missing = true;
      else if (!first.has(role)) first.set(role, b);
    }
    const parts: SubjectParts = { epoch: cs.epoch, missing, table: null, tableBindings: null, singles: [] };
    if (this.tables && first.size > this.mergeAbove) {
      const sorted = [...first.keys()].sort((a, b) => a.id - b.id);
      parts.table = this.table(sorted);
      if (parts.table !== null) parts.tableBindings = sorted.map((r) => first.get(r)!);
    }
    if (parts.table === null) for (const [role, b] of first) parts.singles.push(role, b);
    cache.set(key, parts);
    return parts;
  }

  /** The merged table of `roles` (sorted by id), shared by every subject bound to exactly these roles. */
  private table(roles: CompiledRole[]): PermTable | null {
    const key = roles.map((r) => r.id).join(',');
    let t = this.merged.get(key);
    if (t === undefined) {
      t = PermTable.build(roles.map((r) => r.rules), this.maxTableEntries);
      const size = t === null ? 1 : t.size;
      if (this.entries + size > this.maxTotalEntries) this.reset();
      this.entries += size;
      this.merged.set(key, t);
    }
    return t;
  }

  /** A binding naming `key` changed in `scope`: drop what was built from it (a group's views go by epoch). */
  changed(cs: ClusterState, scope: Scope, isUser: boolean, key: string): void {
    if (!isUser) { scope.groupParts?.delete(key); return; }
    scope.userParts?.delete(key);
    this.invalidate(cs, scope, key);
  }

  /** A binding with a User / ServiceAccount subject `username` changed in `scope` (the cluster scope: every scope). */
  private invalidate(cs: ClusterState, scope: Scope, username: string): void {
    if (scope !== cs.top) { if (scope.views?.delete(username)) this.views--; return; }
    if (this.holders.has(cs)) for (const s of cs.scopes()) if (s.views?.delete(username)) this.views--;
  }

  /** The cluster is gone (its views go with it). */
  forget(cs: ClusterState): void {
    this.holders.delete(cs);
  }

  /** Drops every view and merged table (memory budget exceeded); they are rebuilt on next use. */
  reset(): void {
    for (const cs of this.holders) for (const scope of cs.scopes()) scope.views = scope.userParts = scope.groupParts = null;
    this.holders.clear();
    this.merged.clear();
    this.views = 0;
    this.entries = 0;
    this.resets++;
  }

  stats(): { views: number; mergedTables: number; tableEntries: number; resets: number } {
    return { views: this.views, mergedTables: this.merged.size, tableEntries: this.entries, resets: this.resets };
  }
}
