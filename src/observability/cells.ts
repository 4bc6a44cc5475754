// Metric families recorded as plain numbers and exported through prom-client at scrape time. A family hands out one
// cell per label set (made once, then kept by the caller or found by a string key), and recording is a number
// update on that cell: no label hashing or validation per request, as prom-client's labelled updates do. At scrape
// the registry calls get(), which yields the values prom-client's Counter, Gauge and Histogram yield, so the
// exposition text (names, HELP, TYPE, labels, buckets) is the one they produce.
import type { Registry } from 'prom-client';

type LabelValues = Record<string, string>;
interface Sample { value: number; labels: Record<string, string | number>; metricName?: string }
interface Exported { name: string; help: string; type: 'counter' | 'gauge' | 'histogram'; values: Sample[]; aggregator: 'sum' }

export class CounterCell {
  value = 0;
  inc(by = 1): void { this.value += by; }
}

export class GaugeCell {
  value = 0;
  inc(by = 1): void { this.value += by; }
  dec(by = 1): void { this.value -= by; }
  set(v: number): void { this.value = v; }
}

export class HistogramCell {
  /** counts[i]: observations in (bounds[i-1], bounds[i]]; the last slot holds those above every bound. */
  readonly counts: number[];
  sum = 0;
  count = 0;
  constructor(private readonly bounds: readonly number[]) { this.counts = new Array<number>(bounds.length + 1).fill(0); }
  observe(v: number): void {
    if (!Number.isFinite(v)) return;
    const b = this.bounds;
    let i = 0;
    while (i < b.length && v > b[i]) i++;
    this.counts[i]++;
    this.sum += v;
    this.count++;
  }
}

interface Config { name: string; help: string; labelNames?: readonly string[]; registers: Registry[] }

/** A metric family of cells; registered in `registers` as prom-client metrics are. */
abstract class Family<C> {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly string[];
  readonly aggregator = 'sum' as const;
  private readonly cells = new Map<string, { labels: LabelValues; cell: C }>();
  /** Run before each export (scrape-time gauges fill their cells here). */
  collect?: () => void;

  constructor(c: Config) {
    this.name = c.name;
    this.help = c.help;
    this.labelNames = c.labelNames ?? [];
    for (const r of c.registers) r.registerMetric(this as never);
  }

  protected abstract make(): C;

  /** The cell of one label set, values in labelNames order; made on first use. */
  labels(...values: string[]): C {
    const key = values.length === 1 ? values[0] : JSON.stringify(values);
    let e = this.cells.get(key);
    if (!e) {
      if (values.length !== this.labelNames.length) {
        throw new Error(`${this.name}: ${values.length} label values for ${this.labelNames.length} labels`);
      }
      const labels: LabelValues = {};
      this.labelNames.forEach((n, i) => { labels[n] = String(values[i]); });
      e = { labels, cell: this.make() };
      this.cells.set(key, e);
    }
    return e.cell;
  }

  /** Drops every cell (scrape-time gauges refill theirs; cells held by callers stop being exported). */
  reset(): void { this.cells.clear(); }

  protected entries(): Iterable<{ labels: LabelValues; cell: C }> { return this.cells.values(); }

  protected abstract samples(): Sample[];
  abstract readonly type: Exported['type'];

  /** What prom-client's registry formats (the shape of prom-client's own metrics' get()). */
  async get(): Promise<Exported> {
    this.collect?.();
    return { name: this.name, help: this.help, type: this.type, values: this.samples(), aggregator: this.aggregator };
  }
}

export class CounterFamily extends Family<CounterCell> {
  readonly type = 'counter';
  protected make(): CounterCell { return new CounterCell(); }
  /** The unlabelled cell (a family without labels). */
  get cell(): CounterCell { return this.labels(); }
  protected samples(): Sample[] {
    return [...this.entries()].map(({ labels, cell }) => ({ value: cell.value, labels: { ...labels } }));
  }
}

export class GaugeFamily extends Family<GaugeCell> {
  readonly type = 'gauge';
  protected make(): GaugeCell { return new GaugeCell(); }
  get cell(): GaugeCell { return this.labels(); }
  protected samples(): Sample[] {
    return [...this.entries()].map(({ labels, cell }) => ({ value: cell.value, labels: { ...labels } }));
  }
}

export class HistogramFamily extends Family<HistogramCell> {
  readonly type = 'histogram';
  readonly buckets: readonly number[];
  constructor(c: Config & { buckets: readonly number[] }) {
    super(c);
    this.buckets = [...c.buckets].sort((a, b) => a - b);
  }
  protected make(): HistogramCell { return new HistogramCell(this.buckets); }
  /** Cumulative buckets (le), +Inf, _sum and _count per label set, as prom-client's Histogram exports them. */
  protected samples(): Sample[] {
    const out: Sample[] = [];
    const bucket = `${this.name}_bucket`;
    for (const { labels, cell } of this.entries()) {
      let acc = 0;
      this.buckets.forEach((le, i) => {
        acc += cell.counts[i];
        out.push({ metricName: bucket, value: acc, labels: { le, ...labels } });
      });
      out.push({ metricName: bucket, value: cell.count, labels: { le: '+Inf', ...labels } });
      out.push({ metricName: `${this.name}_sum`, value: cell.sum, labels: { ...labels } });
      out.push({ metricName: `${this.name}_count`, value: cell.count, labels: { ...labels } });
    }
    return out;
  }
}
