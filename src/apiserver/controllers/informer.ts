// One shared watch over the whole store, fanned out to controllers by group/resource (like a SharedInformerFactory).
import type { Storage, StorageEvent, Watcher } from '../storage/interface.ts';
import { parseKey } from '../storage/keys.ts';

export interface InformerEvent extends StorageEvent {
  cluster: string;
  group: string;
  resource: string;
  namespace: string;
  name: string;
}
export type InformerHandler = (ev: InformerEvent) => void;

export class Informer {
  private readonly handlers = new Map<string, InformerHandler[]>();
  private readonly anyHandlers: InformerHandler[] = [];
  private watcher?: Watcher;
  private synced = false;

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

  /** Replays the current state as ADDED events, then follows every change. */
  async start(storage: Storage, onError: (e: Error) => void): Promise<void> {
    const snapshot = await storage.list('/');
    for (const s of snapshot.items) this.dispatch({ type: 'ADDED', key: s.key, rv: s.rv, object: s.object });
    this.synced = true;
    this.watcher = storage.watch('/', snapshot.rv, (ev) => this.dispatch(ev), onError);
  }

  get hasSynced(): boolean { return this.synced; }

  stop(): void { this.watcher?.stop(); }

  private dispatch(ev: StorageEvent): void {
    const slash2 = ev.key.indexOf('/', 1);
    const slash3 = ev.key.indexOf('/', slash2 + 1);
    const slash4 = ev.key.indexOf('/', slash3 + 1);
    const handlers = this.handlers.get(ev.key.slice(slash2 + 1, slash4));
    if (!handlers && this.anyHandlers.length === 0) return;
    const k = parseKey(ev.key);
    const full: InformerEvent = { ...ev, ...k };
    if (handlers) for (const h of handlers) h(full);
    for (const h of this.anyHandlers) h(full);
  }
}
