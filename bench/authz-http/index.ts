// bench/authz-http: the SubjectAccessReview endpoint over mTLS (POST, full chain: authn, audit, RBAC for the
// create, the review decision), in one run beside three references, alternating rounds:
// - no-op: a Node HTTPS server answering Portcullis' recorded bytes without reading the request (the issue's peer);
// - bare JSON: the same server reading the body, JSON.parse-ing it and answering JSON.stringify (the least any
//   Node endpoint that looks at its input does);
// - Portcullis with its audit policy at level None (what auditing costs).
// Run: node --import tsx bench/authz-http/index.ts [--seconds 5] [--rounds 3]
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startChildServer, type ChildServer } from '../../test/support/child-server.ts';
import { load, machine, printTable, type LoadResult } from '../support/load.ts';
import { adminTls, startReference } from '../support/reference.ts';

const arg = (flag: string, dflt: number) => (process.argv.includes(flag) ? Number(process.argv[process.argv.indexOf(flag) + 1]) : dflt);
const seconds = arg('--seconds', 5);
const rounds = arg('--rounds', 3);
const dir = mkdtempSync(path.join(os.tmpdir(), 'portcullis-bench-sar-'));
const sarPath = '/clusters/root/apis/authorization.k8s.io/v1/subjectaccessreviews';
const body = JSON.stringify({ apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec: { user: 'user-42', groups: ['devs'], resourceAttributes: { namespace: 'team', verb: 'create', resource: 'deployments', group: 'apps' } } });

/** A Portcullis server with the policy to decide against: 200 RoleBindings for 200 users in one namespace. */
async function portcullis(name: string, extra: string[]): Promise<ChildServer> {
  const server = await startChildServer(['--data-dir', path.join(dir, name), '--listen', '127.0.0.1:0', ...extra]);
  await server.request('POST', '/clusters/root/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team' } });
  for (let i = 0; i < 200; i++) {
    await server.request('POST', '/clusters/root/apis/rbac.authorization.k8s.io/v1/namespaces/team/rolebindings', {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: `rb-${i}` },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: i % 2 ? 'view' : 'edit' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: `user-${i}` }],
    });
  }
  return server;
}

const noAuditPolicy = path.join(dir, 'audit-none.yaml');
writeFileSync(noAuditPolicy, 'apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: None\n');
const servers: ChildServer[] = [];
const kill: Array<() => unknown> = [];
try {
  const server = await portcullis('data', []);
  servers.push(server);
  const quiet = await portcullis('quiet', ['--audit-policy-file', noAuditPolicy]);
  servers.push(quiet);
  const sample = await server.request('POST', sarPath, JSON.parse(body));
  if (sample.status !== 201 || sample.json().status?.allowed !== true) throw new Error(`unexpected review answer: ${sample.body}`);
  const tls = adminTls(server.kubeconfig);
  const pki = path.join(dir, 'data', 'pki');
  const recorded = { contentType: 'application/json', body: sample.body, status: 201 };
  const noop = await startReference(pki, path.join(dir, 'noop.json'), { [sarPath]: recorded });
  kill.push(() => noop.proc.kill());
  const bare = await startReference(pki, path.join(dir, 'bare.json'), { [sarPath]: { ...recorded, parse: true } });
  kill.push(() => bare.proc.kill());

  // Each Portcullis has its own CA; the references use the first one's certificates.
  const targets: Array<[string, string, ReturnType<typeof adminTls>]> = [
    ['Portcullis (default audit policy)', server.url, tls], ['Portcullis (audit policy None)', quiet.url, adminTls(quiet.kubeconfig)],
    ['bare JSON Node server', bare.url, tls], ['no-op Node server', noop.url, tls],
  ];
  const opts = { seconds, method: 'POST', body, headers: { 'content-type': 'application/json' } };
  const runs = new Map<string, LoadResult[]>(targets.map(([name]) => [name, []]));
  // Warm-up (JIT, caches), not recorded; then alternate, so a burst of other activity does not land on one side only.
  for (const [name, url, cert] of targets) await load(name, `${url}${sarPath}`, cert, { ...opts, seconds: 2 });
  for (let r = 0; r < rounds; r++) {
    for (const [name, url, cert] of targets) runs.get(name)!.push(await load(name, `${url}${sarPath}`, cert, opts));
  }
  const median = (rs: LoadResult[]) => [...rs].sort((a, b) => a.rps - b.rps)[Math.floor(rs.length / 2)];
  const noopRps = median(runs.get('no-op Node server')!).rps;
  printTable(`bench/authz-http — POST SubjectAccessReview — ${new Date().toISOString().slice(0, 10)} — ${machine()} — ${os.cpus().length} cores, median of ${rounds} alternating ${seconds}s runs, 10 connections, mTLS`,
    targets.map(([name]) => {
      const m = median(runs.get(name)!);
      return { server: name, 'req/s': m.rps.toFixed(0), 'p50 ms': m.p50, 'p99 ms': m.p99, 'of no-op': `${((m.rps / noopRps) * 100).toFixed(0)}%`, errors: m.errors + m.non2xx };
    }));
  console.log('\nTarget (issue 3): Portcullis (default audit policy) >= 70% of the no-op server.');
} finally {
  for (const k of kill) k();
  for (const s of servers) await s.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
}
