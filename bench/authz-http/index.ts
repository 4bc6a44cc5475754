// bench/authz-http: the SubjectAccessReview endpoint over mTLS (POST, full chain: authn, audit, RBAC for the
// create, the review decision) beside a no-op mTLS Node server answering the same bytes, alternating rounds.
// Run: node --import tsx bench/authz-http/index.ts [--seconds 5] [--rounds 3]
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { startChildServer } from '../../test/support/child-server.ts';
import { load, machine, printTable, type LoadResult } from '../support/load.ts';

const arg = (flag: string, dflt: number) => (process.argv.includes(flag) ? Number(process.argv[process.argv.indexOf(flag) + 1]) : dflt);
const seconds = arg('--seconds', 5);
const rounds = arg('--rounds', 3);
const dir = mkdtempSync(path.join(os.tmpdir(), 'portcullis-bench-sar-'));
const server = await startChildServer(['--data-dir', path.join(dir, 'data'), '--listen', '127.0.0.1:0']);
try {
  // A policy to decide against: 200 RoleBindings for 200 users in one namespace.
  await server.request('POST', '/clusters/root/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team' } });
  for (let i = 0; i < 200; i++) {
    await server.request('POST', '/clusters/root/apis/rbac.authorization.k8s.io/v1/namespaces/team/rolebindings', {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: `rb-${i}` },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: i % 2 ? 'view' : 'edit' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: `user-${i}` }],
    });
  }
  const sarPath = '/clusters/root/apis/authorization.k8s.io/v1/subjectaccessreviews';
  const body = JSON.stringify({ apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec: { user: 'user-42', groups: ['devs'], resourceAttributes: { namespace: 'team', verb: 'create', resource: 'deployments', group: 'apps' } } });
  const sample = await server.request('POST', sarPath, JSON.parse(body));
  if (sample.status !== 201 || sample.json().status?.allowed !== true) throw new Error(`unexpected review answer: ${sample.body}`);
  const kc = parseYaml(readFileSync(server.kubeconfig, 'utf8')) as { users: Array<{ user: Record<string, string> }> };
  const tls = { cert: Buffer.from(kc.users[0].user['client-certificate-data'], 'base64'), key: Buffer.from(kc.users[0].user['client-key-data'], 'base64') };

  const pki = path.join(dir, 'data', 'pki');
  const noopCfg = path.join(dir, 'noop.json');
  writeFileSync(noopCfg, JSON.stringify({
    key: readFileSync(path.join(pki, 'server.key'), 'utf8'), cert: readFileSync(path.join(pki, 'server.crt'), 'utf8'), ca: readFileSync(path.join(pki, 'ca.crt'), 'utf8'),
    responses: { [sarPath]: { contentType: 'application/json', body: sample.body } },
  }));
  const noop = spawn(process.execPath, ['--import', 'tsx', path.resolve(import.meta.dirname, '../support/noop-server.ts'), noopCfg], { stdio: ['ignore', 'pipe', 'inherit'] });
  const noopPort = await new Promise<number>((resolve) => noop.stdout!.on('data', (d: Buffer) => { const m = /listening (\d+)/.exec(d.toString()); if (m) resolve(Number(m[1])); }));
  const opts = { seconds, method: 'POST', body, headers: { 'content-type': 'application/json' } };
  const ours: LoadResult[] = [];
  const base: LoadResult[] = [];
  // Warm-up (JIT, caches), not recorded.
  await load('portcullis', `${server.url}${sarPath}`, tls, { ...opts, seconds: 2 });
  await load('no-op', `https://127.0.0.1:${noopPort}${sarPath}`, tls, { ...opts, seconds: 2 });
  for (let r = 0; r < rounds; r++) {
    ours.push(await load('portcullis', `${server.url}${sarPath}`, tls, opts));
    base.push(await load('no-op', `https://127.0.0.1:${noopPort}${sarPath}`, tls, opts));
  }
  noop.kill();
  const median = (rs: LoadResult[]) => [...rs].sort((a, b) => a.rps - b.rps)[Math.floor(rs.length / 2)];
  const o = median(ours); const b = median(base);
  printTable(`bench/authz-http — ${new Date().toISOString().slice(0, 10)} — ${machine()} — ${os.cpus().length} cores, median of ${rounds} alternating ${seconds}s runs, 10 connections, mTLS`, [{
    request: 'POST SubjectAccessReview', 'portcullis req/s': o.rps.toFixed(0), 'portcullis p50 ms': o.p50, 'portcullis p99 ms': o.p99,
    'no-op req/s': b.rps.toFixed(0), 'no-op p99 ms': b.p99, ratio: `${((o.rps / b.rps) * 100).toFixed(0)}%`, errors: o.errors + o.non2xx + b.errors + b.non2xx,
  }]);
  console.log('\nTarget (issue 3): >= 70% of the no-op server.');
} finally {
  await server.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
}
