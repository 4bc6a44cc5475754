// Authorization benchmark: the RBAC index vs the Kubernetes-style scan vs casbin@5 (RBAC with domains), at
// small / large / whale sizes, with a met / not met line per target of issue 3.
// Run: node --import tsx bench/authz/index.ts [small|large|whale ...] [--runs=N]  (medians of N timed runs)
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Attributes } from '../../src/apiserver/auth/types.ts';
import { RbacIndex } from '../../src/auth/authz/rbac/index.ts';
import { PolicyScan } from '../../src/auth/authz/rbac/scan-oracle.ts';
import { balancedRequests, bindingCount, generateCluster, randomRequest, type ClusterSpec, type GeneratedCluster, type RequestSource } from './policy-gen.ts';
import { casbinDecide, casbinEnforcer } from './casbin-baseline.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const heap = (): number => { gc(); gc(); return process.memoryUsage().heapUsed; };

interface Scenario {
  name: string;
  tenants: number;
  spec: ClusterSpec;
  whale?: ClusterSpec;
  /** Tenants sampled for the scan and casbin baselines (and their shared request set). */
  baselineSample: number;
}
const ordinary: ClusterSpec = { namespaces: 10, clusterBindings: 11, roleBindingsPerNs: 7, users: 30, groups: 5, customRoles: 4 };
const SCENARIOS: Scenario[] = [
  { name: 'small', tenants: 10, spec: { namespaces: 4, clusterBindings: 9, roleBindingsPerNs: 18, users: 30, groups: 5, customRoles: 4 }, baselineSample: 10 },
  { name: 'large', tenants: 10_000, spec: ordinary, baselineSample: 20 },
  { name: 'whale', tenants: 1_000, spec: ordinary, baselineSample: 0,
    whale: { namespaces: 500, clusterBindings: 10_000, roleBindingsPerNs: 100, users: 20_000, groups: 300, customRoles: 50 } },
];

const tenantName = (i: number): string => `tenant-${i}`;
const tenant = (s: Scenario, i: number): GeneratedCluster => generateCluster(tenantName(i), i + 1, s.spec);
const WHALE = 'whale';

interface Row { scenario: string; impl: string; bindings: number; buildMs: number; bytesPerBinding: number; cacheBytes?: number; rate: number; p50: number; p99: number; agree: string }
const rows: Row[] = [];

interface Measured { rate: number; p50: number; p99: number; results: boolean[] }

