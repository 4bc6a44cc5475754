// A named, de-duplicating work queue: each key is processed by one worker at a time, with bounded parallelism;
// keys are taken by priority, then round-robin across shards (tenants), so one busy shard cannot starve another;
// failures are retried with backoff (outside the workers). With a Leadership handle, keys only run while leading.
import { alwaysLeader, type Leadership } from './leadership.ts';
import { FairPending, type Priority } from './queue-fair.ts';
import { BucketHistogram, type QueueStatsView } from './queue-stats.ts';

export type { Priority } from './queue-fair.ts';

export interface WorkQueueOptions {
  /** A fixed name for logs and metrics (workqueue_*{name}). */
  name?: string;
  /** Keys processed at once (default 4). */
  concurrency?: number;
  /** The fairness shard of a key, e.g. its logical cluster (default: the key itself, i.e. plain FIFO). */
  shardOf?: (key: string) => string;
  /** Keys of one shard processed at once (default: half the workers, at least 1). */
  shardConcurrency?: number;
  log?: (m: string) => void;
  maxBackoffMs?: number;
  /** Keys are processed only while leadership.isLeader() (default: always). */
  leadership?: Leadership;
  /** Monotonic clock in milliseconds (tests). */
  now?: () => number;
}

export interface AddOptions {
  /** 'low' is background resync: it runs only when no normal key can, on at most half the workers (at least one). */
  priority?: Priority;
}

export class WorkQueue implements QueueStatsView {
  readonly name: string;
  private readonly pendingKeys: FairPending;
  /** Running keys → start time, and their shard. */
  private readonly active = new Map<string, { started: number; shard: string; priority: Priority }>();
  /** Keys added while running: re-queued with this priority when they finish. */
  private readonly dirty = new Map<string, Priority>();
  /** Failing keys waiting for their retry, and their attempt counts. */
  private readonly backoff = new Map<string, NodeJS.Timeout>();
  private readonly attempts = new Map<string, number>();
  private readonly perShard = new Map<string, number>();
  private runningLow = 0;
  private stopped = false;
  private idleWaiters: Array<() => void> = [];
  private readonly leadership: Leadership;
  private readonly unsubscribe: () => void;
  private readonly now: () => number;
  private readonly max: number;
  private readonly maxPerShard: number;
  adds = 0;
  retries = 0;
  readonly queueDuration = new BucketHistogram();
  readonly workDuration = new BucketHistogram();

  constructor(private readonly work: (key: string) => Promise<void>, private readonly opts: WorkQueueOptions = {}) {
    this.leadership = opts.leadership ?? alwaysLeader;
    this.now = opts.now ?? (() => performance.now());
    this.max = Math.max(1, opts.concurrency ?? 4);
    this.maxPerShard = Math.max(1, opts.shardConcurrency ?? Math.ceil(this.max / 2));
    this.pendingKeys = new FairPending(opts.shardOf ?? ((k) => k));
    this.name = opts.name ?? 'unnamed';
    // Gaining leadership starts the keys that piled up; losing it lets running keys finish and starts no more.
    this.unsubscribe = this.leadership.onChange(() => this.pump());
  }

  add(key: string, opts: AddOptions = {}): void {
    if (this.stopped) return;
    const priority = opts.priority ?? 'normal';
    if (this.active.has(key) || this.backoff.has(key)) {
      const cur = this.dirty.get(key);
      if (cur === undefined || (cur === 'low' && priority === 'normal')) this.dirty.set(key, priority);
      return;
    }
    if (this.pendingKeys.put(key, priority, this.now())) this.adds++;
    this.pump();
  }

  /** Keys waiting to run (e.g. while another replica leads). */
  get queued(): number { return this.pendingKeys.size; }
  get depth(): number { return this.pendingKeys.size; }
  /** Keys being processed now. */
  get running(): number { return this.active.size; }

  longestRunningSeconds(): number {
    const now = this.now();
    let oldest = now;
    for (const a of this.active.values()) oldest = Math.min(oldest, a.started);
    return (now - oldest) / 1000;
  }

