// Issue 17's request path without provisioning: the lazy RBAC index (LazyRbac over RbacIndex) holding N tenant
// clusters shaped as bench/platform makes them (the built-in policy + one ClusterRoleBinding per (user, role) of
// the tenant's role mapping), decisions drawn uniformly over the first k tenants for k = 100, 3,000, N, in one
// process, beside a skewed draw (90% into 100 hot tenants) and a floor: three dependent Map.get over plain
// objects of the same count (cluster -> user -> view), the least any per-cluster lookup structure touches.
// Run: node --import tsx bench/authz/tenant-scale.ts [--tenants 10000] [--calls 200000] [--runs 3]
import os from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Attributes, AuthorizerResult } from '../../src/apiserver/auth/types.ts';
import { LazyRbac, RbacIndex, applyAggregation, loadBootstrapPolicy, type ClusterRoleBinding, type PolicySnapshot } from '../../src/auth/authz/rbac/index.ts';
import { machine, printTable } from '../support/load.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const arg = (name: string, dflt: number) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? Number(process.argv[i + 1]) : dflt; };
const N = arg('tenants', 10_000);
const CALLS = arg('calls', 200_000);
const RUNS = arg('runs', 3);
const USERS = 2000;
const ROLES = ['view', 'edit', 'admin'];

const user = (i: number) => `u${String(i % USERS).padStart(4, '0')}`;
const tenant = (i: number) => `tc-${String(i).padStart(5, '0')}`;
const outsider = (i: number) => `o${String(i % 100).padStart(3, '0')}`;

/** The tenant's role mapping as bench/platform's spec gives it: 5 user rules, 5 team rules of 4 members. */
function mapping(i: number): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (let j = 0; j < 10; j++) {
    const role = ROLES[j % 3]!;
    if (j % 2 === 0) out.push([user(i + j * 7), role]);
    else { const t = (i + j) % 500; for (let k = 0; k < 4; k++) out.push([user(t * 4 + k), role]); }
  }
  return out;
}

const boot = loadBootstrapPolicy();
const clusterRoles = applyAggregation(boot.clusterRoles);
function snapshot(i: number): PolicySnapshot {
  const crbs: ClusterRoleBinding[] = mapping(i).map(([u, r]) => ({
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: `portcullis:user:${u}:${r}` },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: r },
    subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: u }],
  }));
  return {
    clusterRoles: [...clusterRoles], roles: [...boot.roles],
    clusterRoleBindings: [...boot.clusterRoleBindings, ...crbs], roleBindings: [...boot.roleBindings],
  };
}

const attrs = (u: string, cluster: string, resource: string): Attributes => ({
  user: { username: u, groups: ['system:authenticated'] }, cluster, verb: 'list', isResourceRequest: true, path: '',
  apiGroup: '', apiVersion: 'v1', resource, subresource: '', namespace: 'default', name: '',
});

// Every cluster held (capacity above N), as after the request path's warm-up in bench/platform.
const index = new RbacIndex();
const rbac = new LazyRbac(index, { source: async (c) => snapshot(Number(c.slice(3))), capacity: N + 10 });
const t0 = performance.now();
for (let i = 0; i < N; i++) await rbac.authorize(attrs(user(i), tenant(i), 'pods'));
const buildMs = performance.now() - t0;

// The floor: cluster -> user -> view, plain objects, as many as the index holds.
interface FloorView { parts: number[] }
const floor = new Map<string, Map<string, FloorView>>();
for (let i = 0; i < N; i++) {
  const m = new Map<string, FloorView>();
  for (const [u] of mapping(i)) m.set(u, { parts: [1, 2, 3, i] });
  floor.set(tenant(i), m);
}

/** Tenant of call k: uniform over the first `k` tenants, or 90% over the first 100. */
const uniform = (size: number) => (k: number) => (k * 7919 + ((k * 2654435761) >>> 20)) % size;
const skewed = (size: number) => (k: number) => ((k % 10) !== 0 ? (k * 7919) % 100 : (k * 7919) % size);

