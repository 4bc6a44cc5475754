// The request path of bench/platform at one size: the tenant door (the gates, then the connected-cluster door) and
// the authorizer union in-process, p50/p99 per case (uniform over the tenants, and 90% in 100 of them), and HTTPS GET
// of pods in a tenant as a platform user (mTLS, the whole chain), req/s.
import type { RunningServer } from '../../src/server/server.ts';
import type { ModuleContext } from '../../src/apiserver/extension.ts';
import type { Filter, RequestContext } from '../../src/apiserver/context.ts';
import { withGates } from '../../src/apiserver/auth/decision-order.ts';
import { withLogicalCluster } from '../../src/apiserver/filters/logical-cluster.ts';
import { attributesOf } from '../../src/apiserver/filters/authorization.ts';
import type { Attributes } from '../../src/apiserver/auth/types.ts';
import { Session } from 'node:inspector/promises';
import { writeFileSync } from 'node:fs';
import { load } from '../support/load.ts';

export interface PathFigures { rows: Array<Record<string, string | number>>; elapsedMs: number }
export interface PathOptions {
  tenants: number; calls: number; seconds: number;
  user(i: number): string; tenant(i: number): string; outsider(i: number): string;
  /** Writes a CPU profile of each case's timed in-process calls to `${profile}-<tenants>-<case>.cpuprofile`. */
  profile?: string;
  /** Timed runs per case (p50 and p99 are their medians; default 1). */
  repeats?: number;
}

const NO_REQUEST = { rawHeaders: [], headers: {} };
const pct = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

export async function requestPath(server: RunningServer, m: ModuleContext, o: PathOptions): Promise<PathFigures> {
  const t0 = performance.now();
  // the door as the chain runs it (chain.ts): the logical cluster of the path (its one lookup by name), the gates
  // (management access), then clusters served elsewhere; the authorizers then get the chain's attributes
  const cluster = withLogicalCluster(m.clusters);
  const gates = withGates(m.gates) ?? ((_c, next) => next());
  const remote = m.filters.clusterAccess ?? ((_c, next) => next());
  const door: Filter = (ctx, next) => cluster(ctx, () => gates(ctx, () => remote(ctx, next)));
  const attrs = (u: string, cluster: string, resource: string): Attributes => ({
    user: { username: u, groups: ['system:authenticated'] }, cluster, verb: 'list', isResourceRequest: true, path: '',
    apiGroup: '', apiVersion: 'v1', resource, subresource: '', namespace: resource === 'nodes' ? '' : 'default', name: '',
  });
  const measure = async (pick: (k: number) => Attributes) => {
    const times: number[] = [];
    const outcome = { allow: 0, deny: 0 };
    for (let k = 0; k < o.calls; k++) {
      const a = pick(k);
      const info = { isResourceRequest: true, verb: a.verb, apiGroup: a.apiGroup, apiVersion: a.apiVersion, resource: a.resource,
        subresource: a.subresource, namespace: a.namespace, name: a.name, path: a.path, apiPrefix: 'api', parts: [] };
      const ctx = { path: `/clusters/${a.cluster}/api/v1/${a.resource}`, user: a.user, info, req: NO_REQUEST, annotations: {} } as unknown as RequestContext;
      const s = performance.now();
      try {
        await door(ctx, async () => { const r = await m.runtime.authorize(attributesOf(ctx)); outcome[r.decision === 'allow' ? 'allow' : 'deny']++; });
      } catch { outcome.deny++; }
      times.push(performance.now() - s);
      // the loop completes in microtasks: let timers (progress, controllers) run now and then, outside the timing
      if (k % 1000 === 999) await new Promise((r) => setImmediate(r));
    }
    times.sort((x, y) => x - y);
    return { p50: pct(times, 50), p99: pct(times, 99), ...outcome };
  };
  // Rule 0 of tenant i names user(i): that user has access (view) in every tenant it is drawn for.
  const pickTenant = (k: number) => (k * 7919) % o.tenants;
  const hot = (k: number) => (k % 10 === 0 ? pickTenant(k) : pickTenant(k) % 100);
  const rows: Array<Record<string, string | number>> = [];
  const session = o.profile ? new Session() : undefined;
  if (session) {
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 50 });
  }
  const cases = [
    ['member: list pods (door + RBAC allow)', (k: number) => attrs(o.user(pickTenant(k)), o.tenant(pickTenant(k)), 'pods')],
    ['member: list nodes (door + delegation)', (k: number) => attrs(o.user(pickTenant(k)), o.tenant(pickTenant(k)), 'nodes')],
    ['outsider: door deny', (k: number) => attrs(o.outsider(k), o.tenant(pickTenant(k)), 'pods')],
    // the same calls with 90% of them in 100 tenants: what the working set (CPU caches) costs, the code being equal
    ['member: list pods, 90% in 100 hot tenants', (k: number) => attrs(o.user(hot(k)), o.tenant(hot(k)), 'pods')],
  ] as const;
  // every case once before any is timed: the first case is not timed while the others' code is still cold
  for (const [, pick] of cases) await measure(pick);
  for (const [name, pick] of cases) {
    await measure(pick); // warm
    if (session) await session.post('Profiler.start');
    const runs: Array<Awaited<ReturnType<typeof measure>>> = [];
    for (let i = 0; i < (o.repeats ?? 1); i++) runs.push(await measure(pick));
    if (session) {
      const { profile } = await session.post('Profiler.stop');
      writeFileSync(`${o.profile}-${o.tenants}-${rows.length}.cpuprofile`, JSON.stringify(profile));
    }
    const r = runs[0]!;
    const med = (f: (x: typeof r) => number) => runs.map(f).sort((x, y) => x - y)[Math.floor(runs.length / 2)]!;
    rows.push({ case: name, 'p50 µs': (med((x) => x.p50) * 1000).toFixed(1), 'p99 µs': (med((x) => x.p99) * 1000).toFixed(1), allowed: r.allow, denied: r.deny });
  }
  session?.disconnect();
  const mid = Math.floor(o.tenants / 2);
  const c = await server.pki.issueClientCert({ commonName: o.user(mid), organizations: [], validitySeconds: 3600 });
  const tls = { cert: Buffer.from(c.certPem), key: Buffer.from(c.keyPem) };
  const http = await load('http', `${server.url}/clusters/${o.tenant(mid)}/api/v1/namespaces/default/pods`, tls, { seconds: o.seconds });
  rows.push({ case: `HTTPS GET pods in ${o.tenant(mid)}`, 'p50 µs': http.p50 * 1000, 'p99 µs': http.p99 * 1000, allowed: `${http.rps.toFixed(0)} req/s`, denied: http.errors + http.non2xx });
  return { rows, elapsedMs: performance.now() - t0 };
}