/** Throughput over `budgetMs`, then per-decision latency (and results) of the first `samples` requests. */
function measure(decide: (a: Attributes) => boolean, reqs: Attributes[], budgetMs: number, samples = 20_000): Measured {
  for (let i = 0; i < Math.min(reqs.length, Math.ceil(samples / 10)); i++) decide(reqs[i]!); // warm-up
  let n = 0;
  const start = performance.now();
  const deadline = start + budgetMs;
  while (performance.now() < deadline) {
    for (let i = 0; i < reqs.length && ((i & 63) !== 0 || performance.now() < deadline); i++, n++) decide(reqs[i]!);
  }
  const rate = n / ((performance.now() - start) / 1000);
  const count = Math.min(reqs.length, samples);
  const lat = new Float64Array(count);
  const results: boolean[] = [];
  let overhead = Infinity;
  for (let i = 0; i < 1000; i++) { const t0 = process.hrtime.bigint(); overhead = Math.min(overhead, Number(process.hrtime.bigint() - t0)); }
  for (let i = 0; i < count; i++) {
    const t0 = process.hrtime.bigint();
    results.push(decide(reqs[i]!));
    lat[i] = Math.max(0, Number(process.hrtime.bigint() - t0) - overhead) / 1000;
  }
  lat.sort();
  return { rate, p50: lat[Math.floor(count * 0.5)]!, p99: lat[Math.floor(count * 0.99)]!, results };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const RUNS = Number(process.argv.find((a) => a.startsWith('--runs='))?.slice(7) ?? 3);

/** `measure` RUNS times: the median rate, p50 and p99 (and the first run's results). */
function measureRuns(decide: (a: Attributes) => boolean, reqs: Attributes[], budgetMs: number, samples?: number): Measured {
  const all = Array.from({ length: RUNS }, () => measure(decide, reqs, budgetMs, samples));
  return { rate: median(all.map((m) => m.rate)), p50: median(all.map((m) => m.p50)), p99: median(all.map((m) => m.p99)), results: all[0]!.results };
}

const agreement = (m: Measured, reqs: Attributes[], allow: (a: Attributes) => boolean): string =>
  `${m.results.filter((r, i) => r === allow(reqs[i]!)).length}/${m.results.length}`;

async function run(s: Scenario): Promise<void> {
  const h0 = heap();
  const index = new RbacIndex();
  let buildMs = 0, bindings = 0;
  // Generated inside `load`, so no generated snapshot is still referenced (from this frame) when the heap
  // is measured: before 2026-11-23 the whale's was, and counted as index memory (~290 B per whale binding).
  const load = (name: string, make: () => GeneratedCluster): void => {
    const g = make();
    const t = performance.now();
    index.load(name, g.snapshot);
    buildMs += performance.now() - t;
    bindings += bindingCount(g.snapshot);
  };
  for (let i = 0; i < s.tenants; i++) load(tenantName(i), () => tenant(s, i));
  const whaleSpec = s.whale;
  if (whaleSpec) load(WHALE, () => generateCluster(WHALE, 999, whaleSpec));
  const bytes = (heap() - h0) / bindings;
  console.error(`[${s.name}] index: ${index.stats().clusters} clusters, ${bindings} bindings, ${index.stats().compiledRoles} compiled roles, built in ${buildMs.toFixed(0)} ms`);

  const allow = (a: Attributes): boolean => index.authorize(a).decision === 'allow';
  // Index requests over every tenant (or the whale); baseline requests over the sampled clusters. Only the
  // users and namespaces of each tenant are kept for generating requests.
  const wideList: Array<[string, RequestSource]> = Array.from({ length: s.tenants }, (_, i) => {
    const { users, namespaces } = tenant(s, i);
    return [tenantName(i), { users, namespaces }];
  });
  const whale = s.whale ? generateCluster(WHALE, 999, s.whale) : null;
  const baseClusters: Array<[string, GeneratedCluster]> = whale ? [[WHALE, whale]]
    : Array.from({ length: s.baselineSample }, (_, k) => { const i = Math.floor((k * s.tenants) / s.baselineSample); return [tenantName(i), tenant(s, i)]; });
  const pickFrom = (list: Array<[string, RequestSource]>) => (r: () => number): Attributes => {
    const [name, g] = list[Math.floor(r() * list.length)]!;
    return randomRequest(r, name, g);
  };
  const idxReqs = whale ? balancedRequests(100_000, 7, pickFrom(baseClusters), allow) : balancedRequests(100_000, 7, pickFrom(wideList), allow);
  const baseReqs = balancedRequests(whale ? 2_000 : 20_000, 11, pickFrom(baseClusters), allow);

  const ix = measureRuns(allow, idxReqs, 1500);
  const ixBase = measureRuns(allow, baseReqs, 800);
  // Memory built lazily by the decisions (decision views, subjects' role lists, allow reasons), then dropped.
  const views = index.viewStats();
  const withCaches = heap();
  index.clearCaches();
  const cacheBytes = (withCaches - heap()) / bindings;
  console.error(`[${s.name}] index: ${ix.rate.toFixed(0)}/s; caches: ${views.views} views (~${(views.bytes / 1e6).toFixed(1)} MB), ${views.resets} sweeps evicting ${views.evictions} entries, ${cacheBytes.toFixed(0)} B/binding`);
  rows.push({ scenario: s.name, impl: 'index', bindings, buildMs, bytesPerBinding: bytes, cacheBytes, ...ix, agree: '-' });
  rows.push({ scenario: s.name, impl: 'index (baseline requests)', bindings, buildMs, bytesPerBinding: bytes, cacheBytes, ...ixBase, agree: '-' });

  // Scan: one PolicyScan per sampled cluster.
  let hb = heap();
  let t = performance.now();
  const snapshots = baseClusters.map(([name, g]) => [name, g.snapshot] as const);
  const scans = new Map(snapshots.map(([name, snap]) => [name, new PolicyScan(snap)]));
  const scanBuild = performance.now() - t;
  const sampledBindings = snapshots.reduce((n, [, snap]) => n + bindingCount(snap), 0);
  const scanAllow = (a: Attributes): boolean => scans.get(a.cluster)!.authorize(a).decision === 'allow';
  const scanBytes = (heap() - hb) / sampledBindings;
  const sc = measureRuns(scanAllow, baseReqs, 1500, whale ? 2_000 : 20_000);
  rows.push({ scenario: s.name, impl: `scan (${baseClusters.length} clusters)`, bindings: sampledBindings, buildMs: scanBuild, bytesPerBinding: scanBytes, ...sc, agree: agreement(sc, baseReqs, allow) });
  console.error(`[${s.name}] scan: ${sc.rate.toFixed(0)}/s`);

  // casbin: one enforcer per sampled cluster.
  hb = heap();
  t = performance.now();
  const enforcers = new Map<string, Awaited<ReturnType<typeof casbinEnforcer>>>();
  for (const [name, snap] of snapshots) enforcers.set(name, await casbinEnforcer(snap));
  const casbinBuild = performance.now() - t;
  const casbinBytes = (heap() - hb) / sampledBindings;
  const casbinAllow = (a: Attributes): boolean => casbinDecide(enforcers.get(a.cluster)!, a);
  const cb = measureRuns(casbinAllow, baseReqs, 3000, 200);
  rows.push({ scenario: s.name, impl: `casbin@5 (${baseClusters.length} enforcers)`, bindings: sampledBindings, buildMs: casbinBuild, bytesPerBinding: casbinBytes, ...cb, agree: agreement(cb, baseReqs, allow) });
  console.error(`[${s.name}] index/scan ${(ixBase.rate / sc.rate).toFixed(0)}x, index/casbin ${(ixBase.rate / cb.rate).toFixed(0)}x`);
  if (index.stats().clusters === 0) throw new Error('unreachable');
}

const wanted = process.argv.slice(2).filter((a) => !a.startsWith('--'));
for (const s of SCENARIOS) if (wanted.length === 0 || wanted.includes(s.name)) await run(s);

const fmt = (n: number, d = 0): string => (Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d }) : '-');
console.log(`Medians of ${RUNS} runs. Heap per binding: after building; "+ caches" = what decisions built lazily (views, role lists, reasons).`);
console.log('| scenario | implementation | bindings | build ms | heap B/binding | decisions/s | p50 µs | p99 µs | agrees with index |');
console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const r of rows) {
  const heapCell = r.cacheBytes === undefined ? fmt(r.bytesPerBinding) : `${fmt(r.bytesPerBinding)} + caches ${fmt(r.cacheBytes)}`;
  console.log(`| ${r.scenario} | ${r.impl} | ${fmt(r.bindings)} | ${fmt(r.buildMs)} | ${heapCell} | ${fmt(r.rate)} | ${fmt(r.p50, 2)} | ${fmt(r.p99, 2)} | ${r.agree} |`);
}

