// bench/platform helpers: progress lines on stderr while a phase runs (created / Ready, rate, RSS, load), the lazy
// RBAC index's residency (clusters loaded, sweep), and the cost of the first decision in an idle tenant (its load).
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { PerformanceObserver, constants, monitorEventLoopDelay } from 'node:perf_hooks';
import { GCProfiler, getHeapSpaceStatistics } from 'node:v8';
import type { ModuleContext } from '../../src/apiserver/extension.ts';
import type { Attributes } from '../../src/apiserver/auth/types.ts';

const mb = (n: number) => `${(n / 1024 / 1024).toFixed(0)} MB`;

export class Progress {
  phase = 'start';
  target = 0;
  created = 0;
  ready = 0;
  private timer?: NodeJS.Timeout;
  private readonly t0 = performance.now();
  private last = { t: performance.now(), ready: 0 };

  /** Prints a line every `everyMs` to stderr. */
  start(everyMs = 5000): void {
    this.timer = setInterval(() => this.line(), everyMs);
    this.timer.unref();
  }

  stop(): void { clearInterval(this.timer); }

  private line(): void {
    const now = performance.now();
    const rate = ((this.ready - this.last.ready) / ((now - this.last.t) / 1000)).toFixed(0);
    this.last = { t: now, ready: this.ready };
    const u = process.memoryUsage();
    process.stderr.write(`[${((now - this.t0) / 1000).toFixed(0)}s] ${this.phase}: created ${this.created}/${this.target}, Ready ${this.ready} `
      + `(${rate}/s), RSS ${mb(u.rss)}, heap ${mb(u.heapUsed)}, load ${os.loadavg()[0]!.toFixed(1)}\n`);
  }
}

interface Lazy { stats(): { loaded: number; loads: number; unloads: number }; sweep(): number }

/** The RBAC authorizer's residency (lazy clusters); zeros when the authorizer holds every cluster. */
export function residency(m: ModuleContext): { loaded: number; loads: number; sweep(): number } {
  const r = m.authorizers.rbac as unknown as Partial<Lazy> | undefined;
  const s = r?.stats?.() ?? { loaded: 0, loads: 0, unloads: 0 };
  return { loaded: s.loaded, loads: s.loads, sweep: () => r?.sweep?.() ?? 0 };
}

/** The first RBAC decision in up to 200 idle tenants (each loads its cluster): p50 / p99 in ms. */
export async function firstDecisions(m: ModuleContext, tenants: number, tenant: (i: number) => string, user: (i: number) => string): Promise<{ p50: number; p99: number; n: number }> {
  const rbac = m.authorizers.rbac!;
  const times: number[] = [];
  const step = Math.max(1, Math.floor(tenants / 200));
  for (let i = 1; i < tenants; i += step) {
    const a: Attributes = {
      user: { username: user(i), groups: ['system:authenticated'] }, cluster: tenant(i), verb: 'list', isResourceRequest: true, path: '',
      apiGroup: '', apiVersion: 'v1', resource: 'pods', subresource: '', namespace: 'default', name: '',
    };
    const s = performance.now();
    await rbac.authorize(a);
    times.push(performance.now() - s);
  }
  times.sort((x, y) => x - y);
  const pct = (p: number) => times[Math.min(times.length - 1, Math.floor((p / 100) * times.length))] ?? NaN;
  return { p50: pct(50), p99: pct(99), n: times.length };
}

/** CPU time of this process's main thread (Linux: /proc/self/task/<pid>/stat utime + stime), else undefined. */
function mainThreadCpuMs(): number | undefined {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / TICKS;
  } catch {
    return undefined;
  }
}
const TICKS = 100; // USER_HZ on Linux

/**
 * Work per tenant while a phase runs: backend write transactions (create / update / delete / batch, counted through
 * the storage observer) and keys processed per controller queue. `start()` snapshots, `rows(n)` gives figures per n.
 */
