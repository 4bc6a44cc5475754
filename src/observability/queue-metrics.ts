// Controller work queues on /metrics under Kubernetes' workqueue_* names, one series per queue name (a fixed set
// chosen in code). The core keeps plain counters and bucketed histograms; they are read here when Prometheus scrapes.
import type { Histogram, Registry } from 'prom-client';
import { QUEUE_BUCKETS, type BucketHistogram, type QueueRegistry, type QueueStatsView } from '../apiserver/controllers/queue-stats.ts';

interface Sample { metricName?: string; labels: Record<string, string | number>; value: number }
interface Family { name: string; help: string; type: 'gauge' | 'counter' | 'histogram'; values: Sample[]; aggregator: 'sum' }

/** A metric whose samples are computed at scrape time (prom-client calls get() while formatting). */
class ScrapedMetric {
  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: Family['type'],
    private readonly samples: () => Sample[],
  ) {}
  get(): Family { return { name: this.name, help: this.help, type: this.type, values: this.samples(), aggregator: 'sum' }; }
}

function histogramSamples(name: string, queue: string, h: BucketHistogram): Sample[] {
  const cumulative = h.cumulative();
  const out: Sample[] = QUEUE_BUCKETS.map((le, i) => ({ metricName: `${name}_bucket`, labels: { name: queue, le }, value: cumulative[i] }));
  out.push({ metricName: `${name}_bucket`, labels: { name: queue, le: '+Inf' }, value: h.count });
  out.push({ metricName: `${name}_sum`, labels: { name: queue }, value: h.sum });
  out.push({ metricName: `${name}_count`, labels: { name: queue }, value: h.count });
  return out;
}

export function registerQueueMetrics(registry: Registry, queues: QueueRegistry): void {
  const per = (f: (q: QueueStatsView) => number) => () => queues.all().map(([name, q]) => ({ labels: { name }, value: f(q) }));
  const hist = (metric: string, f: (q: QueueStatsView) => BucketHistogram) => () => queues.all().flatMap(([name, q]) => histogramSamples(metric, name, f(q)));
  const metrics = [
    new ScrapedMetric('workqueue_depth', 'Current depth of workqueue', 'gauge', per((q) => q.depth)),
    new ScrapedMetric('workqueue_adds_total', 'Total number of adds handled by workqueue', 'counter', per((q) => q.adds)),
    new ScrapedMetric('workqueue_retries_total', 'Total number of retries handled by workqueue', 'counter', per((q) => q.retries)),
    new ScrapedMetric('workqueue_queue_duration_seconds', 'How long in seconds an item stays in workqueue before being requested.',
      'histogram', hist('workqueue_queue_duration_seconds', (q) => q.queueDuration)),
    new ScrapedMetric('workqueue_work_duration_seconds', 'How long in seconds processing an item from workqueue takes.',
      'histogram', hist('workqueue_work_duration_seconds', (q) => q.workDuration)),
    new ScrapedMetric('workqueue_longest_running_processor_seconds',
      'How many seconds has the longest running processor for workqueue been running.', 'gauge', per((q) => q.longestRunningSeconds())),
    new ScrapedMetric('workqueue_unfinished_work_seconds',
      'How many seconds of work has done that is in progress and hasn\'t been observed by work_duration.', 'gauge', per((q) => q.unfinishedWorkSeconds())),
  ];
  // prom-client's Registry formats any object with name, help, type and get(); its types only name its own classes.
  for (const m of metrics) registry.registerMetric(m as unknown as Histogram);
}
