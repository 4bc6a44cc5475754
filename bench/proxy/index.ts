// bench/proxy: what the connected-cluster proxy adds. "front" (Portcullis) proxies /clusters/up to a second Portcullis
// ("up", a real API server doing impersonation) and /clusters/min to a minimal HTTPS upstream answering the same GET
// with fixed bytes (its own cost small and constant), and a bare Node HTTPS proxy (no authentication, authorization or
// audit) fronts the minimal upstream too, as the floor under any Node proxy. In one run, in interleaved rounds: GET
// req/s under load (10 connections) directly and through each proxy, the CPU the proxy and the upstream spend per
// request, sequential GET latency on one keep-alive connection (sub-millisecond percentiles), and watch-event latency
// through the front vs directly.
// --pin puts the front alone on CPU 1 and the upstreams and the load generator on CPU 0 (2-core machines), so the
// upstream does not compete with the front. --profile DIR writes the front's and the upstream Portcullis' --cpu-prof
// profiles to DIR/front and DIR/up.
// Run: node --import tsx bench/proxy/index.ts [--seconds 3] [--rounds 3] [--events 200] [--sequential 2000] [--pin] [--profile DIR]
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { startChildServer, type ChildServer } from '../../test/support/child-server.ts';
import { load, machine, printTable } from '../support/load.ts';
import { adminTls, startReference } from '../support/reference.ts';
import { cpuMs, percentile, pin, sequentialLatency, startScript } from './measure.ts';
import { upstreamRbac } from '../../src/cli/clusters.ts';
import { UPSTREAM_MANAGED_LABEL, UPSTREAM_MANAGED_VALUE } from '../../src/clusters/types.ts';

const arg = (flag: string, dflt: number) => (process.argv.includes(flag) ? Number(process.argv[process.argv.indexOf(flag) + 1]) : dflt);
const seconds = arg('--seconds', 3);
const rounds = arg('--rounds', 3);
const events = arg('--events', 200);
const sequential = arg('--sequential', 2000);
const pinned = process.argv.includes('--pin');
const profileDir = process.argv.includes('--profile') ? path.resolve(process.argv[process.argv.indexOf('--profile') + 1]) : undefined;
const dir = mkdtempSync(path.join(os.tmpdir(), 'portcullis-bench-proxy-'));

async function must(s: ChildServer, method: string, p: string, body?: unknown): Promise<any> {
  const r = await s.request(method, p, body);
  if (r.status >= 300) throw new Error(`${method} ${p}: ${r.status} ${r.body}`);
  return r.json();
}

/** A watch whose events resolve waiters by object name. */
function watch(url: string, tls: { cert: Buffer; key: Buffer }): { seen: (name: string) => Promise<number>; close(): void } {
  const waiters = new Map<string, (t: number) => void>();
  const early = new Map<string, number>();
  const req = https.request(url, { ...tls, rejectUnauthorized: false, agent: false }, (res) => {
    let buf = '';
    res.on('data', (c: Buffer) => {
      const t = performance.now();
      buf += c.toString();
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        const ev = JSON.parse(buf.slice(0, i)) as { type: string; object: { metadata: { name: string } } };
        buf = buf.slice(i + 1);
        if (ev.type !== 'ADDED') continue;
        const w = waiters.get(ev.object.metadata.name);
        if (w) { waiters.delete(ev.object.metadata.name); w(t); } else early.set(ev.object.metadata.name, t);
      }
    });
  });
  req.on('error', () => undefined);
  req.end();
  return {
    seen: (name) => (early.has(name) ? Promise.resolve(early.get(name)!) : new Promise((resolve) => waiters.set(name, resolve))),
    close: () => req.destroy(),
  };
}

