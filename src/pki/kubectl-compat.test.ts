// The generated CA, serving cert and client certs work with the real kubectl: `kubectl get --raw /version`
// against a tiny https server that authenticates with the x509 authenticator.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createServer } from 'node:https';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { isStatusError, writeStatus } from '../apiserver/errors.ts';
import { createX509Authenticator } from '../auth/authn/x509.ts';
import type { UserInfo } from '../apiserver/auth/types.ts';
import { loadOrCreatePki, type Pki } from './ca.ts';

let dir: string;
let pki: Pki;
let server: Server;
let port: number;
const revoked = new Set<string>();
const seen: UserInfo[] = [];
const VERSION = { major: '1', minor: '32', gitVersion: 'v1.32.0-portcullis', platform: 'linux/amd64' };

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kubectl-pki-'));
  pki = await loadOrCreatePki(join(dir, 'pki'), { hostnames: [], ips: [] });
  const authn = createX509Authenticator({ isRevoked: (s) => revoked.has(s) });
  server = createServer({ key: pki.serverKeyPem, cert: pki.serverCertPem, ca: pki.caCertPem, requestCert: true, rejectUnauthorized: false },
    async (req, res) => {
      try {
        const r = await authn.authenticate({ req, cluster: 'root' });
        if (!r) { res.writeHead(401).end(); return; }
        seen.push(r.user);
        if (req.url !== '/version') { res.writeHead(404).end(); return; }
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(VERSION));
      } catch (e) {
        if (isStatusError(e)) writeStatus(res, e); else { res.writeHead(500).end(String(e)); }
      }
    });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});

after(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  await rm(dir, { recursive: true, force: true });
});

const b64 = (s: string) => Buffer.from(s).toString('base64');

async function kubectl(name: string, client: { certPem: string; keyPem: string }): Promise<{ code: number; stdout: string; stderr: string }> {
  const kubeconfig = join(dir, `${name}.kubeconfig`);
  await writeFile(kubeconfig, stringify({
    apiVersion: 'v1', kind: 'Config', 'current-context': 'portcullis',
    clusters: [{ name: 'portcullis', cluster: { server: `https://127.0.0.1:${port}`, 'certificate-authority-data': b64(pki.caCertPem) } }],
    users: [{ name: name, user: { 'client-certificate-data': b64(client.certPem), 'client-key-data': b64(client.keyPem) } }],
    contexts: [{ name: 'portcullis', context: { cluster: 'portcullis', user: name } }],
  }), { mode: 0o600 });
  return new Promise((resolve) => {
    execFile('kubectl', ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, 'cache'), 'get', '--raw', '/version'],
      { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir }, timeout: 60_000 },
      (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr }));
  });
}

test('kubectl trusts the generated CA and authenticates with an issued client cert (CN=admin, O=system:masters)', async () => {
  const admin = await pki.issueClientCert({ commonName: 'admin', organizations: ['system:masters'], validitySeconds: 3600 });
  const r = await kubectl('admin', admin);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), VERSION);
  assert.deepEqual(seen.at(-1), { username: 'admin', groups: ['system:masters'] });
});

test('kubectl gets a 401 with a revoked client cert', async () => {
  const admin = await pki.issueClientCert({ commonName: 'admin', organizations: ['system:masters'], validitySeconds: 3600 });
  revoked.add(admin.serialHex);
  const r = await kubectl('revoked', admin);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /You must be logged in to the server \(x509: certificate has been revoked\)/);
});
