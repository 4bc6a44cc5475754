// bench/platform: N tenant clusters (default 10,000; 10 access rules each, 2,000 users, 500 teams) in an in-process
// server on SQLite (or --postgres: a fresh database, 1,000 by default): time for all to be Ready, create→Ready
// p50/p99 while others are being created, heap and RSS per tenant after a forced GC, restart-to-ready, and the request
// path (door + RBAC decision in-process; HTTPS GET in a tenant) at 100 tenants and at N, in the same run.
// --soak-minutes M: afterwards, delete and re-create a wave of tenants for M minutes and report RSS per wave.
// Progress (created / Ready, rate, RSS) goes to stderr every few seconds; a phase past --budget-seconds stops there and
// Ctrl-C prints the figures gathered so far, so a long run always yields a (partial) table.
// Run (with the young-generation size `npm start` uses): node --max-semi-space-size=32 --expose-gc --import tsx bench/platform/index.ts [--tenants 10000] [--postgres] [--users 2000] [--teams 500]
//        [--baseline 100] [--calls 20000] [--seconds 5] [--soak-minutes 0] [--wave 1000] [--budget-seconds 600] [--create-only]
//        [--idle-seconds 80] [--heap-snapshot file] [--stop-after-idle] [--skip-restart]
//        [--rate R]  (create one tenant every 1/R s on a timer instead of bursts of 50; create→Ready counts from
//        the scheduled time, so a late timer adds to the latency)
//        [--keep-data DIR]  (the store is built in DIR/data and kept, for --restart-only)
//        [--alloc-profile FILE [--alloc-survivors]]  (sampled heap allocations while tenants are created; survivors:
//        only what no scavenge collected) [--watch-cache-events N]  (the watch cache's event capacity, default 100,000)
//        [--idle-sweep-seconds S]  (the watch cache's idle-cluster sweep period, default 60; 0: never)
// While tenants are created it also reports garbage collections (perf_hooks 'gc'): major / minor count, longest and
// total pause, heap allocated and promoted per tenant, the largest old space and the event-loop delay.
//      node --expose-gc --import tsx bench/platform/index.ts --restart-only DIR [--runs 3] [--resync 0]
//        [--observe SECONDS]  (restart phase only; --resync 0: do not wait for the background resync after the last
//        run; --observe: keep measuring event-loop stalls until SECONDS after ready)
//        [--path-repeats R] (medians of R timed runs per case) [--path-profile PREFIX] (CPU profiles of the in-process
//        request path: PREFIX-<tenants>-<case>.cpuprofile)
// Idle heap is measured --idle-seconds after the last tenant settled (the watch cache keeps 75 s of events).
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/server/config.ts';
import { startServer, type RunningServer } from '../../src/server/server.ts';
import { defaultModules } from '../../src/server/modules.ts';
import type { ModuleContext } from '../../src/apiserver/extension.ts';
import { createTestDatabase, type TestDatabase } from '../../src/apiserver/storage/postgres-test-support.ts';
import { projectType, teamType, tenantClusterType, userType } from '../../src/platform/index.ts';
import https from 'node:https';
import { writeHeapSnapshot } from 'node:v8';
import { machine, printTable } from '../support/load.ts';
import { requestPath, type PathFigures } from './request-path.ts';
import { allocationProfile } from './alloc-profile.ts';
import { GcCounter, Hops, Progress, WorkCounter, firstDecisions, residency } from './progress.ts';

