// Watch fan-out shared by storage implementations: a bounded ring of committed events plus a listener set.
// Delivers to each watcher, in commit order and exactly once, every event with rv > its fromRV under its prefix.
// Several events may share one rv (a group published together, as an etcd transaction): they are never split.
import { StorageError, type StorageEvent, type WatchErrorListener, type WatchListener, type Watcher } from './interface.ts';

/** The minimum a hub needs to know about a retained event. */
export interface HubEntry { key: string; rv: number }

interface Subscriber<E> {
  prefix: string;
  onEvent: WatchListener;
  onError?: WatchErrorListener;
  /** Publish sequence number of the last event considered for this subscriber; guards against double delivery. */
  lastSeq: number;
  active: boolean;
}

/** How long events stay retained: at most `capacity`; beyond `minKeep`, only those younger than `freshMs`. */
export interface Retention {
  /** Most events kept (a positive integer). */
  capacity: number;
  /** Events older than this are dropped once more than minKeep are held (default: never by age). */
  freshMs?: number;
  /** Events always kept, however old (default 0; at most capacity). */
  minKeep?: number;
  /** The clock (ms) ages are measured with (default Date.now; tests pass their own). */
  now?: () => number;
}

/**
 * A ring of events ordered by rv, bounded by count and (as kube-apiserver's watch cache) by age: an idle store
 * keeps no more than `minKeep` events. `floorRV` is the highest rv that is no longer retained: a watch from
 * fromRV >= floorRV can be served, an older one is Expired.
 */
export class EventRing<E extends HubEntry> {
  readonly capacity: number;
  private buf: (E | undefined)[] = [];
  /** Time each entry was pushed, parallel to buf. */
  private at: number[] = [];
  private start = 0;
  private size = 0;
  floorRV: number;
  private readonly freshMs: number;
  private readonly minKeep: number;
  private readonly now: () => number;

  constructor(retention: number | Retention, floorRV: number) {
    const r = typeof retention === 'number' ? { capacity: retention } : retention;
    const capacity = r.capacity;
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error(`event retention must be a positive integer, got ${capacity}`);
    this.capacity = capacity;
    this.freshMs = r.freshMs ?? Infinity;
    this.minKeep = Math.min(capacity, Math.max(0, r.minKeep ?? 0));
    this.now = r.now ?? Date.now;
    this.floorRV = floorRV;
  }

  get length(): number { return this.size; }
  /** Whether some entries could be dropped by age later (more than minKeep are held). */
  get agingOut(): boolean { return this.size > this.minKeep && this.freshMs !== Infinity; }
  /** Milliseconds until the oldest droppable entry ages out (Infinity when none can). */
  nextExpiryIn(now = this.now()): number {
    return this.agingOut ? Math.max(0, this.at[this.start] + this.freshMs - now) : Infinity;
  }

  push(entry: E): void {
    const now = this.now();
    this.prune(now);
    if (this.size === this.capacity) this.dropOldest();
    // grow geometrically up to capacity: a mostly idle ring holds a small array, not `capacity` slots
    if (this.size === this.buf.length) this.grow();
    const i = (this.start + this.size) % this.buf.length;
    this.buf[i] = entry;
    this.at[i] = now;
    this.size++;
  }

  /** Drops entries older than freshMs while more than minKeep are held; shrinks the array when mostly empty. */
  prune(now = this.now()): void {
    while (this.size > this.minKeep && now - this.at[this.start] > this.freshMs) this.dropOldest();
    if (this.buf.length > 64 && this.size < this.buf.length / 4) this.resize(Math.max(64, this.size * 2));
  }

  /** Entries with rv > fromRV, oldest first; Expired if some of them were already dropped. */
  since(fromRV: number, key = ''): E[] {
    this.prune();
    if (fromRV < this.floorRV) {
      throw new StorageError('Expired', key, `too old resource version: ${fromRV} (oldest retained: ${this.floorRV + 1})`);
    }
    let lo = 0;
    let hi = this.size;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.entry(mid).rv > fromRV) hi = mid; else lo = mid + 1;
    }
    const out: E[] = [];
    for (let i = lo; i < this.size; i++) out.push(this.entry(i));
    return out;
  }

  reset(floorRV: number): void {
    this.buf = [];
    this.at = [];
    this.start = 0;
    this.size = 0;
    this.floorRV = floorRV;
  }

  private dropOldest(): void {
    this.floorRV = this.buf[this.start]!.rv;
    this.buf[this.start] = undefined;
    this.start = (this.start + 1) % this.buf.length;
    this.size--;
  }

  private grow(): void {
    this.resize(Math.min(this.capacity, Math.max(64, this.buf.length * 2)));
  }

  private resize(n: number): void {
    const buf: (E | undefined)[] = new Array(n);
    const at: number[] = new Array(n);
    for (let i = 0; i < this.size; i++) {
      const j = (this.start + i) % this.buf.length;
      buf[i] = this.buf[j];
      at[i] = this.at[j];
    }
    this.buf = buf;
    this.at = at;
    this.start = 0;
  }

  private entry(i: number): E {
    return this.buf[(this.start + i) % this.buf.length]!;
  }
}

/**
 * Ring + subscribers. `publish` must be called once per committed event in commit order; events
 * published from inside a listener are queued so every subscriber still sees commit order.
 * `materialize` turns a retained entry into the event handed to one listener (e.g. parse JSON).
 */
