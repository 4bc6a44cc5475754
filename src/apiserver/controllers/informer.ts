// One shared watch over the whole store, fanned out to controllers by group/resource (like a SharedInformerFactory).
// Platform kinds (*.portcullis.io) live in root only: their handlers never see an object stored in another cluster.
import type { Storage, StorageEvent, Watcher } from '../storage/interface.ts';
import { parseKey } from '../storage/keys.ts';
import { ROOT_CLUSTER } from '../cluster-name.ts';
import { isPlatformGroup } from '../reserved-groups.ts';
import type { Priority } from './queue-fair.ts';
import { KnownKeys } from './known-keys.ts';

export interface InformerEvent extends StorageEvent {
  cluster: string;
  group: string;
  resource: string;
  namespace: string;
  name: string;
  /** Set on events from a (re-)list rather than a live watch: work they cause is background resync. */
  replay?: boolean;
}
export type InformerHandler = (ev: InformerEvent) => void;

export class Informer {
  private readonly handlers = new Map<string, InformerHandler[]>();
  private readonly anyHandlers: InformerHandler[] = [];
  private watcher?: Watcher;
  private synced = false;
  private stopped = false;
  private storage?: Storage;
  private onError?: (e: Error) => void;
  /**
   * key → rv of every stored object handlers have been told about (for the diff after a re-list). Shared objects
   * a cluster sees without a row of its own (`shared` events) are not kept: they are derived from the set, not rows.
   */
  private readonly known = new KnownKeys();
  private readonly resyncHandlers: Array<() => void> = [];
  /** Start-up: clusters whose stored objects are not replayed yet (root is replayed before start() returns). */
  private unreplayed?: Set<string>;
  private readonly replaying = new Map<string, Promise<void>>();
  /**
   * cluster → key → rv of the deletions live events told of in a cluster not replayed yet: its replay's snapshot,
   * taken before such a deletion arrived, must not bring the object back.
   */
  private readonly deletedLive = new Map<string, Map<string, number>>();
  private replayed: Promise<void> = Promise.resolve();
  private readonly holds: Array<Promise<unknown>> = [];

  /** Registers a handler for one group/resource ('' for the core group). Must be called before start(). */
  on(group: string, resource: string, handler: InformerHandler): void {
    const k = `${group === '' ? 'core' : group}/${resource}`;
    const list = this.handlers.get(k) ?? [];
    list.push(handler);
    this.handlers.set(k, list);
  }

  /** Registers a handler for every resource (e.g. the garbage collector). Must be called before start(). */
  onAny(handler: InformerHandler): void {
    this.anyHandlers.push(handler);
  }

  /**
   * Called after a re-list (a watch failure), before its diff is dispatched: handlers that keep state about shared
   * objects (which the diff does not cover: changes to them while the watch was down are not replayed) rebuild it.
   */
  onResync(handler: () => void): void {
    this.resyncHandlers.push(handler);
  }

  /**
   * Replays the current state as ADDED events, then follows every change; re-lists if the watch fails.
   * With `clusters` (asked once root is replayed: the other clusters' names), only root is replayed before start()
   * returns (platform objects, credentials, revocations, cluster names); each other cluster is replayed in the
   * background, one at a time, or at once when replayCluster() asks for it (its first request).
   */
  async start(storage: Storage, onError: (e: Error) => void, clusters?: () => Iterable<string>): Promise<void> {
    this.storage = storage;
    this.onError = onError;
    if (!clusters) await this.sync();
    else {
      const snapshot = await storage.list(`/${ROOT_CLUSTER}/`);
      for (const s of snapshot.items) if (!s.shared) this.dispatch({ type: 'ADDED', key: s.key, rv: s.rv, object: s.object }, true);
      this.watcher = storage.watch('/', snapshot.rv, (ev) => this.dispatch(ev), (e) => this.recover(e));
      this.unreplayed = new Set([...clusters()].filter((c) => c !== ROOT_CLUSTER));
      this.replayed = this.replayAll();
    }
    this.synced = true;
  }

  /** Root is replayed (readiness); other clusters may still be replaying (see replayCluster). */
  get hasSynced(): boolean { return this.synced; }

  /** Resolves once every cluster's stored objects have been replayed (tests, settle). */
  idle(): Promise<void> { return this.replayed; }

  /** The background replay starts once `until` settles (tests look at the server before it; on-demand replays run). */
  holdReplay(until: Promise<unknown>): void { this.holds.push(until); }

  /** Undefined when `cluster` is replayed; else its replay, started now (a request to it must not wait its turn). */
  replayCluster(cluster: string): Promise<void> | undefined {
    if (this.replaying.has(cluster)) return this.replaying.get(cluster);
    if (!this.unreplayed?.delete(cluster)) return undefined;
    const p = this.replay(cluster).finally(() => this.replaying.delete(cluster));
    this.replaying.set(cluster, p);
    return p;
  }

  private async replayAll(): Promise<void> {
    await Promise.allSettled(this.holds);
    for (;;) {
      await new Promise((r) => setImmediate(r)); // requests first, between clusters
      const [next] = this.unreplayed ?? [];
      if (next === undefined || this.stopped) break;
      await this.replayCluster(next);
    }
    await Promise.all(this.replaying.values());
    this.unreplayed = undefined;
  }

