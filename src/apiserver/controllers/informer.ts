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

  /** Replays the current state as ADDED events, then follows every change; re-lists if the watch fails. */
  async start(storage: Storage, onError: (e: Error) => void): Promise<void> {
    this.storage = storage;
    this.onError = onError;
    await this.sync();
    this.synced = true;
  }

  get hasSynced(): boolean { return this.synced; }

  stop(): void { this.stopped = true; this.watcher?.stop(); }

  /** Lists everything, dispatches the difference to what handlers have seen, and watches from there. */
  private async sync(): Promise<void> {
    const snapshot = await this.storage!.list('/');
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

/** The queue priority of work an event causes: replayed state is background resync, live changes come first. */
export function eventPriority(ev: { replay?: boolean }): Priority {
  return ev.replay ? 'low' : 'normal';
}
