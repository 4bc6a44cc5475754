// bench/proxy: what the connected-cluster proxy adds. Two Portcullis processes: "up" is the connected cluster, "front"
// proxies /clusters/up to it with impersonation. GET req/s and latency directly vs through the proxy, and watch-event
// latency (create upstream → event on a direct watch and on a proxied watch, both open at once).
// Run: node --import tsx bench/proxy/index.ts [--seconds 5] [--events 200]
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { startChildServer, type ChildServer } from '../../test/support/child-server.ts';
import { load, machine, printTable } from '../support/load.ts';
import { adminTls } from '../support/reference.ts';
import { upstreamRbac } from '../../src/cli/clusters.ts';

const arg = (flag: string, dflt: number) => (process.argv.includes(flag) ? Number(process.argv[process.argv.indexOf(flag) + 1]) : dflt);
const seconds = arg('--seconds', 5);
const events = arg('--events', 200);
const dir = mkdtempSync(path.join(os.tmpdir(), 'portcullis-bench-proxy-'));

async function must(s: ChildServer, method: string, p: string, body?: unknown): Promise<any> {
  const r = await s.request(method, p, body);
  if (r.status >= 300) throw new Error(`${method} ${p}: ${r.status} ${r.body}`);
  return r.json();
}

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
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

const [up, front] = await Promise.all([
  startChildServer(['--data-dir', path.join(dir, 'up'), '--listen', '127.0.0.1:0']),
  startChildServer(['--data-dir', path.join(dir, 'front'), '--listen', '127.0.0.1:0']),
]);
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
  // Front: the ConnectedCluster "up"; its admin (a global admin) gets cluster-admin upstream through role mapping.
  await must(front, 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'portcullis-connected-clusters' } });
  await must(front, 'POST', '/api/v1/namespaces/portcullis-connected-clusters/secrets', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'up' }, stringData: { token } });
  await must(front, 'POST', '/apis/management.portcullis.io/v1/projects', { apiVersion: 'management.portcullis.io/v1', kind: 'Project', metadata: { name: 'bench' }, spec: {} });
  await must(front, 'POST', '/apis/management.portcullis.io/v1/connectedclusters', {
    apiVersion: 'management.portcullis.io/v1', kind: 'ConnectedCluster', metadata: { name: 'up' }, spec: { project: 'bench', server: up.url, caData },
  });
  const getPath = '/api/v1/namespaces/default/configmaps/bench';
  for (let i = 0; ; i++) { // until the role-mapping binding exists upstream
    if ((await front.request('GET', `/clusters/up${getPath}`)).status === 200) break;
    if (i > 100) throw new Error('the proxy never answered 200');
    await new Promise((r) => setTimeout(r, 100));
  }
  const upTls = adminTls(up.kubeconfig);
  const frontTls = adminTls(front.kubeconfig);
  await load('warm direct', `${up.url}${getPath}`, upTls, { seconds: 1 });
  await load('warm proxy', `${front.url}/clusters/up${getPath}`, frontTls, { seconds: 1 });
  const direct = await load('direct', `${up.url}${getPath}`, upTls, { seconds });
  const proxied = await load('proxy', `${front.url}/clusters/up${getPath}`, frontTls, { seconds });

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
  printTable(`bench/proxy — ${new Date().toISOString().slice(0, 10)} — ${machine()} — ${os.cpus().length} cores, ${seconds}s GET runs, 10 connections, ${events} watch events`, [
    { measure: 'GET req/s', direct: direct.rps.toFixed(0), proxy: proxied.rps.toFixed(0), 'proxy cost': `${((1 - proxied.rps / direct.rps) * 100).toFixed(0)}% fewer` },
    { measure: 'GET p50 ms', direct: direct.p50, proxy: proxied.p50, 'proxy cost': `+${f(proxied.p50 - direct.p50)} ms` },
    { measure: 'GET p99 ms', direct: direct.p99, proxy: proxied.p99, 'proxy cost': `+${f(proxied.p99 - direct.p99)} ms` },
    { measure: 'watch event p50 ms', direct: f(percentile(dDirect, 50)), proxy: f(percentile(dProxy, 50)), 'proxy cost': `+${f(percentile(dProxy, 50) - percentile(dDirect, 50))} ms` },
    { measure: 'watch event p99 ms', direct: f(percentile(dDirect, 99)), proxy: f(percentile(dProxy, 99)), 'proxy cost': `+${f(percentile(dProxy, 99) - percentile(dDirect, 99))} ms` },
    { measure: 'errors', direct: direct.errors + direct.non2xx, proxy: proxied.errors + proxied.non2xx, 'proxy cost': '' },
  ]);
  console.log('\nTarget: the proxy adds <= 0.3 ms p50 and loses <= 25% of direct req/s.');
} finally {
  await Promise.all([up.kill('SIGTERM'), front.kill('SIGTERM')]);
  rmSync(dir, { recursive: true, force: true });
}