const flag = (name: string) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? process.argv[i + 1] : undefined; };
const RESTART_ONLY = flag('restart-only');
if (RESTART_ONLY) {
  const { restartOnly } = await import('./restart.ts');
  const observe = Number(flag('observe') ?? 0);
  await restartOnly(path.resolve(RESTART_ONLY), Number(flag('runs') ?? 3), flag('resync') !== '0', observe);
  process.exit(0);
}
const KEEP = flag('keep-data');
const arg = (name: string, dflt: number) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? Number(process.argv[i + 1]) : dflt; };
const POSTGRES = process.argv.includes('--postgres');
const TENANTS = arg('tenants', POSTGRES ? 1000 : 10_000);
const BASELINE = Math.min(arg('baseline', 100), TENANTS);
const USERS = arg('users', 2000);
const TEAMS = arg('teams', 500);
const CALLS = arg('calls', 20_000);
const SECONDS = arg('seconds', 5);
const SOAK_MINUTES = arg('soak-minutes', 0);
const WAVE = Math.min(arg('wave', 1000), TENANTS);
const BUDGET_MS = arg('budget-seconds', 600) * 1000;
/** Stop after creation (and its per-tenant work figures): no memory, request-path or restart phases. */
const CREATE_ONLY = process.argv.includes('--create-only');
/** --rate R: create tenants BASELINE..N one by one at R per second on a timer (else 50 at a time, then yield). */
const RATE = arg('rate', 0);
const ROLES = ['view', 'edit', 'admin'];
const REPEATS = arg('path-repeats', 1);
const SKIP_RESTART = process.argv.includes('--skip-restart');
const PROFILE = (() => { const i = process.argv.indexOf('--path-profile'); return i > 0 ? process.argv[i + 1] : undefined; })();
const IDLE_SECONDS = arg('idle-seconds', 80);
const flagValue = (name: string) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? process.argv[i + 1] : undefined; };
const HEAP_SNAPSHOT = flagValue('heap-snapshot');
/**
 * --alloc-profile FILE: sampled heap allocations (garbage included) while tenants are created, as a .heapprofile;
 * with --alloc-survivors, only what no scavenge collected (what the old generation receives).
 */
const ALLOC_PROFILE = flagValue('alloc-profile');

const mb = (n: number) => `${(n / 1024 / 1024).toFixed(0)} MB`;
const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const pct = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] ?? NaN;
const gc = () => { for (let i = 0; i < 3; i++) (globalThis as { gc?: () => void }).gc?.(); };

const dir = KEEP ? path.resolve(KEEP) : mkdtempSync(path.join(os.tmpdir(), 'portcullis-bench-platform-'));
if (KEEP) mkdirSync(dir, { recursive: true });
const db: TestDatabase | undefined = POSTGRES ? await createTestDatabase() : undefined;
const WATCH_CACHE_EVENTS = flag('watch-cache-events');
const SWEEP = flag('idle-sweep-seconds');
const cfg = loadConfig({
  dataDir: path.join(dir, 'data'), listen: '127.0.0.1:0', ...(db ? { store: db.url() } : {}),
  ...(WATCH_CACHE_EVENTS ? { watchCacheEvents: Number(WATCH_CACHE_EVENTS) } : {}),
  ...(SWEEP ? { watchCacheIdleSweepSeconds: Number(SWEEP) } : {}),
});
let m!: ModuleContext;
const capture = { name: 'bench-capture', setup(ctx: ModuleContext) { m = ctx; } };
const start = () => startServer(cfg, () => undefined, [...defaultModules(), capture]);
let server: RunningServer = await start();
const root = { cluster: 'root' };
const mk = (t: typeof userType, name: string, spec: unknown) => server.store.create(root, t, '', { apiVersion: `${t.group}/${t.version}`, kind: t.kind, metadata: { name }, spec });
const user = (i: number) => `u${String(i % USERS).padStart(4, '0')}`;
const team = (i: number) => `team${String(i % TEAMS).padStart(3, '0')}`;
const tenant = (i: number) => `tc-${String(i).padStart(5, '0')}`;
const outsider = (i: number) => `o${String(i % 100).padStart(3, '0')}`;
const spec = (i: number) => ({
  project: 'bench',
  access: {
    defaultClusterRole: 'view',
    rules: Array.from({ length: 10 }, (_, j) => (j % 2 === 0 ? { users: [user(i + j * 7)], clusterRole: ROLES[j % 3] } : { teams: [team(i + j)], clusterRole: ROLES[j % 3] })),
  },
});

