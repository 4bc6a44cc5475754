// bench/platform: N tenant clusters (default 10,000; 10 access rules each, 2,000 users, 500 teams) in an in-process
// server on SQLite (or --postgres: a fresh database, 1,000 by default): time for all to be Ready, create→Ready
// p50/p99 while others are being created, heap and RSS per tenant after a forced GC, restart-to-ready, and the request
// path (door + RBAC decision in-process; HTTPS GET in a tenant) at 100 tenants and at N, in the same run.
// --soak-minutes M: afterwards, delete and re-create a wave of tenants for M minutes and report RSS per wave.
// Run: node --expose-gc --import tsx bench/platform/index.ts [--tenants 10000] [--postgres] [--users 2000] [--teams 500]
//        [--baseline 100] [--calls 20000] [--seconds 5] [--soak-minutes 0] [--wave 1000]
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/server/config.ts';
import { startServer, type RunningServer } from '../../src/server/server.ts';
import { defaultModules } from '../../src/server/modules.ts';
import type { ModuleContext } from '../../src/apiserver/extension.ts';
import { createTestDatabase, type TestDatabase } from '../../src/apiserver/storage/postgres-test-support.ts';
import { projectType, teamType, tenantClusterType, userType } from '../../src/platform/index.ts';
import https from 'node:https';
import { machine, printTable } from '../support/load.ts';
import { requestPath, type PathFigures } from './request-path.ts';

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
const ROLES = ['view', 'edit', 'admin'];

const mb = (n: number) => `${(n / 1024 / 1024).toFixed(0)} MB`;
const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const pct = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] ?? NaN;
const gc = () => { for (let i = 0; i < 3; i++) (globalThis as { gc?: () => void }).gc?.(); };

const dir = mkdtempSync(path.join(os.tmpdir(), 'portcullis-bench-platform-'));
const db: TestDatabase | undefined = POSTGRES ? await createTestDatabase() : undefined;
const cfg = loadConfig({ dataDir: path.join(dir, 'data'), listen: '127.0.0.1:0', ...(db ? { store: db.url() } : {}) });
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

/** Creates tenants [from, to) 50 at a time and resolves once all are Ready; create→Ready latency of each. */
async function provision(from: number, to: number): Promise<number[]> {
  const created = new Map<string, number>();
  const latencies: number[] = [];
  const prefix = `/root/${tenantClusterType.group}/${tenantClusterType.resource}/`;
  let done: () => void = () => undefined;
  const all = new Promise<void>((r) => { done = r; });
  const w = server.store.storage.watch(prefix, (await server.store.storage.list(prefix, { limit: 1 })).rv, (ev) => {
    const name = ev.object.metadata.name!;
    const t0 = created.get(name);
    if (t0 === undefined || (ev.object.status as { phase?: string } | undefined)?.phase !== 'Ready') return;
    created.delete(name);
    latencies.push(performance.now() - t0);
    if (latencies.length === to - from) done();
  });
  const pending: Promise<unknown>[] = [];
  for (let i = from; i < to; i++) {
    created.set(tenant(i), performance.now());
    pending.push(mk(tenantClusterType, tenant(i), spec(i)));
    if (pending.length === 50) await Promise.all(pending.splice(0));
  }
  await Promise.all(pending);
  await all;
  w.stop();
  return latencies.sort((a, b) => a - b);
}

async function figures(n: number): Promise<PathFigures> {
  return requestPath(server, m, { tenants: n, calls: CALLS, seconds: SECONDS, user, tenant, outsider });
}

try {
  for (let i = 0; i < USERS; i++) await mk(userType, user(i), { displayName: user(i) });
  for (let i = 0; i < 100; i++) await mk(userType, outsider(i), {});
  for (let i = 0; i < TEAMS; i++) await mk(teamType, team(i), { members: [user(i * 4), user(i * 4 + 1), user(i * 4 + 2), user(i * 4 + 3)] });
  await mk(projectType, 'bench', {});
  await server.settle();
  gc();
  const before = process.memoryUsage();

  const t0 = performance.now();
  const first = await provision(0, BASELINE);
  const t1 = performance.now();
  const small = await figures(BASELINE);
  const t2 = performance.now();
  const rest = await provision(BASELINE, TENANTS);
  const readyMs = (t1 - t0) + (performance.now() - t2);
  await server.settle();
  gc();
  const after = process.memoryUsage();
  const big = await figures(TENANTS);
  const latencies = [...first, ...rest].sort((a, b) => a - b);

  // Restart: close, start on the same store, time until /readyz answers 200.
  await server.close();
  const r0 = performance.now();
  server = await start();
  const readyz = await status(`${server.url}/readyz`, server.pki.caCertPem);
  const restartMs = performance.now() - r0;
  gc();
  const restarted = process.memoryUsage();

  printTable(`bench/platform — ${new Date().toISOString().slice(0, 10)} — ${machine()} — ${os.cpus().length} cores — ${POSTGRES ? 'PostgreSQL' : 'SQLite'}, in-process`, [
    { metric: 'tenant clusters (10 access rules each)', value: String(TENANTS) },
    { metric: 'users / teams', value: `${USERS} / ${TEAMS}` },
    { metric: 'all Ready (creating 50 at a time)', value: `${secs(readyMs)} (${(TENANTS / (readyMs / 1000)).toFixed(0)} tenants/s)` },
    { metric: 'create→Ready p50 / p99 / max', value: `${pct(latencies, 50).toFixed(0)} / ${pct(latencies, 99).toFixed(0)} / ${latencies.at(-1)!.toFixed(0)} ms` },
    { metric: 'heap used before / after (forced GC)', value: `${mb(before.heapUsed)} / ${mb(after.heapUsed)} — ${kb((after.heapUsed - before.heapUsed) / TENANTS)} per tenant` },
    { metric: 'RSS before / after', value: `${mb(before.rss)} / ${mb(after.rss)} — ${kb((after.rss - before.rss) / TENANTS)} per tenant` },
    { metric: 'restart to ready (/readyz 200)', value: `${secs(restartMs)} (readyz: ${readyz}); heap after restart ${mb(restarted.heapUsed)}` },
    { metric: 'vCluster ratio (256 MiB per tenant)', value: `${((256 * 1024 * 1024) / Math.max(1, (after.heapUsed - before.heapUsed) / TENANTS)).toFixed(0)}× less (heap)` },
  ]);
  printTable(`request path at ${BASELINE} and at ${TENANTS} tenants (${CALLS} in-process calls per case; HTTPS ${SECONDS}s, 10 connections)`, [
    ...small.rows.map((r) => ({ tenants: BASELINE, ...r })), ...big.rows.map((r) => ({ tenants: TENANTS, ...r })),
  ]);
  if (SOAK_MINUTES > 0) await soak();
} finally {
  await server.close().catch(() => undefined);
  await db?.drop();
  rmSync(dir, { recursive: true, force: true });
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
    await server.settle();
    gc();
    const u = process.memoryUsage();
    if (wave === 1) firstRss = u.rss;
    rows.push({ wave: String(wave), seconds: ((performance.now() - w0) / 1000).toFixed(1), rss: mb(u.rss), heap: mb(u.heapUsed), 'vs wave 1': `${(((u.rss - firstRss) / firstRss) * 100).toFixed(1)}%` });
  }
  printTable(`soak: ${WAVE} tenants deleted and re-created per wave for ${SOAK_MINUTES} min (target: RSS within 10% of wave 1)`, rows);
}