export class WorkCounter {
  private writes = 0;
  private readonly ops = new Map<string, number>();
  private runs0 = new Map<string, number>();
  private writes0 = 0;
  private cpu0 = process.cpuUsage();
  private elu0 = performance.eventLoopUtilization();
  private main0 = mainThreadCpuMs();

  constructor(private readonly m: ModuleContext) {
    const inner = m.instrument.storage;
    m.instrument.storage = (op, seconds, ok) => {
      if (op !== 'get' && op !== 'list') { this.writes++; this.ops.set(op, (this.ops.get(op) ?? 0) + 1); }
      inner?.(op, seconds, ok);
    };
  }

  start(): void {
    this.writes0 = this.writes;
    this.ops.clear();
    this.runs0 = new Map(this.m.queues.all().map(([n, q]) => [n, q.workDuration.count]));
    this.cpu0 = process.cpuUsage();
    this.elu0 = performance.eventLoopUtilization();
    this.main0 = mainThreadCpuMs();
  }

  /** Figures per tenant since start(). */
  rows(n: number): Array<{ metric: string; value: string }> {
    const per = (x: number) => (x / Math.max(1, n)).toFixed(2);
    const cpu = process.cpuUsage(this.cpu0);
    const elu = performance.eventLoopUtilization(this.elu0);
    const main = mainThreadCpuMs();
    const queues = this.m.queues.all()
      .map(([name, q]) => [name, q.workDuration.count - (this.runs0.get(name) ?? 0)] as const)
      .filter(([, c]) => c > 0).map(([name, c]) => `${name} ${per(c)}`).join(', ');
    const ops = [...this.ops].map(([op, c]) => `${op} ${per(c)}`).join(', ');
    return [
      { metric: 'process CPU per tenant (user + system)', value: `${((cpu.user + cpu.system) / 1000 / Math.max(1, n)).toFixed(2)} ms` },
      // what bounds latency: the event loop's thread (other threads, the SQLite writer and GC helpers, are not in it);
      // its busy time is wall time, so it also counts time the thread waited for a core on a loaded machine
      { metric: 'main thread CPU per tenant; event loop busy (wall)', value: `${main === undefined || this.main0 === undefined ? 'n/a' : ((main - this.main0) / Math.max(1, n)).toFixed(2)} ms; ${(elu.active / Math.max(1, n)).toFixed(2)} ms (${(elu.utilization * 100).toFixed(0)}% of the time)` },
      { metric: 'write transactions per tenant', value: `${per(this.writes - this.writes0)} (${ops})` },
      { metric: 'reconciles per tenant, by queue', value: queues },
    ];
  }
}

/**
 * Garbage collections while a phase runs (perf_hooks 'gc' entries): count, longest and total pause of major
 * (mark-compact) and minor (scavenge) collections, the largest old-generation size sampled, and event-loop stalls.
 */
