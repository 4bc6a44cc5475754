// Lazy clusters for the RBAC index: a cluster's state is built from storage on its first decision, events for it
// are buffered while it loads, and idle clusters are unloaded (clock sweep, LRU beyond a capacity) so that the
// index holds a bounded number of clusters however many exist. Decisions are the index's: loading changes none.
import type { Attributes, Authorizer, AuthorizerResult, UserInfo } from '../../../apiserver/auth/types.ts';
import type { PolicySnapshot, RbacKind, RbacObject, RulesForResult, WatchEventType } from './types.ts';

/** What the lazy authorizer uses of the RBAC index (index.ts's RbacIndex; an interface here: no import cycle). */
export interface ClusterIndex extends Authorizer {
  authorize(a: Attributes): AuthorizerResult;
  /** The decision when the request's cluster is held; undefined when it is not. */
  authorizeHeld(a: Attributes): AuthorizerResult | undefined;
  apply(cluster: string, kind: RbacKind, type: WatchEventType, obj: RbacObject): void;
  load(cluster: string, s: PolicySnapshot): void;
  ensureCluster(cluster: string): void;
  dropCluster(cluster: string): void;
  hasCluster(cluster: string): boolean;
  readonly clusterCount: number;
  rulesFor(cluster: string, user: UserInfo, namespace: string): RulesForResult;
  rulesInSnapshot(snapshot: PolicySnapshot, user: UserInfo, namespace: string): RulesForResult;
  boundAtClusterScope(cluster: string): ((kind: 'user' | 'group', name: string) => boolean) | undefined;
  sweep(keep: (cluster: string) => boolean): string[];
  shrinkTo(capacity: number, keep: (cluster: string) => boolean): string[];
}

export interface LazyOptions {
  /**
   * The cluster's RBAC objects as stored now, or undefined when there is no such cluster (nothing is then kept).
   * Called for at most `concurrency` clusters at a time; events delivered meanwhile are replayed on top.
   */
  source(cluster: string): Promise<PolicySnapshot | undefined>;
  /** Most clusters held at once; beyond it the least recently used unpinned one is unloaded (default 1,000). */
  capacity?: number;
  /** Loads in flight at once (default 4). */
  concurrency?: number;
  /** Clusters never unloaded (root, whose policy every platform request consults). */
  pinned?: (cluster: string) => boolean;
}

type BufferedEvent = [RbacKind, WatchEventType, RbacObject];

interface Loading { promise: Promise<boolean>; events: BufferedEvent[]; cancelled: boolean }

/** What the lazy index holds and has done (metrics, the benchmark). */
export interface ResidencyStats { loaded: number; loading: number; loads: number; unloads: number }

/**
 * The RBAC authorizer over an index holding only the clusters in use. A cluster that is not held is loaded on its
 * first decision (once, however many requests ask together; at most `concurrency` loads at a time); an unknown
 * cluster loads nothing and answers no opinion, as an empty one does.
 */
export class LazyRbac implements Authorizer {
  private readonly capacity: number;
  private readonly concurrency: number;
  private readonly loading = new Map<string, Loading>();
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  private loads = 0;
  private unloads = 0;

  constructor(readonly index: ClusterIndex, private readonly opts: LazyOptions) {
    this.concurrency = Math.max(1, opts.concurrency ?? 4);
    // a cluster just loaded is never the one its own capacity check unloads (second chance, fewer loads than this)
    this.capacity = Math.max(2 * this.concurrency, opts.capacity ?? 1000);
  }

  /** A watch event: applied to a held cluster, buffered for one being loaded, ignored for an idle one. */
  /** Whether apply() would use an event of `cluster` (it is held or loading): else its object need not be read. */
  wants(cluster: string): boolean { return this.loading.has(cluster) || this.index.hasCluster(cluster); }

  apply(cluster: string, kind: RbacKind, type: WatchEventType, obj: RbacObject): void {
    const l = this.loading.get(cluster);
    if (l) l.events.push([kind, type, obj]);
    else if (this.index.hasCluster(cluster)) this.index.apply(cluster, kind, type, obj);
  }

