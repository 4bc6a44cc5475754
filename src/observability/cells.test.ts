import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { CounterFamily, GaugeFamily, HistogramFamily } from './cells.ts';
import { REQUEST_DURATION_BUCKETS } from './metrics.ts';

// The same updates through prom-client's metrics and through cells must give the same exposition text, byte for byte.
describe('metric cells', () => {
  const pair = () => ({ theirs: new Registry(), ours: new Registry() });

  it('export counters as prom-client does, with exact counts per label set', async () => {
    const { theirs, ours } = pair();
    const help = 'Requests.';
    const labelNames = ['verb', 'resource', 'code'];
    const a = new Counter({ name: 'x_total', help, labelNames, registers: [theirs] });
    const b = new CounterFamily({ name: 'x_total', help, labelNames, registers: [ours] });
    const plain = new Counter({ name: 'y_total', help, registers: [theirs] });
    const plainCells = new CounterFamily({ name: 'y_total', help, registers: [ours] });
    const updates: Array<[string, string, string, number]> = [['GET', 'pods', '200', 1], ['GET', 'pods', '200', 1], ['LIST', 'pods', '200', 1],
      ['GET', 'pods', '404', 1], ['POST', 'configmaps', '201', 3], ['GET', 'a"b\\c\nd', '200', 1]];
    for (const [verb, resource, code, n] of updates) {
      a.labels(verb, resource, code).inc(n);
      b.labels(verb, resource, code).inc(n);
    }
    plain.inc(5);
    plainCells.cell.inc(5);
    assert.equal(await ours.metrics(), await theirs.metrics());
    assert.match(await ours.metrics(), /^x_total\{verb="GET",resource="pods",code="200"\} 2$/m);
    assert.match(await ours.metrics(), /^y_total 5$/m);
  });

  it('export histograms as prom-client does: cumulative buckets, +Inf, sum and count', async () => {
    const { theirs, ours } = pair();
    const help = 'Latency.';
    const labelNames = ['verb', 'scope'];
    const a = new Histogram({ name: 'lat_seconds', help, labelNames, buckets: REQUEST_DURATION_BUCKETS, registers: [theirs] });
    const b = new HistogramFamily({ name: 'lat_seconds', help, labelNames, buckets: REQUEST_DURATION_BUCKETS, registers: [ours] });
    // On bounds, between them, below the first, above the last (only in +Inf). GET: 0, 0.0051, 1, 60; LIST: the rest.
    const values = [0, 0.001, 0.005, 0.0051, 0.025, 0.3, 1, 1.25, 7, 60, 61, 1000];
    for (const [i, v] of values.entries()) {
      const l = i % 3 === 0 ? ['GET', 'resource'] : ['LIST', 'namespace'];
      a.labels(...l).observe(v);
      b.labels(...l).observe(v);
    }
    const text = await ours.metrics();
    assert.equal(text, await theirs.metrics());
    assert.match(text, /^lat_seconds_bucket\{le="0.005",verb="GET",scope="resource"\} 1$/m);
    assert.match(text, /^lat_seconds_bucket\{le="\+Inf",verb="GET",scope="resource"\} 4$/m);
    assert.match(text, /^lat_seconds_count\{verb="LIST",scope="namespace"\} 8$/m);
    assert.match(text, /^lat_seconds_bucket\{le="60",verb="LIST",scope="namespace"\} 6$/m);
  });

  it('export gauges as prom-client does, and refill scrape-time gauges through collect', async () => {
    const { theirs, ours } = pair();
    const a = new Gauge({ name: 'g', help: 'G.', labelNames: ['kind'], registers: [theirs] });
    const b = new GaugeFamily({ name: 'g', help: 'G.', labelNames: ['kind'], registers: [ours] });
    for (const g of [a, b]) {
      g.labels('readOnly').inc(); g.labels('readOnly').inc(); g.labels('readOnly').dec();
      g.labels('mutating').set(4);
    }
    assert.equal(await ours.metrics(), await theirs.metrics());
    let n = 0;
    b.collect = () => { b.reset(); b.labels('scraped').set(++n); };
    assert.match(await ours.metrics(), /^g\{kind="scraped"\} 1$/m);
    assert.doesNotMatch(await ours.metrics(), /readOnly/);
  });

  it('refuses a label set of the wrong size, and hands out one cell per label set', () => {
    const c = new CounterFamily({ name: 'z_total', help: 'Z.', labelNames: ['a', 'b'], registers: [] });
    assert.throws(() => c.labels('x'), /1 label values for 2 labels/);
    assert.equal(c.labels('x', 'y'), c.labels('x', 'y'));
    assert.notEqual(c.labels('x', 'y'), c.labels('x\u0000', 'y'));
    assert.notEqual(c.labels('x\u0000', 'y'), c.labels('x', '\u0000y'));
  });
});