/** Figures gathered so far (printed at the end, on Ctrl-C, or after a phase ran out of budget). */
const report: Array<{ metric: string; value: string }> = [];
const paths: Array<Record<string, string | number>> = [];
const progress = new Progress();
let printed = false;
/** Tenants created so far (the request path's size at the end; below TENANTS when a budget stopped creation). */
let reached = 0;
function printReport(note?: string): void {
  if (printed) return;
  printed = true;
  progress.stop();
  printTable(`bench/platform — ${new Date().toISOString().slice(0, 10)} — ${machine()} — ${os.cpus().length} cores — load ${os.loadavg().map((x) => x.toFixed(1)).join(' ')} — ${POSTGRES ? 'PostgreSQL' : 'SQLite'}, in-process${note ? ` — ${note}` : ''}`, report);
  if (paths.length) printTable(`request path at ${BASELINE} and at ${reached || TENANTS} tenants (${CALLS} in-process calls per case, medians of ${REPEATS} runs; HTTPS ${SECONDS}s, 10 connections)`, paths);
}
process.once('SIGINT', () => { printReport('INTERRUPTED (partial)'); process.exit(130); });

/**
 * Creates tenants [from, to) 50 at a time and waits until they are Ready (or the budget is spent): create→Ready
 * latency of each Ready one, sorted, and how many were created.
 */
async function provision(from: number, to: number, budgetMs = BUDGET_MS, rate = 0): Promise<{ latencies: number[]; created: number; timedOut: boolean; slowest: string }> {
  const deadline = performance.now() + budgetMs;
  const created = new Map<string, number>();
  const latencies: number[] = [];
  /** [ms since the first create, latency, name] of every Ready tenant: when the slowest were created, and where
   * their time went (hops). */
  const at: Array<[number, number, string]> = [];
  const hops = new Hops(m);
  await hops.start();
  const startAt = performance.now();
  const prefix = `/root/${tenantClusterType.group}/${tenantClusterType.resource}/`;
  let done: () => void = () => undefined;
  const all = new Promise<void>((r) => { done = r; });
  let n = 0;
  const w = server.store.storage.watch(prefix, (await server.store.storage.list(prefix, { limit: 1 })).rv, (ev) => {
    const name = ev.object.metadata.name!;
    const t0 = created.get(name);
    if (t0 === undefined || (ev.object.status as { phase?: string } | undefined)?.phase !== 'Ready') return;
    created.delete(name);
    latencies.push(performance.now() - t0);
    at.push([t0 - startAt, performance.now() - t0, name]);
    hops.mark(name, 4);
    progress.ready++;
    if (latencies.length === to - from) done();
  });
  const pending: Promise<unknown>[] = [];
  let timedOut = false;
  for (let i = from; i < to; i++) {
    if (performance.now() > deadline) { timedOut = true; break; }
    if (rate > 0) {
      const due = startAt + ((i - from) * 1000) / rate;
      const wait = due - performance.now();
      // behind schedule, every tenant already due is created in this turn, as independent clients' requests queued
      // meanwhile would all be read in one poll (one per loop turn made the bench's own catch-up the tail)
      if (wait >= 1) await new Promise((r) => setTimeout(r, wait));
      created.set(tenant(i), due);
      hops.mark(tenant(i), 0, due);
      const name = tenant(i);
      pending.push(mk(tenantClusterType, name, spec(i)).then(() => { progress.created++; hops.mark(name, 1); }));
      n++;
      continue;
    }
    created.set(tenant(i), performance.now());
    pending.push(mk(tenantClusterType, tenant(i), spec(i)).then(() => { progress.created++; }));
    n++;
    if (pending.length === 50) {
      await Promise.all(pending.splice(0));
      // SQLite writes complete without I/O waits: yield so that controllers (and progress) run between batches,
      // as they would between clients' requests
      await new Promise((r) => setImmediate(r));
    }
  }
  await Promise.all(pending);
  const left = Math.max(5_000, deadline - performance.now());
  if (latencies.length < n) {
    await Promise.race([all, new Promise((r) => setTimeout(r, timedOut ? Math.min(left, 60_000) : left).unref())]);
    if (latencies.length < n) timedOut = true;
  }
  w.stop();
  hops.stop();
  const slow = [...at].sort((a, b) => b[1] - a[1]).slice(0, Math.max(1, Math.ceil(at.length / 100)));
  const slowest = `${slowestWhen(at)}; their hops: ${hops.slowest(slow.map((x) => x[2]))}`;
  return { latencies: latencies.sort((a, b) => a - b), created: n, timedOut, slowest };
}

