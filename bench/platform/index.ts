// bench/platform: N tenant clusters (default 1,000) with 10 access rules each in an in-process server:
// time to converge (all Ready, host RBAC made), memory after convergence, and tenant-door authorization
// latency (clusterAccess filter + authorizer union) in-process and over HTTPS (mTLS, the whole chain).
// Run: node --expose-gc --import tsx bench/platform/index.ts [--tenants 1000] [--calls 20000] [--seconds 5]
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/server/config.ts';
import { startServer } from '../../src/server/server.ts';
import { defaultModules } from '../../src/server/modules.ts';
import type { ModuleContext } from '../../src/apiserver/extension.ts';
import type { GateQuery } from '../../src/apiserver/auth/decision-order.ts';
import type { Attributes } from '../../src/apiserver/auth/types.ts';
import { projectType, teamType, tenantClusterType, userType } from '../../src/platform/index.ts';
import { load, machine, printTable } from '../support/load.ts';

const arg = (name: string, dflt: number) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? Number(process.argv[i + 1]) : dflt; };
const TENANTS = arg('tenants', 1000);
const CALLS = arg('calls', 20000);
const SECONDS = arg('seconds', 5);
const USERS = 200;
const TEAMS = 50;
const ROLES = ['view', 'edit', 'admin'];

const mb = (n: number) => `${(n / 1024 / 1024).toFixed(0)} MB`;
const pct = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

const dir = mkdtempSync(path.join(os.tmpdir(), 'portcullis-bench-platform-'));
let m!: ModuleContext;
const capture = { name: 'bench-capture', setup(ctx: ModuleContext) { m = ctx; } };
const server = await startServer(loadConfig({ dataDir: path.join(dir, 'data'), listen: '127.0.0.1:0' }), () => undefined, [...defaultModules(), capture]);
const root = { cluster: 'root' };
const mk = (t: typeof userType, name: string, spec: unknown) => server.store.create(root, t, '', { apiVersion: `${t.group}/${t.version}`, kind: t.kind, metadata: { name }, spec });
const user = (i: number) => `u${String(i % USERS).padStart(3, '0')}`;
const team = (i: number) => `team${String(i % TEAMS).padStart(2, '0')}`;
const tenant = (i: number) => `tc-${String(i).padStart(4, '0')}`;
/** Platform users in no team and no rule: refused at the door. */
const outsider = (i: number) => `o${String(i % 100).padStart(3, '0')}`;