type Case = { name: string; size: number; pick: (k: number) => number; make: (t: number, k: number) => Attributes };
const member = (t: number) => attrs(user(t), tenant(t), 'pods');
const stranger = (t: number, k: number) => attrs(outsider(k), tenant(t), 'pods');
const sizes = [...new Set([100, Math.min(3000, N), N])];
const cases: Case[] = [
  ...sizes.map((s) => ({ name: 'member: list pods (allow), uniform', size: s, pick: uniform(s), make: member })),
  ...sizes.map((s) => ({ name: 'outsider (no opinion), uniform', size: s, pick: uniform(s), make: stranger })),
  { name: 'member: list pods (allow), 90% in 100 hot', size: N, pick: skewed(N), make: member },
];

let sink = 0;
/** Per call: time of batches of 64 calls (ns per call, mean of the batch), p50/p99 over batches; and allow count. */
function run(c: Case): { p50: number; p99: number; mean: number; allowed: number; floorNs: number; sweeps: number; evictions: number } {
  const reqs: Attributes[] = [];
  for (let k = 0; k < CALLS; k++) reqs.push(c.make(c.pick(k), k));
  const decide = (a: Attributes) => rbac.authorize(a) as AuthorizerResult;
  for (let k = 0; k < CALLS; k++) decide(reqs[k]!); // warm: every view built
  gc();
  const v0 = index.viewStats();
  const B = 64;
  const per: number[] = [];
  let allowed = 0;
  const s0 = performance.now();
  for (let k = 0; k + B <= CALLS; k += B) {
    const s = process.hrtime.bigint();
    for (let j = k; j < k + B; j++) if (decide(reqs[j]!).decision === 'allow') allowed++;
    per.push(Number(process.hrtime.bigint() - s) / B);
  }
  const mean = ((performance.now() - s0) * 1e6) / (per.length * B);
  per.sort((x, y) => x - y);
  const v1 = index.viewStats();
  // the floor over the same draw: three dependent lookups and a read
  const f0 = performance.now();
  for (let k = 0; k < CALLS; k++) {
    const a = reqs[k]!;
    const v = floor.get(a.cluster)?.get(a.user.username);
    if (v !== undefined) sink += v.parts[3]!;
  }
  const floorNs = ((performance.now() - f0) * 1e6) / CALLS;
  return { p50: per[Math.floor(per.length / 2)]!, p99: per[Math.floor(per.length * 0.99)]!, mean, allowed, floorNs, sweeps: v1.resets - v0.resets, evictions: v1.evictions - v0.evictions };
}

const results = new Map<Case, Array<ReturnType<typeof run>>>();
for (let r = 0; r < RUNS; r++) for (const c of cases) { const x = run(c); results.set(c, [...(results.get(c) ?? []), x]); }
const med = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const rows = cases.map((c) => {
  const xs = results.get(c)!;
  return {
    case: c.name, tenants: c.size, 'p50 ns': med(xs.map((x) => x.p50)).toFixed(0), 'p99 ns': med(xs.map((x) => x.p99)).toFixed(0),
    'mean ns': med(xs.map((x) => x.mean)).toFixed(0), 'Map floor ns': med(xs.map((x) => x.floorNs)).toFixed(0),
    'cache sweeps / evictions': `${xs[0]!.sweeps} / ${xs[0]!.evictions}`,
    allowed: `${((xs[0]!.allowed / (CALLS - (CALLS % 64))) * 100).toFixed(0)}%`,
  };
});
const st = rbac.stats();
printTable(`bench/authz/tenant-scale — ${new Date().toISOString().slice(0, 10)} — ${machine()} — load ${os.loadavg().map((x) => x.toFixed(1)).join(' ')} — ${N} tenants held (${st.loaded} loaded, built in ${(buildMs / 1000).toFixed(1)} s), ${CALLS} calls per case, medians of ${RUNS} runs; time per call in batches of 64 (p50/p99 over batches)`, rows);
if (sink === -1) console.log(sink);