interface Seq<E> extends HubEntry {
  seq: number;
  entry?: E;
  /** A group: its events (all at this rv, keys under `key`), built again for each delivery and never held. */
  group?: () => Iterable<E>;
  /** The group's events while its publish is being dispatched (built once for every live watcher). */
  live?: E[];
}

export class WatchHub<E extends HubEntry> {
  private readonly ring: EventRing<Seq<E>>;
  private readonly subs = new Set<Subscriber<E>>();
  private readonly queue: Array<Seq<E>> = [];
  private draining = false;
  private seq = 0;

  /** Prunes aged-out events when the oldest one expires, so an idle store releases them (unref'd). */
  private pruner?: NodeJS.Timeout;

  constructor(retention: number | Retention, floorRV: number, private readonly materialize: (entry: E) => StorageEvent) {
    this.ring = new EventRing(retention, floorRV);
  }

  get watcherCount(): number { return this.subs.size; }
  get floorRV(): number { return this.ring.floorRV; }

  publish(e: E): void {
    this.append({ key: e.key, rv: e.rv, seq: ++this.seq, entry: e });
  }

  /**
   * Publishes the events `members()` yields (all at `rv`, every key under `prefix`, in order) as one retained entry:
   * the ring holds the function, not the events (a new cluster's shared objects: tens of events per cluster, each of
   * which would otherwise stay in the old generation for the event window). Each watcher receives the events under
   * its prefix, exactly as if each had been published; `members` must yield the same events whenever it is called.
   */
  publishGroup(prefix: string, rv: number, members: () => Iterable<E>): void {
    this.append({ key: prefix, rv, seq: ++this.seq, entry: undefined, group: members, live: undefined });
  }

  private append(entry: Seq<E>): void {
    this.ring.push(entry);
    if (this.pruner === undefined && this.ring.agingOut) this.schedulePrune();
    this.queue.push(entry);
    if (this.draining) return;
    this.draining = true;
    try {
      for (let i = 0; i < this.queue.length; i++) this.dispatch(this.queue[i]);
    } finally {
      // (only groups have the field: adding it to every event would give each one a property store)
      for (const q of this.queue) if (q.group) q.live = undefined;
      this.queue.length = 0;
      this.draining = false;
    }
  }

  /** Registers a subscriber and synchronously replays retained events with rv > fromRV (throws Expired). */
  watch(prefix: string, fromRV: number, onEvent: WatchListener, onError?: WatchErrorListener): Watcher {
    const replay = this.ring.since(fromRV, prefix);
    const sub: Subscriber<E> = { prefix, onEvent, onError, lastSeq: replay.length ? replay[0].seq - 1 : this.seq, active: true };
    this.subs.add(sub);
    for (const entry of replay) {
      if (!sub.active) break;
      this.deliver(sub, entry);
    }
    return { stop: () => this.remove(sub) };
  }

  /** Ends every watch with `err` (each onError is called once). */
  failAll(err: StorageError): void {
    const all = [...this.subs];
    this.subs.clear();
    for (const sub of all) {
      sub.active = false;
      sub.onError?.(err);
    }
  }

  /** Forgets all retained events; watches from before floorRV become Expired. */
  reset(floorRV: number): void {
    this.ring.reset(floorRV);
  }

  /** Events retained now (after dropping aged-out ones). */
  retained(): number {
    this.ring.prune();
    return this.ring.length;
  }

  /** Stops the background pruning (the owner is closing). */
  close(): void {
    clearTimeout(this.pruner);
    this.pruner = undefined;
  }

  /** One timer at a time, due when the oldest droppable event ages out (at most every 100 ms). */
  private schedulePrune(): void {
    const due = this.ring.nextExpiryIn();
    if (due === Infinity) return;
    this.pruner = setTimeout(() => {
      this.pruner = undefined;
      this.ring.prune();
      this.schedulePrune();
    }, Math.max(100, due + 1));
    this.pruner.unref();
  }

  private dispatch(entry: Seq<E>): void {
    if (entry.group && entry.live === undefined && this.subs.size > 0) entry.live = [...entry.group()];
    // Set iteration visits subscribers added meanwhile; their lastSeq (set by replay) prevents duplicates.
    for (const sub of this.subs) this.deliver(sub, entry);
  }

  private deliver(sub: Subscriber<E>, entry: Seq<E>): void {
    if (entry.seq <= sub.lastSeq) return;
    sub.lastSeq = entry.seq;
    if (entry.group === undefined) {
      if (entry.key.startsWith(sub.prefix)) this.send(sub, entry.entry!);
      return;
    }
    // a group's events are under its key: a watcher sees them if its prefix covers the key or lies inside it
    if (!entry.key.startsWith(sub.prefix) && !sub.prefix.startsWith(entry.key)) return;
    for (const e of entry.live ?? entry.group()) {
      if (!sub.active) return;
      if (e.key.startsWith(sub.prefix)) this.send(sub, e);
    }
  }

  private send(sub: Subscriber<E>, e: E): void {
    try {
      sub.onEvent(this.materialize(e));
    } catch (err) {
      this.remove(sub);
      const se = new StorageError('Unavailable', e.key, `watch listener failed: ${(err as Error)?.message ?? String(err)}`);
      if (sub.onError) sub.onError(se); else console.error(se.message);
    }
  }

  private remove(sub: Subscriber<E>): void {
    sub.active = false;
    this.subs.delete(sub);
  }
}