const profiled = (name: string) => (profileDir ? { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${path.join(profileDir, name)}`] } : {});
const [up, front] = await Promise.all([
  startChildServer(['--data-dir', path.join(dir, 'up'), '--listen', '127.0.0.1:0'], profiled('up')),
  startChildServer(['--data-dir', path.join(dir, 'front'), '--listen', '127.0.0.1:0'], profiled('front')),
]);
let min: Awaited<ReturnType<typeof startReference>> | undefined;
let bare: Awaited<ReturnType<typeof startScript>> | undefined;
try {
  // Upstream: the proxy's ServiceAccount, its RBAC and a token; one ConfigMap to GET.
  await must(up, 'POST', '/api/v1/namespaces/default/serviceaccounts', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'portcullis-proxy' } });
  for (const doc of parseAllDocuments(upstreamRbac({ kind: 'ServiceAccount', namespace: 'default', name: 'portcullis-proxy' }))) {
    const o = doc.toJSON() as { kind: string };
    await must(up, 'POST', `/apis/rbac.authorization.k8s.io/v1/${o.kind === 'ClusterRole' ? 'clusterroles' : 'clusterrolebindings'}`, o);
  }
  const token = (await must(up, 'POST', '/api/v1/namespaces/default/serviceaccounts/portcullis-proxy/token', { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: {} })).status.token as string;
  await must(up, 'POST', '/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'bench' }, data: { k: 'x'.repeat(64) } });
  const caData = (parseYaml(readFileSync(up.kubeconfig, 'utf8')) as { clusters: Array<{ cluster: Record<string, string> }> }).clusters[0].cluster['certificate-authority-data'];
  // The minimal upstream serves the same bytes "up" answers for the GET, /version, and the role-mapping calls.
  const getPath = '/api/v1/namespaces/default/configmaps/bench';
  const crbs = '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings';
  const json = (body: unknown, status = 200) => ({ contentType: 'application/json', body: JSON.stringify(body), status });
  min = await startReference(path.join(dir, 'up', 'pki'), path.join(dir, 'min.json'), {
    [getPath]: { contentType: 'application/json', body: (await up.request('GET', getPath)).body },
    '/version': json({ major: '1', minor: '32', gitVersion: 'v1.32.0-minimal' }),
    [`${crbs}?labelSelector=${encodeURIComponent(`${UPSTREAM_MANAGED_LABEL}=${UPSTREAM_MANAGED_VALUE}`)}`]: json({ kind: 'ClusterRoleBindingList', items: [] }),
    [crbs]: json({ kind: 'ClusterRoleBinding' }, 201),
  });
  // Front: ConnectedClusters "up" and "min"; its admin (a global admin) gets cluster-admin upstream through role mapping.
  await must(front, 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'portcullis-connected-clusters' } });
  await must(front, 'POST', '/apis/management.portcullis.io/v1/projects', { apiVersion: 'management.portcullis.io/v1', kind: 'Project', metadata: { name: 'bench' }, spec: {} });
  for (const [name, server] of [['up', up.url], ['min', min.url]]) {
    await must(front, 'POST', '/api/v1/namespaces/portcullis-connected-clusters/secrets', { apiVersion: 'v1', kind: 'Secret', metadata: { name }, stringData: { token } });
    await must(front, 'POST', '/apis/management.portcullis.io/v1/connectedclusters', {
      apiVersion: 'management.portcullis.io/v1', kind: 'ConnectedCluster', metadata: { name }, spec: { project: 'bench', server, caData },
    });
  }
  for (let i = 0; ; i++) { // until the role-mapping binding exists upstream
    if ((await front.request('GET', `/clusters/up${getPath}`)).status === 200 && (await front.request('GET', `/clusters/min${getPath}`)).status === 200) break;
    if (i > 100) throw new Error('the proxy never answered 200');
    await new Promise((r) => setTimeout(r, 100));
  }
  const upTls = adminTls(up.kubeconfig);
  const frontTls = adminTls(front.kubeconfig);
  bare = await startScript(path.resolve(import.meta.dirname, 'bare-proxy.ts'), [path.join(dir, 'front', 'pki'), min.url, path.join(dir, 'up', 'pki', 'ca.crt')]);
  const pids = { front: front.proc.pid!, up: up.proc.pid!, min: min.proc.pid!, bare: bare.proc.pid! };
  if (pinned) {
    const ok = pin(pids.front, '1') && pin(pids.bare, '1') && pin(pids.up, '0') && pin(pids.min, '0') && pin(process.pid, '0');
    if (!ok) throw new Error('--pin: taskset failed');
  }
  type Pid = keyof typeof pids;
  /** One load run, with the CPU milliseconds the proxy and the upstream spent per request during it. */
  const run = async (url: string, tls: { cert: Buffer; key: Buffer }, proxy: Pid, upstream: Pid) => {
    const before = { proxy: cpuMs(pids[proxy]), upstream: cpuMs(pids[upstream]), bench: process.cpuUsage() };
    const r = await load(url, url, tls, { seconds });
    const n = r.total;
    const per = (k: 'proxy' | 'upstream') => {
      const c = cpuMs(pids[k === 'proxy' ? proxy : upstream]);
      return { all: (c.user + c.sys - before[k].user - before[k].sys) / n, sys: (c.sys - before[k].sys) / n };
    };
    const b = process.cpuUsage(before.bench);
    return { ...r, cpu: { proxy: per('proxy'), upstream: per('upstream'), bench: (b.user + b.system) / 1000 / n } };
  };
  type Run = Awaited<ReturnType<typeof run>>;
  const targets = [
    { key: 'up direct', url: `${up.url}${getPath}`, tls: upTls, proxy: 'front', upstream: 'up' },
    { key: 'up via front', url: `${front.url}/clusters/up${getPath}`, tls: frontTls, proxy: 'front', upstream: 'up' },
    { key: 'min direct', url: `${min.url}${getPath}`, tls: frontTls, proxy: 'front', upstream: 'min' },
    { key: 'min via front', url: `${front.url}/clusters/min${getPath}`, tls: frontTls, proxy: 'front', upstream: 'min' },
    { key: 'min via bare', url: `${bare.url}${getPath}`, tls: frontTls, proxy: 'bare', upstream: 'min' },
  ] as const;
  // Rounds interleave the targets, so a burst of load from elsewhere on the machine spreads over all of them; each
  // figure below is the median over the rounds (latencies: percentiles over all rounds' samples).
  const runs = new Map<string, Run[]>();
  const latency = new Map<string, number[]>();
  for (const t of targets) await load('warm', t.url, t.tls, { seconds: 1 });
  for (let round = 0; round < rounds; round++) {
    for (const t of targets) {
      runs.set(t.key, [...(runs.get(t.key) ?? []), await run(t.url, t.tls, t.proxy, t.upstream)]);
      latency.set(t.key, [...(latency.get(t.key) ?? []), ...await sequentialLatency(t.url, t.tls, Math.ceil(sequential / rounds), 50)]);
    }
  }
  const median = (xs: number[]) => percentile(xs, 50);
  const summary = (key: string) => {
    const rs = runs.get(key)!;
    const c = (f: (r: Run) => number) => median(rs.map(f));
    return {
      rps: c((r) => r.rps), p50: c((r) => r.p50), errors: `${rs.reduce((n, r) => n + r.errors, 0)} / ${rs.reduce((n, r) => n + r.non2xx, 0)}`, latency: latency.get(key)!,
      cpu: {
        proxy: { all: c((r) => r.cpu.proxy.all), sys: c((r) => r.cpu.proxy.sys) },
        upstream: { all: c((r) => r.cpu.upstream.all), sys: c((r) => r.cpu.upstream.sys) }, bench: c((r) => r.cpu.bench),
      },
    };
  };
  const scenarios = [
    { label: 'Portcullis upstream, Portcullis front', direct: summary('up direct'), proxied: summary('up via front') },
    { label: 'minimal upstream, Portcullis front', direct: summary('min direct'), proxied: summary('min via front') },
    { label: 'minimal upstream, bare Node proxy', direct: summary('min direct'), proxied: summary('min via bare') },
  ];
  const list = await must(up, 'GET', '/api/v1/namespaces/default/configmaps');
  const q = `/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=${list.metadata.resourceVersion}`;
  const wd = watch(`${up.url}${q}`, upTls);
  const wp = watch(`${front.url}/clusters/up${q}`, frontTls);
  const dDirect: number[] = [];
  const dProxy: number[] = [];
  for (let i = 0; i < events; i++) {
    const name = `ev-${i}`;
    const t0 = performance.now();
    const [td, tp] = await Promise.all([wd.seen(name), wp.seen(name), must(up, 'POST', '/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name } })]);
    dDirect.push(td - t0);
    dProxy.push(tp - t0);
  }
  wd.close(); wp.close();
  const f = (n: number) => n.toFixed(2);
  const f3 = (n: number) => n.toFixed(3);
  const cpu = (c: { all: number; sys: number }) => `${f3(c.all)} (${f3(c.sys)})`;
  const title = `bench/proxy — ${new Date().toISOString().slice(0, 16)}Z — ${machine()} — ${os.cpus().length} cores, load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`
    + `${pinned ? ', pinned (front: CPU 1; upstreams, load generator: CPU 0)' : ', not pinned'} — ${rounds} rounds of ${seconds}s GET runs, 10 connections (medians)`;
  const rows: Array<Record<string, string>> = [];
  for (const { label, direct: d, proxied: p } of scenarios) {
    const ld = d.latency;
    const lp = p.latency;
    rows.push(
      { scenario: label, measure: 'GET req/s (10 conns)', direct: d.rps.toFixed(0), proxied: p.rps.toFixed(0), 'proxy cost': `${((1 - p.rps / d.rps) * 100).toFixed(0)}% fewer` },
      { scenario: label, measure: 'GET p50 ms (10 conns)', direct: String(d.p50), proxied: String(p.p50), 'proxy cost': `+${f(p.p50 - d.p50)} ms` },
      { scenario: label, measure: `GET p50 ms (1 conn, ${sequential} seq.)`, direct: f3(percentile(ld, 50)), proxied: f3(percentile(lp, 50)), 'proxy cost': `+${f3(percentile(lp, 50) - percentile(ld, 50))} ms` },
      { scenario: label, measure: `GET p99 ms (1 conn, ${sequential} seq.)`, direct: f3(percentile(ld, 99)), proxied: f3(percentile(lp, 99)), 'proxy cost': `+${f3(percentile(lp, 99) - percentile(ld, 99))} ms` },
      { scenario: label, measure: 'proxy CPU ms/req (of it kernel)', direct: '', proxied: cpu(p.cpu.proxy), 'proxy cost': '' },
      { scenario: label, measure: 'upstream CPU ms/req (of it kernel)', direct: cpu(d.cpu.upstream), proxied: cpu(p.cpu.upstream), 'proxy cost': '' },
      { scenario: label, measure: 'load generator CPU ms/req', direct: f3(d.cpu.bench), proxied: f3(p.cpu.bench), 'proxy cost': '' },
      { scenario: label, measure: 'errors / non-2xx answers', direct: d.errors, proxied: p.errors, 'proxy cost': '' },
    );
  }
  rows.push(
    { scenario: 'Portcullis upstream, Portcullis front', measure: 'watch event p50 ms', direct: f(percentile(dDirect, 50)), proxied: f(percentile(dProxy, 50)), 'proxy cost': `+${f(percentile(dProxy, 50) - percentile(dDirect, 50))} ms` },
    { scenario: 'Portcullis upstream, Portcullis front', measure: 'watch event p99 ms', direct: f(percentile(dDirect, 99)), proxied: f(percentile(dProxy, 99)), 'proxy cost': `+${f(percentile(dProxy, 99) - percentile(dDirect, 99))} ms` },
  );
  printTable(title, rows);
  console.log('\nTarget: the proxy adds <= 0.3 ms p50 and loses <= 25% of direct req/s.');
} finally {
  min?.proc.kill('SIGTERM');
  bare?.proc.kill('SIGTERM');
  await Promise.all([up.kill('SIGTERM'), front.kill('SIGTERM')]);
  rmSync(dir, { recursive: true, force: true });
}