/** The slowest 1% by the 10-second window of the run they were created in: '10–20 s: 31, 60–70 s: 52'. */
function slowestWhen(at: Array<[number, number, string]>): string {
  const slow = [...at].sort((a, b) => b[1] - a[1]).slice(0, Math.max(1, Math.ceil(at.length / 100)));
  const windows = new Map<number, number>();
  for (const [t] of slow) windows.set(Math.floor(t / 10_000), (windows.get(Math.floor(t / 10_000)) ?? 0) + 1);
  return [...windows].sort((a, b) => a[0] - b[0]).map(([w, c]) => `${w * 10}–${w * 10 + 10} s: ${c}`).join(', ');
}

async function figures(n: number): Promise<PathFigures> {
  // quiescent at both sizes: provisioning's tail (the last tenants' controllers, their garbage) not timed with the calls
  await server.settle();
  gc();
  return requestPath(server, m, { tenants: n, calls: CALLS, seconds: SECONDS, user, tenant, outsider, profile: PROFILE, repeats: REPEATS });
}
const add = (metric: string, value: string) => report.push({ metric, value });
class StopAfterIdle extends Error {}

try {
  progress.start();
  progress.phase = 'users and teams';
  for (let i = 0; i < USERS; i++) await mk(userType, user(i), { displayName: user(i) });
  for (let i = 0; i < 100; i++) await mk(userType, outsider(i), {});
  for (let i = 0; i < TEAMS; i++) await mk(teamType, team(i), { members: [user(i * 4), user(i * 4 + 1), user(i * 4 + 2), user(i * 4 + 3)] });
  await mk(projectType, 'bench', {});
  await server.settle();
  gc();
  const work = new WorkCounter(m);
  const before = process.memoryUsage();
  add('tenant clusters (10 access rules each)', String(TENANTS));
  add('users / teams', `${USERS} / ${TEAMS}`);

  progress.phase = `create ${BASELINE}`;
  progress.target = TENANTS;
  const t0 = performance.now();
  const first = await provision(0, BASELINE);
  const t1 = performance.now();
  progress.phase = `request path at ${BASELINE}`;
  const small = await figures(BASELINE);
  paths.push(...small.rows.map((r) => ({ tenants: BASELINE, ...r })));
  const t2 = performance.now();
  progress.phase = `create ${TENANTS}`;
  work.start();
  const gcs = new GcCounter();
  gcs.start();
  const alloc = ALLOC_PROFILE ? await allocationProfile(process.argv.includes('--alloc-survivors')) : undefined;
  const rest = await provision(BASELINE, TENANTS, BUDGET_MS - (t1 - t0), RATE);
  await alloc?.(ALLOC_PROFILE!);
  gcs.stop();
  const readyMs = (t1 - t0) + (performance.now() - t2);
  const made = first.created + rest.created;
  reached = made;
  const latencies = [...first.latencies, ...rest.latencies].sort((a, b) => a - b);
  const cut = first.timedOut || rest.timedOut;
  const how = RATE > 0 ? `${BASELINE} at once, then one every ${(1000 / RATE).toFixed(1)} ms (${RATE}/s)` : 'creating 50 at a time';
  add(`all Ready (${how})${cut ? ' — BUDGET EXCEEDED' : ''}`, `${secs(readyMs)} for ${latencies.length} Ready of ${made} created (${(latencies.length / (readyMs / 1000)).toFixed(0)} tenants/s)`);
  if (RATE > 0) add('slowest 1% of them, by when in the run they were created', rest.slowest);
  if (RATE > 0) add(`create→Ready p50 / p99 / max at ${RATE}/s (tenants ${BASELINE + 1}–${made}, from the scheduled time)`, `${pct(rest.latencies, 50).toFixed(0)} / ${pct(rest.latencies, 99).toFixed(0)} / ${rest.latencies.at(-1)?.toFixed(0)} ms`);
  add('create→Ready p50 / p99 / max', `${pct(latencies, 50).toFixed(0)} / ${pct(latencies, 99).toFixed(0)} / ${latencies.at(-1)?.toFixed(0)} ms`);
  progress.phase = 'settle';
  await server.settle();
  report.push(...work.rows(rest.created).map((r) => ({ ...r, metric: `${r.metric} (tenants ${BASELINE + 1}–${made}, until settled)` })));
  report.push(...gcs.rows(rest.created).map((r) => ({ ...r, metric: `${r.metric} (creating tenants ${BASELINE + 1}–${made})` })));
  if (CREATE_ONLY) {
    printReport('--create-only');
    await server.close();
    await db?.drop();
    if (!KEEP) rmSync(dir, { recursive: true, force: true });
    process.exit(0);
  }
  gc();
  const loaded = process.memoryUsage();
  const r0 = residency(m);
  add('heap / RSS before tenants (forced GC)', `${mb(before.heapUsed)} / ${mb(before.rss)}`);
  add(`heap / RSS after, ${r0.loaded} clusters' RBAC loaded`, `${mb(loaded.heapUsed)} / ${mb(loaded.rss)} — ${kb((loaded.heapUsed - before.heapUsed) / made)} heap per tenant`);
  // idle tenants: nothing happened for longer than the watch cache's event window; two sweeps unload every
  // cluster unused since from the RBAC index (root stays) and compact it in the watch cache (as its timer would)
  progress.phase = `idle ${IDLE_SECONDS} s`;
  await new Promise((r) => setTimeout(r, IDLE_SECONDS * 1000));
  residency(m).sweep(); residency(m).sweep();
  const cache = m.storage as Partial<{ compactIdleClusters(): { compacted: number; cold: number } }>;
  cache.compactIdleClusters?.();
  // the platform's own clusters (root: users, teams, TenantClusters; host) are in use on a live server
  await m.storage.list('/root/'); await m.storage.list('/host/');
  const cold = cache.compactIdleClusters?.().cold ?? 0;
  gc();
  const after = process.memoryUsage();
  if (HEAP_SNAPSHOT) writeHeapSnapshot(HEAP_SNAPSHOT);
  const perTenant = (after.heapUsed - before.heapUsed) / made;
  add(`heap / RSS idle (RBAC: ${residency(m).loaded} loaded; watch cache: ${cold} clusters cold)`, `${mb(after.heapUsed)} / ${mb(after.rss)} — ${kb(perTenant)} heap, ${kb((after.rss - before.rss) / made)} RSS per tenant`);
  add('vCluster ratio (256 MiB per tenant)', `${((256 * 1024 * 1024) / Math.max(1, perTenant)).toFixed(0)}× less (heap per idle tenant)`);
  if (process.argv.includes('--stop-after-idle')) throw new StopAfterIdle();
  progress.phase = 'first decisions';
  const fd = await firstDecisions(m, made, tenant, user);
  add('first decision in an idle tenant (loads it) p50 / p99', `${fd.p50.toFixed(2)} / ${fd.p99.toFixed(2)} ms (${fd.n} tenants)`);
  progress.phase = `request path at ${made}`;
  const big = await figures(made);
  paths.push(...big.rows.map((r) => ({ tenants: made, ...r })));
  // what a loaded cluster's RBAC costs: the request path loaded up to the residency's capacity; unload them again
  gc();
  const busy = process.memoryUsage();
  const held = residency(m).loaded;
  residency(m).sweep(); residency(m).sweep();
  gc();
  const calm = process.memoryUsage();
  const dropped = Math.max(1, held - residency(m).loaded);
  add(`heap per loaded cluster's RBAC (${held} loaded by the request path, then unloaded)`, `${kb((busy.heapUsed - calm.heapUsed) / dropped)} (heap ${mb(busy.heapUsed)} → ${mb(calm.heapUsed)})`);

  if (!SKIP_RESTART) await restart();
  printReport(cut ? 'partial: a phase exceeded --budget-seconds' : undefined);
  if (SOAK_MINUTES > 0) await soak();
} catch (e) {
  if (!(e instanceof StopAfterIdle)) {
    printReport(`FAILED (partial): ${(e as Error).message}`);
    throw e;
  }
  printReport('stopped after the idle measurement (--stop-after-idle)');
} finally {
  progress.stop();
  await server.close().catch(() => undefined);
  await db?.drop();
  if (!KEEP) rmSync(dir, { recursive: true, force: true });
  else console.log(`store kept in ${dir} (bench/platform/index.ts --restart-only ${dir})`);
}

