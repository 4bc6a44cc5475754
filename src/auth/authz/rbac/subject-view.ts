// Per (scope, user or group) effective permissions, built lazily from the subject's bindings: the distinct
// roles merged into one shared PermTable (content-addressed by role set), with a memory budget and reset.
import type { AuthorizerResult, UserInfo } from '../../types.ts';
import { BucketHolder, bucketItems, tripleApplies, type Bucket, type ClusterState, type Entry, type IndexedBinding, type Scope } from './bindings.ts';
import type { CompiledRole } from './compiled-role.ts';
import { allowedReason, describeBinding, describeSubject } from './describe.ts';
import { PermTable, type Query } from './perm-table.ts';

/** Stands in the subject map for the subject's bucket (which it keeps) until one of its bindings changes. */
export class SubjectView extends BucketHolder {
  /** Allow results by position; for a binding with several subjects, by the index of the first that applies. */
  private results: Array<AuthorizerResult | Array<AuthorizerResult | undefined> | undefined> | null = null;

  constructor(
    bucket: Bucket,
    /** ClusterState.roleEpoch when built. */
    readonly epoch: number,
    /** Merged permissions of `roles`; null: match `roles` one by one (table over budget, or tables disabled). */
    private readonly table: PermTable | null,
    /** The distinct roles of the subject's bindings (sorted by id), position = index. */
    private readonly roles: readonly CompiledRole[],
    /** Position -> the first of the subject's bindings to that role. */
    readonly bindings: readonly IndexedBinding[],
    /** Some binding's role does not resolve (a denial then reports the errors). */
    readonly missing: boolean,
  ) {
    super(bucket);
  }

  /** The position of a role granting the request, or -1. */
  probe(q: Query): number {
    if (this.table !== null) return this.table.probe(q);
    for (let i = 0; i < this.roles.length; i++) if (this.roles[i]!.allows(q)) return i;
    return -1;
  }

  /**
   * The frozen allow result naming the binding at `pos` and its first subject that applies to `user`
   * (as Kubernetes words it), built once per view.
   */
  result(pos: number, user: UserInfo): AuthorizerResult {
    const results = (this.results ??= new Array(this.bindings.length));
    const b = this.bindings[pos]!;
    const t = b.subjects;
    if (b.single) return (results[pos] ??= allowResult(b, t, 0)) as AuthorizerResult;
    let i = 0;
    while (i < t.length && !tripleApplies(user, t[i]!, t[i + 1]!, t[i + 2]!, b.ns)) i += 3;
    const bySubject = (results[pos] ??= []) as Array<AuthorizerResult | undefined>;
    return (bySubject[i / 3] ??= allowResult(b, t, i));
  }
}

function allowResult(b: IndexedBinding, t: readonly string[], i: number): AuthorizerResult {
  const subject = i < t.length ? describeSubject(t[i]!, t[i + 1]!, t[i + 2]!, b.ns) : 'unknown subject';
  return Object.freeze({ decision: 'allow', reason: allowedReason(describeBinding(b.name, b.ns, b.roleKind, b.roleName, subject)) });
}

export interface ViewLimits {
  /** Merge the roles of a subject into one table (false: always match role by role). */
  tables?: boolean;
  /** Largest merged table (grants); bigger role sets are matched role by role. */
  maxTableEntries?: number;
  /** Budget for all merged tables and for the number of views; when exceeded every view is dropped. */
  maxTotalEntries?: number;
  maxViews?: number;
}

/** Builds, budgets and drops subject views for every cluster of one index. */
export class ViewCache {
  private readonly tables: boolean;
  private readonly maxTableEntries: number;
  private readonly maxTotalEntries: number;
  private readonly maxViews: number;
  /** Merged tables by sorted role ids (null: over maxTableEntries). */
  private readonly merged = new Map<string, PermTable | null>();
  private readonly holders = new Set<ClusterState>();
  private views = 0;
  private entries = 0;
  resets = 0;

  constructor(opts: ViewLimits = {}) {
    this.tables = opts.tables ?? true;
    this.maxTableEntries = opts.maxTableEntries ?? 20_000;
    this.maxTotalEntries = opts.maxTotalEntries ?? 2_000_000;
    this.maxViews = opts.maxViews ?? 500_000;
  }

  /** Builds the view of `key` (a username, or a group when !user) over its bindings `entry` in `scope`. */
  build(cs: ClusterState, scope: Scope, user: boolean, key: string, entry: Entry): SubjectView {
    const bucket = entry instanceof BucketHolder ? entry.bucket : entry;
    const first = new Map<CompiledRole, IndexedBinding>();
    let missing = false;
    for (const b of bucketItems(bucket)) {
      const role = b.slot.role;
      if (role === null) missing = true;
      else if (!first.has(role)) first.set(role, b);
    }
    const roles = [...first.keys()].sort((a, b) => a.id - b.id);
    const view = new SubjectView(bucket, cs.roleEpoch, this.table(roles), roles, roles.map((r) => first.get(r)!), missing);
    if (!(entry instanceof BucketHolder)) {
      if (this.views >= this.maxViews) this.reset();
      this.views++;
    }
    this.holders.add(cs);
    (user ? scope.users : scope.groupMap()).set(key, view);
    return view;
  }

  private table(roles: CompiledRole[]): PermTable | null {
    if (!this.tables || roles.length === 0) return null;
    if (roles.length === 1) return roles[0]!.ownTable();
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

  /** The cluster is gone (its views go with it). */
  forget(cs: ClusterState): void {
    this.holders.delete(cs);
  }

  /** Drops every view and merged table (memory budget exceeded); they are rebuilt on next use. */
  reset(): void {
    for (const cs of this.holders) {
      for (const scope of cs.scopes()) {
        for (const map of [scope.users, scope.groups]) {
          if (map !== null) for (const [k, e] of map) if (e instanceof BucketHolder) map.set(k, e.bucket);
        }
      }
    }
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
