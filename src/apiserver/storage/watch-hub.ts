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

/**
 * A fixed-capacity ring of events ordered by rv. `floorRV` is the highest rv that is no longer
 * retained: a watch from fromRV >= floorRV can be served, an older one is Expired.
 */
export class EventRing<E extends HubEntry> {
  private buf: (E | undefined)[];
  private start = 0;
  private size = 0;
  floorRV: number;

  constructor(readonly capacity: number, floorRV: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error(`event retention must be a positive integer, got ${capacity}`);
    this.buf = new Array(capacity);
    this.floorRV = floorRV;
  }

  push(entry: E): void {
    if (this.size === this.capacity) {
      this.floorRV = this.buf[this.start]!.rv;
      this.buf[this.start] = undefined;
      this.start = (this.start + 1) % this.capacity;
      this.size--;
    }
    this.buf[(this.start + this.size) % this.capacity] = entry;
    this.size++;
  }

  /** Entries with rv > fromRV, oldest first; Expired if some of them were already dropped. */
  since(fromRV: number, key = ''): E[] {
    if (fromRV < this.floorRV) {
      throw new StorageError('Expired', key, `too old resource version: ${fromRV} (oldest retained: ${this.floorRV + 1})`);
    }
    let lo = 0;
    let hi = this.size;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.at(mid).rv > fromRV) hi = mid; else lo = mid + 1;
    }
    const out: E[] = [];
    for (let i = lo; i < this.size; i++) out.push(this.at(i));
    return out;
  }

  reset(floorRV: number): void {
    this.buf = new Array(this.capacity);
    this.start = 0;
    this.size = 0;
    this.floorRV = floorRV;
  }

  private at(i: number): E {
    return this.buf[(this.start + i) % this.capacity]!;
  }
}

/**
 * Ring + subscribers. `publish` must be called once per committed event in commit order; events
 * published from inside a listener are queued so every subscriber still sees commit order.
 * `materialize` turns a retained entry into the event handed to one listener (e.g. parse JSON).
 */
interface Seq<E> extends HubEntry { seq: number; entry: E }

export class WatchHub<E extends HubEntry> {
  private readonly ring: EventRing<Seq<E>>;
  private readonly subs = new Set<Subscriber<E>>();
  private readonly queue: Array<Seq<E>> = [];
  private draining = false;
  private seq = 0;

  constructor(retention: number, floorRV: number, private readonly materialize: (entry: E) => StorageEvent) {
    this.ring = new EventRing(retention, floorRV);
  }

  get watcherCount(): number { return this.subs.size; }
  get floorRV(): number { return this.ring.floorRV; }

  publish(e: E): void {
    const entry: Seq<E> = { key: e.key, rv: e.rv, seq: ++this.seq, entry: e };
    this.ring.push(entry);
    this.queue.push(entry);
    if (this.draining) return;
    this.draining = true;
    try {
      for (let i = 0; i < this.queue.length; i++) this.dispatch(this.queue[i]);
    } finally {
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

  private dispatch(entry: Seq<E>): void {
    // Set iteration visits subscribers added meanwhile; their lastSeq (set by replay) prevents duplicates.
    for (const sub of this.subs) this.deliver(sub, entry);
  }

  private deliver(sub: Subscriber<E>, entry: Seq<E>): void {
    if (entry.seq <= sub.lastSeq) return;
    sub.lastSeq = entry.seq;
    if (!entry.key.startsWith(sub.prefix)) return;
    try {
      sub.onEvent(this.materialize(entry.entry));
    } catch (err) {
      this.remove(sub);
      const e = new StorageError('Unavailable', entry.key, `watch listener failed: ${(err as Error)?.message ?? String(err)}`);
      if (sub.onError) sub.onError(e); else console.error(e.message);
    }
  }

  private remove(sub: Subscriber<E>): void {
    sub.active = false;
    this.subs.delete(sub);
  }
}