  /** The cluster was deleted: drop its state and any load in flight. */
  dropCluster(cluster: string): void {
    const l = this.loading.get(cluster);
    if (l) { l.cancelled = true; this.loading.delete(cluster); }
    this.index.dropCluster(cluster);
  }

  /**
   * Forgets every cluster (pinned ones too) and cancels loads in flight: the next decision in each loads it again.
   * For when the event stream may have missed changes (the informer re-listed).
   */
  unloadAll(): void {
    for (const l of this.loading.values()) l.cancelled = true;
    this.loading.clear();
    const all = () => false;
    this.unloads += this.index.sweep(all).length + this.index.sweep(all).length;
  }

  authorize(a: Attributes): AuthorizerResult | Promise<AuthorizerResult> {
    const held = this.index.authorizeHeld(a);
    if (held !== undefined) return held;
    // once more if another load's capacity check unloaded it meanwhile (many loads finishing together); an
    // unknown cluster is looked up once and answers as an empty one
    const decide = () => this.index.authorize(a);
    return this.load(a.cluster).then((found) =>
      (!found || this.index.hasCluster(a.cluster) ? decide() : this.load(a.cluster).then(decide)));
  }

  /**
   * Rules that apply to `user` (SelfSubjectRulesReview, escalation checks). An idle cluster is read without being
   * held: a caller reading rules over many clusters (an access key's dry run) does not push out the ones in use.
   */
  async rulesFor(cluster: string, user: UserInfo, namespace: string): Promise<RulesForResult> {
    if (this.index.hasCluster(cluster)) return this.index.rulesFor(cluster, user, namespace);
    const snapshot = await this.opts.source(cluster);
    if (!snapshot) return { rules: [], incomplete: false, evaluationErrors: [] };
    return this.index.rulesInSnapshot(snapshot, user, namespace);
  }

  /** RbacIndex.boundAtClusterScope of a held cluster (undefined for an idle one). */
  boundAtClusterScope(cluster: string): ReturnType<ClusterIndex['boundAtClusterScope']> {
    return this.index.boundAtClusterScope(cluster);
  }

  /** Unloads every unpinned cluster unused since the previous sweep; call periodically. Returns how many. */
  sweep(): number {
    const n = this.index.sweep((c) => this.pinned(c)).length;
    this.unloads += n;
    return n;
  }

  stats(): ResidencyStats {
    return { loaded: this.index.clusterCount, loading: this.loading.size, loads: this.loads, unloads: this.unloads };
  }

  private pinned(cluster: string): boolean { return this.opts.pinned?.(cluster) ?? false; }

  /**
   * Loads `cluster` once however many callers ask together. Events delivered since the load began are replayed
   * in order on top of the snapshot: each is an upsert or delete of one object, so the result is the current
   * state wherever the snapshot's moment falls within that window. Resolves to whether the cluster exists.
   */
  private load(cluster: string): Promise<boolean> {
    const cur = this.loading.get(cluster);
    if (cur) return cur.promise;
    const l: Loading = { promise: Promise.resolve(false), events: [], cancelled: false };
    this.loading.set(cluster, l);
    l.promise = this.run(cluster, l);
    return l.promise;
  }

  private async run(cluster: string, l: Loading): Promise<boolean> {
    await this.slot();
    let snapshot: PolicySnapshot | undefined;
    try {
      snapshot = l.cancelled ? undefined : await this.opts.source(cluster);
    } finally {
      this.release();
      // synchronously with the install below: no event can fall between the buffer and the installed state
      if (this.loading.get(cluster) === l) this.loading.delete(cluster);
    }
    if (!snapshot || l.cancelled) return false;
    if (this.index.hasCluster(cluster)) return true;
    this.loads++;
    this.index.ensureCluster(cluster);
    this.index.load(cluster, snapshot);
    for (const [kind, type, obj] of l.events) this.index.apply(cluster, kind, type, obj);
    this.unloads += this.index.shrinkTo(this.capacity, (c) => this.pinned(c) || c === cluster).length;
    return true;
  }

  private async slot(): Promise<void> {
    if (this.active < this.concurrency) { this.active++; return; }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next(); else this.active--;
  }
}
