// The keys a WorkQueue holds before they run, taken fairly: priority levels first (normal work before background
// resync), then round-robin across shards (e.g. tenants), FIFO within a shard. A shard with thousands of keys
// therefore delays another shard's key by at most one of its own keys per turn.

export const PRIORITIES = ['normal', 'low'] as const;
export type Priority = (typeof PRIORITIES)[number];
const rank = (p: Priority) => PRIORITIES.indexOf(p);

/** FIFO with O(1) amortised shift. */
class Deque<T> {
  private items: T[] = [];
  private head = 0;
  get length(): number { return this.items.length - this.head; }
  push(x: T): void { this.items.push(x); }
  peek(): T | undefined { return this.items[this.head]; }
  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const x = this.items[this.head++];
    if (this.head > 64 && this.head * 2 > this.items.length) { this.items = this.items.slice(this.head); this.head = 0; }
    return x;
  }
}

interface Entry { key: string; seq: number }
interface Level { shards: Map<string, Deque<Entry>>; ring: Deque<string> }
export interface Pending { priority: Priority; seq: number; since: number }

export class FairPending {
  private readonly pending = new Map<string, Pending>();
  private readonly levels: Level[] = PRIORITIES.map(() => ({ shards: new Map(), ring: new Deque<string>() }));
  private seq = 0;

  constructor(private readonly shardOf: (key: string) => string) {}

  get size(): number { return this.pending.size; }
  get(key: string): Pending | undefined { return this.pending.get(key); }

  /** Adds a key, or raises a pending key's priority (it keeps its enqueue time). False if nothing changed. */
  put(key: string, priority: Priority, now: number): boolean {
    const cur = this.pending.get(key);
    if (cur && rank(cur.priority) <= rank(priority)) return false;
    const seq = ++this.seq;
    this.pending.set(key, { priority, seq, since: cur?.since ?? now });
    const level = this.levels[rank(priority)];
    const shard = this.shardOf(key);
    let dq = level.shards.get(shard);
    if (!dq) { dq = new Deque(); level.shards.set(shard, dq); level.ring.push(shard); }
    dq.push({ key, seq });
    return true;
  }

  /**
   * The next key to run: the highest priority level with a runnable shard, that level's next shard in turn, its
   * oldest key. `canRun` refuses shards that are at their concurrency limit; `levelOpen` whole levels, which are
   * then skipped without visiting their shards (a full background level costs O(1) per take, not O(shards)).
   */
  take(canRun: (shard: string, priority: Priority) => boolean, levelOpen: (priority: Priority) => boolean = () => true): { key: string; shard: string; pending: Pending } | undefined {
    for (let l = 0; l < this.levels.length; l++) {
      if (!levelOpen(PRIORITIES[l])) continue;
      const level = this.levels[l];
      for (let turns = level.ring.length; turns > 0; turns--) {
        const shard = level.ring.shift()!;
        const dq = level.shards.get(shard)!;
        this.dropStale(dq);
        if (dq.length === 0) { level.shards.delete(shard); continue; }
        if (!canRun(shard, PRIORITIES[l])) { level.ring.push(shard); continue; }
        const e = dq.shift()!;
        this.dropStale(dq);
        if (dq.length > 0) level.ring.push(shard); else level.shards.delete(shard);
        const pending = this.pending.get(e.key)!;
        this.pending.delete(e.key);
        return { key: e.key, shard, pending };
      }
    }
    return undefined;
  }

  /** Entries superseded by a priority raise (or already taken) are skipped lazily. */
  private dropStale(dq: Deque<Entry>): void {
    for (let e = dq.peek(); e && this.pending.get(e.key)?.seq !== e.seq; e = dq.peek()) dq.shift();
  }
}