export class GcCounter {
  private readonly major: number[] = [];
  private readonly minor: number[] = [];
  private maxOld = 0;
  private readonly observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const kind = (e as unknown as { detail?: { kind?: number } }).detail?.kind;
      if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) this.major.push(e.duration);
      else if (kind === constants.NODE_PERFORMANCE_GC_MINOR) this.minor.push(e.duration);
    }
  });
  private sampler?: NodeJS.Timeout;
  private readonly lag = monitorEventLoopDelay({ resolution: 10 });
  private readonly profiler = new GCProfiler();
  /** Bytes allocated (heap growth between collections) and promoted to the old generation by scavenges. */
  private allocated = 0;
  private promoted = 0;

  start(): void {
    this.profiler.start();
    this.observer.observe({ entryTypes: ['gc'] });
    this.lag.enable();
    this.sampler = setInterval(() => {
      const old = getHeapSpaceStatistics().find((s) => s.space_name === 'old_space')?.space_used_size ?? 0;
      this.maxOld = Math.max(this.maxOld, old);
    }, 250);
    this.sampler.unref();
  }

  stop(): void {
    type Space = { spaceName: string; spaceUsedSize: number };
    type Stat = { gcType: string; beforeGC: { heapStatistics: { usedHeapSize: number }; heapSpaceStatistics: Space[] }; afterGC: { heapStatistics: { usedHeapSize: number }; heapSpaceStatistics: Space[] } };
    const stats = (this.profiler.stop() as unknown as { statistics: Stat[] } | undefined)?.statistics ?? [];
    const old = (xs: Space[]) => xs.find((x) => x.spaceName === 'old_space')?.spaceUsedSize ?? 0;
    let prev: number | undefined;
    for (const s of stats) {
      if (prev !== undefined) this.allocated += Math.max(0, s.beforeGC.heapStatistics.usedHeapSize - prev);
      prev = s.afterGC.heapStatistics.usedHeapSize;
      if (s.gcType === 'Scavenge') this.promoted += Math.max(0, old(s.afterGC.heapSpaceStatistics) - old(s.beforeGC.heapSpaceStatistics));
    }
    this.observer.disconnect();
    this.lag.disable();
    clearInterval(this.sampler);
  }

  rows(tenants: number): Array<{ metric: string; value: string }> {
    const per = (x: number) => `${(x / Math.max(1, tenants) / 1024).toFixed(0)} KB`;
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    const max = (xs: number[]) => xs.reduce((a, b) => Math.max(a, b), 0);
    return [
      { metric: 'major GCs (mark-compact): count / longest / total pause', value: `${this.major.length} / ${max(this.major).toFixed(0)} / ${sum(this.major).toFixed(0)} ms` },
      { metric: 'minor GCs (scavenge): count / longest / total pause', value: `${this.minor.length} / ${max(this.minor).toFixed(0)} / ${sum(this.minor).toFixed(0)} ms` },
      { metric: 'heap allocated / promoted by scavenges, per tenant', value: `${per(this.allocated)} / ${per(this.promoted)}` },
      { metric: 'old space, largest sampled (every 250 ms)', value: mb(this.maxOld) },
      { metric: 'event-loop delay p99 / max', value: `${(this.lag.percentile(99) / 1e6).toFixed(0)} / ${(this.lag.max / 1e6).toFixed(0)} ms` },
    ];
  }
}

/**
 * Where a tenant's create→Ready time goes, hop by hop: its create request answered, its LogicalCluster created by
 * the tenant controller, made Ready by the logical-cluster controller (bootstrap), then the tenant made Ready (role
 * mapping, objects, host tier). `slowest(names)` gives the mean of each hop over those tenants.
 */
export class Hops {
  private readonly t = new Map<string, number[]>();
  private readonly watches: Array<{ stop(): void }> = [];

  constructor(private readonly m: ModuleContext) {}

  async start(): Promise<void> {
    const storage = this.m.store.storage;
    const prefix = '/root/tenancy.portcullis.io/logicalclusters/';
    const rv = (await storage.list(prefix, { limit: 1 })).rv;
    this.watches.push(storage.watch(prefix, rv, (ev) => {
      const name = ev.object.metadata.name!;
      const ready = (ev.object.status as { phase?: string } | undefined)?.phase === 'Ready';
      this.mark(name, ready ? 3 : 2);
    }));
  }

  /** Hop `i` of `name` reached now (0 scheduled, 1 create answered, 2 LogicalCluster, 3 it Ready, 4 tenant Ready). */
  mark(name: string, i: number, at = performance.now()): void {
    let times = this.t.get(name);
    if (!times) this.t.set(name, (times = []));
    times[i] ??= at;
  }

  stop(): void { for (const w of this.watches) w.stop(); }

  slowest(names: string[]): string {
    const hops = ['create answered', 'LogicalCluster created', 'it is Ready', 'tenant Ready'];
    const sums = [0, 0, 0, 0];
    let n = 0;
    for (const name of names) {
      const t = this.t.get(name);
      if (!t || t.length < 5 || t.some((x) => x === undefined)) continue;
      n++;
      for (let i = 0; i < 4; i++) sums[i] += t[i + 1] - t[i];
    }
    return n === 0 ? 'n/a' : hops.map((h, i) => `${h} +${(sums[i] / n).toFixed(0)}`).join(', ') + ` ms (${n} tenants)`;
  }
}
