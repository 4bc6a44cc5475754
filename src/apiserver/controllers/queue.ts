// A de-duplicating work queue: each key is processed by one worker at a time; failures are retried with backoff.
// With a Leadership handle, keys are only processed while this replica leads; others wait until it does.
import { alwaysLeader, type Leadership } from './leadership.ts';

export interface WorkQueueOptions {
  concurrency?: number;
  log?: (m: string) => void;
  maxBackoffMs?: number;
  /** Keys are processed only while leadership.isLeader() (default: always). */
  leadership?: Leadership;
}

export class WorkQueue {
  private readonly pending = new Set<string>();
  private readonly active = new Set<string>();
  private readonly dirty = new Set<string>();
  private order: string[] = [];
  private running = 0;
  private stopped = false;
  private idleWaiters: Array<() => void> = [];
  private readonly leadership: Leadership;
  private readonly unsubscribe: () => void;

  constructor(private readonly work: (key: string) => Promise<void>, private readonly opts: WorkQueueOptions = {}) {
    this.leadership = opts.leadership ?? alwaysLeader;
    // Gaining leadership starts the keys that piled up; losing it lets running keys finish and starts no more.
    this.unsubscribe = this.leadership.onChange(() => this.pump());
  }

  add(key: string): void {
    if (this.stopped) return;
    if (this.active.has(key)) { this.dirty.add(key); return; }
    if (this.pending.has(key)) return;
    this.pending.add(key);
    this.order.push(key);
    this.pump();
  }

  /** Keys waiting to run (e.g. while another replica leads). */
  get queued(): number { return this.order.length; }

  private pump(): void {
    const max = this.opts.concurrency ?? 4;
    while (!this.stopped && this.leadership.isLeader() && this.running < max && this.order.length > 0) {
      const key = this.order.shift()!;
      this.pending.delete(key);
      this.active.add(key);
      this.running++;
      void this.run(key, 0);
    }
    if (this.isIdle()) {
      const w = this.idleWaiters; this.idleWaiters = [];
      for (const f of w) f();
    }
  }

  private async run(key: string, attempt: number): Promise<void> {
    try {
      await this.work(key);
    } catch (e) {
      this.opts.log?.(`reconcile ${key} failed (attempt ${attempt + 1}): ${(e as Error).message}`);
      if (!this.stopped) {
        const delay = Math.min(this.opts.maxBackoffMs ?? 5000, 50 * 2 ** attempt);
        await new Promise((r) => setTimeout(r, delay).unref());
        if (!this.stopped && this.leadership.isLeader()) return this.run(key, attempt + 1);
        // Lost leadership while backing off: the key waits for the next term (here or on the new leader).
        if (!this.stopped) this.dirty.add(key);
      }
    }
    this.active.delete(key);
    this.running--;
    if (this.dirty.delete(key)) this.add(key);
    this.pump();
  }

  /** Nothing running, and nothing queued that could run now (keys parked while not leading do not count). */
  private isIdle(): boolean {
    return this.running === 0 && (this.order.length === 0 || !this.leadership.isLeader() || this.stopped);
  }

  /** Resolves when nothing is queued or running (tests and shutdown); a non-leader only waits for running keys. */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  stop(): void {
    this.stopped = true;
    this.unsubscribe();
    this.pump(); // releases idle() waiters once running keys finish
  }
}