/** Restart: close, start on the same store, time until /readyz answers 200. */
async function restart(): Promise<void> {
  progress.phase = 'restart';
  await server.close();
  const s0 = performance.now();
  server = await start();
  const readyz = await status(`${server.url}/readyz`, server.pki.caCertPem);
  const restartMs = performance.now() - s0;
  gc();
  const restarted = process.memoryUsage();
  add('restart to ready (/readyz 200)', `${secs(restartMs)} (readyz: ${readyz}); heap / RSS after restart ${mb(restarted.heapUsed)} / ${mb(restarted.rss)}`);
}

function status(url: string, ca: string): Promise<number> {
  return new Promise((resolve, reject) => {
    https.get(url, { ca }, (res) => { res.resume(); res.on('end', () => resolve(res.statusCode ?? 0)); }).on('error', reject);
  });
}

/** Waves: delete the last WAVE tenants and create them again until the time is up; RSS after each wave. */
async function soak(): Promise<void> {
  const rows: Array<Record<string, string>> = [];
  const end = performance.now() + SOAK_MINUTES * 60_000;
  let firstRss = 0;
  for (let wave = 1; performance.now() < end; wave++) {
    const w0 = performance.now();
    for (let i = TENANTS - WAVE; i < TENANTS; i++) await server.store.delete(root, tenantClusterType, '', tenant(i)).catch(() => undefined);
    for (;;) {
      await server.settle();
      const left = (await server.store.list('root', tenantClusterType, '')).items.length;
      if (left === TENANTS - WAVE) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    await provision(TENANTS - WAVE, TENANTS);
    progress.created -= WAVE; progress.ready -= WAVE;
    await server.settle();
    gc();
    const u = process.memoryUsage();
    if (wave === 1) firstRss = u.rss;
    rows.push({ wave: String(wave), seconds: ((performance.now() - w0) / 1000).toFixed(1), rss: mb(u.rss), heap: mb(u.heapUsed), 'vs wave 1': `${(((u.rss - firstRss) / firstRss) * 100).toFixed(1)}%` });
  }
  printTable(`soak: ${WAVE} tenants deleted and re-created per wave for ${SOAK_MINUTES} min (target: RSS within 10% of wave 1)`, rows);
}
