// bench/provisioning: (1) store transactions and objects written to provision one tenant cluster (create → Ready and
// settled: logical cluster, namespaces, objects, role mapping, host-tier RBAC, status); (2) create → Ready of a quiet
// tenant while the tenant controller holds a fan-out of --fanout keys (a user edit reaching every existing tenant),
// p50/p99 over --quiet tenants. In-process, SQLite (or --postgres).
// Run: node --import tsx bench/provisioning/index.ts [--tenants 20] [--fanout 1000] [--quiet 20] [--postgres]
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/server/config.ts';
import { startServer } from '../../src/server/server.ts';
import { defaultModules } from '../../src/server/modules.ts';
import type { ModuleContext } from '../../src/apiserver/extension.ts';
import { createTestDatabase, type TestDatabase } from '../../src/apiserver/storage/postgres-test-support.ts';
import { projectType, tenantClusterType, userType } from '../../src/platform/index.ts';
import { machine, printTable } from '../support/load.ts';

const arg = (name: string, dflt: number) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? Number(process.argv[i + 1]) : dflt; };
const POSTGRES = process.argv.includes('--postgres');
const TENANTS = arg('tenants', 20);
const FANOUT = arg('fanout', 1000);
const QUIET = arg('quiet', 20);
const WRITES = new Set(['create', 'update', 'delete', 'batch']);
const CM = (n: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${n}, namespace: default}\ndata: {a: "1"}\n`;

const dir = mkdtempSync(path.join(os.tmpdir(), 'portcullis-bench-provisioning-'));
const db: TestDatabase | undefined = POSTGRES ? await createTestDatabase() : undefined;
const cfg = loadConfig({ dataDir: path.join(dir, 'data'), listen: '127.0.0.1:0', ...(db ? { store: db.url() } : {}) });

const count = { transactions: 0, objects: 0 };
const readyWaiters = new Map<string, () => void>();
/** Counts backend write transactions and committed objects; resolves waiters when a tenant turns Ready. */
const probe = {
  name: 'bench-probe',
  setup(m: ModuleContext) {
    const inner = m.instrument.storage;
    m.instrument.storage = (op, seconds, ok) => { if (ok && WRITES.has(op)) count.transactions++; inner?.(op, seconds, ok); };
    m.informer.onAny(() => { count.objects++; });
    m.informer.on(tenantClusterType.group, tenantClusterType.resource, (ev) => {
      if ((ev.object.status as { phase?: string } | undefined)?.phase === 'Ready') readyWaiters.get(ev.name)?.();
    });
  },
};
const server = await startServer(cfg, () => undefined, [...defaultModules(), probe]);
const root = { cluster: 'root' };
const mk = (t: typeof userType, name: string, spec: unknown) => server.store.create(root, t, '', { apiVersion: `${t.group}/${t.version}`, kind: t.kind, metadata: { name }, spec });
const tenantSpec = { project: 'p', objects: `${CM('one')}---\n${CM('two')}`, access: { rules: [{ users: ['viewer'], clusterRole: 'view' }] } };

await mk(userType, 'alice', {});
await mk(userType, 'viewer', {});
await mk(projectType, 'p', { members: [{ user: 'alice', role: 'admin' }] });
await mk(tenantClusterType, 'warm-up', tenantSpec); // creates the host cluster once
await server.settle();

// (1) Writes per tenant.
const per: Array<{ transactions: number; objects: number }> = [];
for (let i = 0; i < TENANTS; i++) {
  count.transactions = 0; count.objects = 0;
  await mk(tenantClusterType, `w-${i}`, tenantSpec);
  await server.settle();
  per.push({ ...count });
}
const avg = (f: (x: { transactions: number; objects: number }) => number) => (per.reduce((a, x) => a + f(x), 0) / per.length).toFixed(1);

// (2) A quiet tenant's create → Ready while a fan-out of FANOUT keys is queued.
for (let i = 0; i < FANOUT; i++) await mk(tenantClusterType, `f-${String(i).padStart(4, '0')}`, { project: 'p' });
await server.settle();
const latencies: number[] = [];
const drains: number[] = [];
for (let i = 0; i < QUIET; i++) {
  const name = `q-${i}`;
  const ready = new Promise<void>((r) => readyWaiters.set(name, r));
  // A user edit: every tenant's role mapping may change, so every tenant is queued.
  await server.store.update(root, userType, '', 'alice', (cur) => { cur!.spec = { ...(cur!.spec as object), displayName: `Alice ${i}` }; return cur!; });
  const t0 = performance.now();
  await mk(tenantClusterType, name, { project: 'p' });
  await ready;
  latencies.push(performance.now() - t0);
  await server.settle();
  drains.push(performance.now() - t0);
}
latencies.sort((a, b) => a - b);
drains.sort((a, b) => a - b);
const pct = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
const ms = (x: number) => `${x.toFixed(0)} ms`;

console.log(`bench/provisioning — ${machine()}, ${POSTGRES ? 'PostgreSQL' : 'SQLite'}, load ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
printTable(`Writes to provision one tenant (2 objects, 1 access rule, project admin; mean of ${TENANTS})`, [
  { 'write transactions': avg((x) => x.transactions), 'objects written (events)': avg((x) => x.objects) },
]);
printTable(`Quiet tenant create → Ready while a fan-out of ${FANOUT} tenant keys is queued (${QUIET} runs)`, [
  { p50: ms(pct(latencies, 50)), p99: ms(pct(latencies, 99)), 'fan-out drained p50': ms(pct(drains, 50)) },
]);
await server.close();
await db?.drop();
rmSync(dir, { recursive: true, force: true });
