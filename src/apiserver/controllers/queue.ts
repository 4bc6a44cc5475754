// A de-duplicating work queue: each key is processed by one worker at a time; failures are retried with backoff.
export class WorkQueue {
  private readonly pending = new Set<string>();
  private readonly active = new Set<string>();
  private readonly dirty = new Set<string>();
  private readonly order: string[] = [];
  private running = 0;
  private stopped = false;
  private idleWaiters: Array<() => void> = [];

  constructor(
    private readonly work: (key: string) => Promise<void>,
    private readonly opts: { concurrency?: number; log?: (m: string) => void; maxBackoffMs?: number } = {},
  ) {}

  add(key: string): void {
    if (this.stopped) return;
    if (this.active.has(key)) { this.dirty.add(key); return; }
    if (this.pending.has(key)) return;
    this.pending.add(key);
    this.order.push(key);
    this.pump();
  }

  private pump(): void {
    const max = this.opts.concurrency ?? 4;
    while (this.running < max && this.order.length > 0) {
      const key = this.order.shift()!;
      this.pending.delete(key);
      this.active.add(key);
      this.running++;
      void this.run(key, 0);
    }
    if (this.running === 0 && this.order.length === 0) {
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
        if (!this.stopped) return this.run(key, attempt + 1);
      }
    }
    this.active.delete(key);
    this.running--;
    if (this.dirty.delete(key)) this.add(key);
    this.pump();
  }

  /** Resolves when nothing is queued or running (tests and shutdown). */
  idle(): Promise<void> {
    if (this.running === 0 && this.order.length === 0) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  stop(): void { this.stopped = true; }
}
