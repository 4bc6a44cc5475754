// bench/credentials: (1) access-key authentication cost per request in process (bearer parse, keyed SHA-256, index
// lookup, constant-time check, live identity) with 10k keys indexed; (2) req/s and latency through the whole chain
// over loopback HTTPS for the same user authenticated by an access key vs by a client certificate.
// Run: node --import tsx bench/credentials/index.ts [--seconds 8]
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { startChildServer } from '../../test/support/child-server.ts';
import { load, machine, printTable } from '../support/load.ts';
import { issueLeafCert, loadSigningCa } from '../../src/pki/certs.ts';
import { AccessKeyIndex, createAccessKeyAuthenticator, IdentityIndex, createHasher, generateKeySecret } from '../../src/credentials/index.ts';

const seconds = Number(process.argv[process.argv.indexOf('--seconds') + 1]) || 8;

function micro(): Array<Record<string, string | number>> {
  const hash = createHasher(randomBytes(32));
  const index = new AccessKeyIndex();
  const identities = new IdentityIndex();
  for (let u = 0; u < 100; u++) identities.setUser(`user-${u}`, { metadata: { name: `user-${u}`, uid: `uid-${u}` }, spec: { groups: ['devs'] } });
  const secrets: string[] = [];
  for (let i = 0; i < 10_000; i++) {
    const s = generateKeySecret();
    secrets.push(s);
    index.upsert({ metadata: { name: `key-${i}`, creationTimestamp: '2030-01-01T00:00:00Z' }, spec: { user: `user-${i % 100}`, scope: i % 2 ? { projects: ['p'] } : undefined, idleTimeout: '720h' }, status: { secretHash: hash(s) } });
  }
  const authn = createAccessKeyAuthenticator({ index, hash, identities, now: () => Date.parse('2030-01-02T00:00:00Z'), onUse: () => {} });
  const reqs = secrets.slice(0, 1000).map((s) => ({ headers: { authorization: `Bearer ${s}` }, socket: { remoteAddress: '127.0.0.1' } }) as unknown as IncomingMessage);
  const run = (n: number, f: (i: number) => unknown) => { const t = process.hrtime.bigint(); for (let i = 0; i < n; i++) f(i); return Number(process.hrtime.bigint() - t) / 1000 / n; };
  const N = 200_000;
  run(20_000, (i) => authn.authenticate({ req: reqs[i % 1000], cluster: 'c' }));
  const full = run(N, (i) => authn.authenticate({ req: reqs[i % 1000], cluster: 'c' }));
  const hmac = run(N, (i) => hash(secrets[i % 1000]));
  return [
    { step: 'access-key authenticate (10k keys)', 'µs/op': full.toFixed(2), 'ops/s': Math.round(1e6 / full) },
    { step: '  of which keyed SHA-256 of the secret', 'µs/op': hmac.toFixed(2), 'ops/s': Math.round(1e6 / hmac) },
  ];
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'portcullis-bench-cred-'));
const microRows = micro();
const server = await startChildServer(['--data-dir', path.join(dir, 'data'), '--listen', '127.0.0.1:0']);
try {
  const must = async (p: Promise<{ status: number; body: string }>, what: string) => { const r = await p; if (r.status >= 300) throw new Error(`${what}: ${r.status} ${r.body}`); return r; };
  await must(server.request('POST', '/apis/management.portcullis.io/v1/users', { apiVersion: 'management.portcullis.io/v1', kind: 'User', metadata: { name: 'bench' }, spec: { globalAdmin: true } }), 'create user');
  await must(server.request('POST', '/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'bench' }, data: { k: 'v'.repeat(64) } }), 'create configmap');
  const created = await must(server.request('POST', '/apis/management.portcullis.io/v1/accesskeys', { apiVersion: 'management.portcullis.io/v1', kind: 'AccessKey', metadata: { generateName: 'bench-' }, spec: { user: 'bench', displayName: 'bench' } }), 'create key');
  const key = (JSON.parse(created.body) as { status: { key: string } }).status.key;
  const pki = path.join(dir, 'data', 'pki');
  const ca = await loadSigningCa({ certPem: readFileSync(path.join(pki, 'ca.crt'), 'utf8'), keyPem: readFileSync(path.join(pki, 'ca.key'), 'utf8') });
  const cert = await issueLeafCert(ca, { commonName: 'bench', usage: 'client', notBefore: new Date(Date.now() - 60_000), notAfter: new Date(Date.now() + 3_600_000) });
  const url = `${server.url}/api/v1/namespaces/default/configmaps/bench`;
  // the global-admins binding for the new user is written by a controller: wait until both credentials get 200
  for (let i = 0; ; i++) {
    const probe = await load('probe', url, {}, { seconds: 1, connections: 1, headers: { authorization: `Bearer ${key}` } });
    if (probe.non2xx === 0 && probe.rps > 0) break;
    if (i > 20) throw new Error('the bench user never got access');
  }
  const certTls = { cert: Buffer.from(cert.certPem), key: Buffer.from(cert.keyPem) };
  // warm both paths up (JIT, caches) before measuring
  await load('warm-up', url, {}, { seconds: 2, headers: { authorization: `Bearer ${key}` } });
  await load('warm-up', url, certTls, { seconds: 2 });
  const viaKey = await load('access key (Bearer)', url, {}, { seconds, headers: { authorization: `Bearer ${key}` } });
  const viaCert = await load('client certificate', url, certTls, { seconds });
  printTable(`Access-key authentication in process (${machine()})`, microRows);
  printTable(`GET one ConfigMap through the full chain, same user (global admin via RBAC), 10 connections, ${seconds}s (${machine()})`,
    [viaKey, viaCert].map((r) => ({ credential: r.name, 'req/s': Math.round(r.rps), 'p50 ms': r.p50, 'p99 ms': r.p99, errors: r.errors, non2xx: r.non2xx })));
} finally {
  await server.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
}