/** One line per target of issue 3 that the scenarios run can judge. */
const row = (scenario: string, prefix: string): Row | undefined => rows.find((r) => r.scenario === scenario && r.impl.startsWith(prefix));
const verdict = (ok: boolean): string => (ok ? 'met' : 'NOT met');
console.log('');
const small = row('small', 'index'), large = row('large', 'index'), whaleIx = row('whale', 'index (baseline');
if (small) console.log(`- small: >= 1M decisions/s: ${fmt(small.rate)}/s: ${verdict(small.rate >= 1e6)}`);
if (large) console.log(`- large: >= 500k decisions/s: ${fmt(large.rate)}/s: ${verdict(large.rate >= 5e5)}`);
const whaleScan = row('whale', 'scan');
if (whaleIx && whaleScan) console.log(`- whale: >= 200x the scan: ${fmt(whaleIx.rate / whaleScan.rate)}x: ${verdict(whaleIx.rate / whaleScan.rate >= 200)}`);
const whaleAll = row('whale', 'index');
if (whaleAll) console.log(`- whale: p99 <= 10 µs: ${fmt(whaleAll.p99, 2)} µs (baseline requests ${fmt(whaleIx!.p99, 2)} µs): ${verdict(Math.max(whaleAll.p99, whaleIx!.p99) <= 10)}`);
for (const sc of ['small', 'large', 'whale']) {
  const ixb = row(sc, 'index (baseline'), cb = row(sc, 'casbin');
  if (ixb && cb) console.log(`- ${sc}: >= 200x casbin: ${fmt(ixb.rate / cb.rate)}x: ${verdict(ixb.rate / cb.rate >= 200)}`);
}
for (const sc of ['small', 'large', 'whale']) {
  const ixr = row(sc, 'index');
  if (!ixr) continue;
  const total = ixr.bytesPerBinding + (ixr.cacheBytes ?? 0);
  console.log(`- ${sc}: <= 500 B heap/binding: ${fmt(ixr.bytesPerBinding)} built, ${fmt(total)} with caches: ${verdict(total <= 500)}`);
}