try {
  for (let i = 0; i < USERS; i++) await mk(userType, user(i), { displayName: user(i) });
  for (let i = 0; i < 100; i++) await mk(userType, outsider(i), {});
  for (let i = 0; i < TEAMS; i++) await mk(teamType, team(i), { members: [user(i * 4), user(i * 4 + 1), user(i * 4 + 2), user(i * 4 + 3)] });
  await mk(projectType, 'bench', {});
  await server.settle();
  const before = process.memoryUsage();

  const t0 = performance.now();
  const pending: Promise<unknown>[] = [];
  for (let i = 0; i < TENANTS; i++) {
    const rules = Array.from({ length: 10 }, (_, j) => (j % 2 === 0
      ? { users: [user(i + j * 7)], clusterRole: ROLES[j % 3] }
      : { teams: [team(i + j)], clusterRole: ROLES[j % 3] }));
    pending.push(mk(tenantClusterType, tenant(i), { project: 'bench', access: { defaultClusterRole: 'view', rules } }));
    if (pending.length === 50) await Promise.all(pending.splice(0));
  }
  await Promise.all(pending);
  const created = performance.now() - t0;
  let ready = 0;
  for (;;) {
    await server.settle();
    const list = await server.store.list('root', tenantClusterType, '');
    ready = list.items.filter((o) => (o.status as { phase?: string } | undefined)?.phase === 'Ready').length;
    if (ready === TENANTS) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  const converged = performance.now() - t0;
  const hostRoles = (await server.store.list('host', server.catalog.lookup('host', 'rbac.authorization.k8s.io', 'v1', 'clusterroles')!, '')).items
    .filter((o) => o.metadata.name!.startsWith('vc-')).length;
  (globalThis as { gc?: () => void }).gc?.();
  const after = process.memoryUsage();

  // In-process: the management-access gate, then the authorizer union (system:masters, delegation, RBAC).
  const gate = m.gates['management-access']!;
  const authorize = (a: Attributes) => m.runtime.authorize(a);
  const attrs = (u: string, cluster: string, resource: string): Attributes => ({
    user: { username: u, groups: ['system:authenticated'] }, cluster, verb: 'list', isResourceRequest: true, path: '',
    apiGroup: '', apiVersion: 'v1', resource, subresource: '', namespace: resource === 'nodes' ? '' : 'default', name: '',
  });
  const measure = async (pick: (k: number) => Attributes) => {
    const times: number[] = [];
    const outcome = { allow: 0, deny: 0 };
    for (let k = 0; k < CALLS; k++) {
      const a = pick(k);
      const q = { cluster: a.cluster, user: a.user } as GateQuery;
      const s = performance.now();
      if ((await gate.check(q)).verdict === 'deny') outcome.deny++;
      else outcome[(await authorize(a)).decision === 'allow' ? 'allow' : 'deny']++;
      times.push(performance.now() - s);
    }
    times.sort((x, y) => x - y);
    return { p50: pct(times, 50), p99: pct(times, 99), max: times[times.length - 1], ...outcome };
  };
  // Rule 0 of tenant i names user(i): that user has access (view) in every tenant it is drawn for.
  const rows = [];
  for (const [name, pick] of [
    ['member: list pods (door + RBAC allow)', (k: number) => { const i = (k * 7919) % TENANTS; return attrs(user(i), tenant(i), 'pods'); }],
    ['member: list nodes (door + delegation)', (k: number) => { const i = (k * 7919) % TENANTS; return attrs(user(i), tenant(i), 'nodes'); }],
    ['outsider: door deny', (k: number) => { const i = (k * 7919) % TENANTS; return attrs(outsider(k), tenant(i), 'pods'); }],
  ] as const) {
    await measure(pick); // warm
    const r = await measure(pick);
    rows.push({ case: name, calls: CALLS, 'p50 µs': (r.p50 * 1000).toFixed(1), 'p99 µs': (r.p99 * 1000).toFixed(1), 'max ms': r.max.toFixed(2), allowed: r.allow, denied: r.deny });
  }

  // Over HTTPS: a platform user with access lists pods in a tenant (mTLS client cert; the whole chain).
  const mid = Math.floor(TENANTS / 2);
  const c = await server.pki.issueClientCert({ commonName: user(mid), organizations: [], validitySeconds: 3600 });
  const tls = { cert: Buffer.from(c.certPem), key: Buffer.from(c.keyPem) };
  const http = await load('http', `${server.url}/clusters/${tenant(mid)}/api/v1/namespaces/default/pods`, tls, { seconds: SECONDS });

  printTable(`bench/platform — ${new Date().toISOString().slice(0, 10)} — ${machine()} — ${os.cpus().length} cores — SQLite, in-process`, [
    { metric: 'tenant clusters (10 access rules each)', value: String(TENANTS) },
    { metric: 'users / teams', value: `${USERS} / ${TEAMS}` },
    { metric: 'create calls done', value: `${(created / 1000).toFixed(1)} s` },
    { metric: 'converged (all Ready, host RBAC made)', value: `${(converged / 1000).toFixed(1)} s (${ready} Ready, ${hostRoles} vc- ClusterRoles in host)` },
    { metric: 'RSS before / after', value: `${mb(before.rss)} / ${mb(after.rss)}` },
    { metric: 'heap used before / after', value: `${mb(before.heapUsed)} / ${mb(after.heapUsed)}` },
  ]);
  printTable(`tenant-door authorization in-process (clusterAccess filter + authorizer union), ${CALLS} calls per case`, rows);
  printTable(`over HTTPS: GET pods in ${tenant(mid)} as a platform user, 10 connections, ${SECONDS}s`, [
    { 'req/s': http.rps.toFixed(0), 'p50 ms': http.p50, 'p99 ms': http.p99, errors: http.errors, non2xx: http.non2xx },
  ]);
} finally {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
}