  /**
   * One cluster's stored objects, except what a live event already told handlers (as new or newer); listed and
   * dispatched REPLAY_PAGE at a time, yielding between pages (a large cluster, such as the host cluster, would
   * otherwise hold the event loop for a second or more). A key changed live meanwhile is dispatched live (its
   * replay is skipped: known as newer); a key deleted live before its page is in no later page.
   */
  private async replay(cluster: string): Promise<void> {
    this.deletedLive.set(cluster, new Map());
    try {
      const deleted = this.deletedLive.get(cluster)!;
      let after: string | undefined;
      do {
        if (after !== undefined) await new Promise((r) => setImmediate(r));
        if (this.stopped) return;
        const page = await this.storage!.list(`/${cluster}/`, { limit: REPLAY_PAGE, after });
        for (const s of page.items) {
          const known = this.known.get(s.key);
          if (s.shared || (known !== undefined && known >= s.rv) || (deleted.get(s.key) ?? -1) >= s.rv) continue;
          const type = known === undefined ? 'ADDED' : 'MODIFIED';
          this.dispatch({ type, key: s.key, rv: s.rv, object: s.object }, true);
        }
        after = page.next;
      } while (after !== undefined);
    } finally {
      this.deletedLive.delete(cluster);
    }
  }

  stop(): void { this.stopped = true; this.watcher?.stop(); }

  /** Lists everything, dispatches the difference to what handlers have seen, and watches from there. */
  private async sync(): Promise<void> {
    const snapshot = await this.storage!.list('/');
    this.unreplayed?.clear(); // a full re-list replays every cluster
    if (this.synced) for (const h of this.resyncHandlers) h();
    const seen = new Set<string>();
    for (const s of snapshot.items) {
      if (s.shared) continue;
      seen.add(s.key);
      const known = this.known.get(s.key);
      if (known === s.rv) continue;
      this.dispatch({ type: known === undefined ? 'ADDED' : 'MODIFIED', key: s.key, rv: s.rv, object: s.object }, true);
    }
    for (const [key, rv] of this.known.entries()) {
      if (!seen.has(key)) this.dispatch({ type: 'DELETED', key, rv, object: this.lastObject(key) }, true);
    }
    this.watcher = this.storage!.watch('/', snapshot.rv, (ev) => this.dispatch(ev), (e) => this.recover(e));
  }

  private recover(e: Error): void {
    if (this.stopped) return;
    this.onError?.(e);
    const retry = (delay: number) => setTimeout(() => {
      if (this.stopped) return;
      this.sync().catch(() => retry(Math.min(delay * 2, 5000)));
    }, delay).unref();
    retry(100);
  }

  /** A tombstone for keys that vanished while the watch was down (handlers only read identity from it). */
  private lastObject(key: string): StorageEvent['object'] {
    const k = parseKey(key);
    return { metadata: { name: k.name, ...(k.namespace ? { namespace: k.namespace } : {}) } };
  }

  private dispatch(ev: StorageEvent, replay = false): void {
    // while clusters replay, a live event older than what a replay already dispatched is stale
    if (this.unreplayed && !replay && ev.type !== 'DELETED' && (this.known.get(ev.key) ?? -1) >= ev.rv) return;
    if (!replay && ev.type === 'DELETED' && this.deletedLive.size > 0) {
      this.deletedLive.get(ev.key.slice(1, ev.key.indexOf('/', 1)))?.set(ev.key, ev.rv);
    }
    const known = this.known.has(ev.key);
    if (ev.type === 'DELETED' || ev.shared) this.known.delete(ev.key); else this.known.set(ev.key, ev.rv);
    // a shared object becoming the cluster's own row (edited): new to the informer (as client-go's Add)
    if (ev.type === 'MODIFIED' && !known && !ev.shared) ev = { ...ev, type: 'ADDED' };
    const slash2 = ev.key.indexOf('/', 1);
    const slash3 = ev.key.indexOf('/', slash2 + 1);
    const slash4 = ev.key.indexOf('/', slash3 + 1);
    let handlers = this.handlers.get(ev.key.slice(slash2 + 1, slash4));
    // a platform group's object outside root (a tenant's CRD stored before reserved groups were refused) is no
    // platform object: only cluster-agnostic handlers (garbage collection) see it
    const outsideRoot = ev.key.slice(1, slash2) !== ROOT_CLUSTER;
    if (handlers && outsideRoot && isPlatformGroup(ev.key.slice(slash2 + 1, slash3))) handlers = undefined;
    if (!handlers && this.anyHandlers.length === 0) return;
    const k = parseKey(ev.key);
    const full: InformerEvent = replay ? { ...ev, ...k, replay } : { ...ev, ...k };
    if (handlers) for (const h of handlers) h(full);
    for (const h of this.anyHandlers) h(full);
  }
}

/** Objects a cluster's replay lists and dispatches between two yields to the event loop. */
const REPLAY_PAGE = 500;

/** The queue priority of work an event causes: replayed state is background resync, live changes come first. */
export function eventPriority(ev: { replay?: boolean }): Priority {
  return ev.replay ? 'low' : 'normal';
}
