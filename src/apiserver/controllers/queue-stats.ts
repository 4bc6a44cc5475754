// Plain counters and bucketed histograms a WorkQueue keeps about itself, and the per-server registry of named
// queues that the observability module reads at scrape time (the core imports no metrics library).

/** Kubernetes' workqueue latency buckets: 10 ns × 10^i, i = 0..11 (seconds). */
export const QUEUE_BUCKETS: readonly number[] = Array.from({ length: 12 }, (_, i) => 1e-8 * 10 ** i);

/** Cumulative-on-read histogram: counts per bucket (non-cumulative here), sum and count. */
export class BucketHistogram {
  readonly counts: number[] = QUEUE_BUCKETS.map(() => 0);
  sum = 0;
  count = 0;
  observe(seconds: number): void {
    this.sum += seconds;
    this.count++;
    const i = QUEUE_BUCKETS.findIndex((b) => seconds <= b);
    if (i >= 0) this.counts[i]++;
  }
  /** Counts of observations ≤ each bucket bound, as Prometheus exposes them. */
  cumulative(): number[] {
    let acc = 0;
    return this.counts.map((c) => (acc += c));
  }
}

export interface QueueStatsView {
  readonly name: string;
  /** Keys waiting to start (all priorities). */
  readonly depth: number;
  readonly adds: number;
  readonly retries: number;
  readonly queueDuration: BucketHistogram;
  readonly workDuration: BucketHistogram;
  /** Seconds the longest-running key has been processed so far (0 when none runs). */
  longestRunningSeconds(): number;
  /** Seconds of work in progress not yet observed in workDuration (sum over running keys). */
  unfinishedWorkSeconds(): number;
}

/** The named queues of one server. Names are fixed strings chosen in code, so metric labels stay bounded. */
export class QueueRegistry {
  private readonly queues = new Map<string, QueueStatsView>();

  /** Registers queues under their names; a second queue with a taken name is listed as `name-2`. */
  register(...queues: QueueStatsView[]): void {
    for (const q of queues) {
      let name = q.name;
      for (let i = 2; this.queues.has(name); i++) name = `${q.name}-${i}`;
      this.queues.set(name, q);
    }
  }

  /** [label name, stats] of every registered queue, in registration order. */
  all(): Array<[string, QueueStatsView]> { return [...this.queues]; }

  get(name: string): QueueStatsView | undefined { return this.queues.get(name); }
}