  unfinishedWorkSeconds(): number {
    const now = this.now();
    let sum = 0;
    for (const a of this.active.values()) sum += now - a.started;
    return sum / 1000;
  }

  private readonly levelOpen = (priority: Priority): boolean =>
    priority !== 'low' || this.runningLow < Math.max(1, Math.floor(this.max / 2));
  private readonly canRun = (shard: string, priority: Priority): boolean =>
    (this.perShard.get(shard) ?? 0) < this.maxPerShard && this.levelOpen(priority);

  private pump(): void {
    while (!this.stopped && this.leadership.isLeader() && this.active.size < this.max) {
      const next = this.pendingKeys.take(this.canRun, this.levelOpen);
      if (!next) break;
      const started = this.now();
      this.queueDuration.observe((started - next.pending.since) / 1000);
      this.active.set(next.key, { started, shard: next.shard, priority: next.pending.priority });
      this.perShard.set(next.shard, (this.perShard.get(next.shard) ?? 0) + 1);
      if (next.pending.priority === 'low') this.runningLow++;
      void this.run(next.key, next.pending.priority);
    }
    if (this.isIdle()) {
      const w = this.idleWaiters; this.idleWaiters = [];
      for (const f of w) f();
    }
  }

  private async run(key: string, priority: Priority): Promise<void> {
    let failed = false;
    try {
      // Background work starts in a turn of its own: a store that answers without I/O (SQLite) would otherwise chain
      // thousands of resync keys in microtasks and hold requests (and /readyz) until all are done.
      if (priority === 'low') await new Promise((r) => setImmediate(r));
      await this.work(key);
      this.attempts.delete(key);
    } catch (e) {
      failed = true;
      const attempt = this.attempts.get(key) ?? 0;
      this.opts.log?.(`${this.name}: reconcile ${key} failed (attempt ${attempt + 1}): ${(e as Error).message}`);
      this.attempts.set(key, attempt + 1);
    }
    const a = this.active.get(key)!;
    this.active.delete(key);
    this.workDuration.observe((this.now() - a.started) / 1000);
    const n = (this.perShard.get(a.shard) ?? 1) - 1;
    if (n > 0) this.perShard.set(a.shard, n); else this.perShard.delete(a.shard);
    if (priority === 'low') this.runningLow--;
    if (failed && !this.stopped) this.retryLater(key, priority);
    else if (!this.stopped) { const d = this.dirty.get(key); if (d) { this.dirty.delete(key); this.add(key, { priority: d }); } }
    this.pump();
  }

  /** A failed key frees its worker and comes back after its backoff (a change meanwhile joins that retry). */
  private retryLater(key: string, priority: Priority): void {
    const attempt = this.attempts.get(key) ?? 1;
    const delay = Math.min(this.opts.maxBackoffMs ?? 5000, 50 * 2 ** (attempt - 1));
    this.backoff.set(key, setTimeout(() => {
      this.backoff.delete(key);
      if (this.stopped) return;
      this.retries++;
      const d = this.dirty.get(key);
      this.dirty.delete(key);
      this.add(key, { priority: d === 'normal' ? 'normal' : priority });
    }, delay).unref());
  }

  /** Nothing running or backing off, and nothing queued that could run now (keys parked while not leading do not count). */
  private isIdle(): boolean {
    if (this.stopped) return this.active.size === 0;
    return this.active.size === 0 && (this.backoff.size === 0 || !this.leadership.isLeader())
      && (this.pendingKeys.size === 0 || !this.leadership.isLeader());
  }

  /** Resolves when nothing is queued or running (tests and shutdown); a non-leader only waits for running keys. */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  stop(): void {
    this.stopped = true;
    this.unsubscribe();
    for (const t of this.backoff.values()) clearTimeout(t);
    this.backoff.clear();
    this.pump(); // releases idle() waiters once running keys finish
  }
}
