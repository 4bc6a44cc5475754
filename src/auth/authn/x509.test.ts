// Real TLS handshakes against an https server using the generated serving cert: client certs from our CA,
// a foreign CA, expired, revoked, wrong key usage, none, and plain http.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer as createHttpServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import { createServer as createHttpsServer, request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isStatusError } from '../../apiserver/errors.ts';
import { loadOrCreatePki, type Pki } from '../../pki/ca.ts';
import { createCa, issueLeafCert, loadSigningCa } from '../../pki/certs.ts';
import { createX509Authenticator } from './x509.ts';

interface Reply { status: number; body: { result?: unknown; message?: string; reason?: string } }

let dir: string;
let pki: Pki;
const revoked = new Set<string>();
const authn = createX509Authenticator({ isRevoked: (s) => revoked.has(s) });

async function handle(req: IncomingMessage): Promise<{ status: number; body: object }> {
  try {
    return { status: 200, body: { result: await authn.authenticate({ req, cluster: 'root' }) } };
  } catch (e) {
    if (isStatusError(e)) return { status: e.code, body: { message: e.message, reason: e.reason } };
    throw e;
  }
}

function listen(server: Server): Promise<number> {
  server.on('request', (req, res) => {
    void handle(req).then(({ status, body }) => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

let httpsServer: Server;
let httpsPort: number;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'x509-authn-'));
  pki = await loadOrCreatePki(dir, { hostnames: [], ips: [] });
  httpsServer = createHttpsServer({
    key: pki.serverKeyPem, cert: pki.serverCertPem, ca: pki.caCertPem, requestCert: true, rejectUnauthorized: false,
  });
  httpsPort = await listen(httpsServer);
});

after(async () => {
  httpsServer.closeAllConnections();
  await new Promise((r) => httpsServer.close(r));
  await rm(dir, { recursive: true, force: true });
});

function get(client?: { certPem: string; keyPem: string }): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest({
      host: '127.0.0.1', port: httpsPort, path: '/version', method: 'GET', agent: false,
      ca: pki.caCertPem, servername: 'localhost', cert: client?.certPem, key: client?.keyPem,
    }, (res) => {
      let data = '';
      res.on('data', (c) => { data += c; });
      res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(data) }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('a client cert from our CA authenticates: user = CN, groups = O', async () => {
  const c = await pki.issueClientCert({ commonName: 'alice', organizations: ['devs', 'admins'], validitySeconds: 600 });
  const r = await get(c);
  assert.equal(r.status, 200);
  assert.deepEqual(r.body.result, {
    user: { username: 'alice', groups: ['devs', 'admins'] },
    reason: `x509: CN=alice O=devs,admins serial=${c.serialHex}`,
    credentialId: `x509:${c.serialHex}`,
    expiresMs: c.notAfter.getTime(),
  });
});

test('a single O is one group; no O is no groups', async () => {
  const one = await get(await pki.issueClientCert({ commonName: 'admin', organizations: ['system:masters'], validitySeconds: 600 }));
  assert.deepEqual((one.body.result as { user: unknown }).user, { username: 'admin', groups: ['system:masters'] });
  const none = await get(await pki.issueClientCert({ commonName: 'bob', organizations: [], validitySeconds: 600 }));
  assert.deepEqual((none.body.result as { user: unknown }).user, { username: 'bob', groups: [] });
});

test('no client certificate: the authenticator does not apply', async () => {
  const r = await get();
  assert.equal(r.status, 200);
  assert.equal(r.body.result, null);
});

test('a cert from a foreign CA is a 401 naming the unknown authority', async () => {
  const foreign = await loadSigningCa(await createCa({
    commonName: 'evil-ca', notBefore: new Date(Date.now() - 60_000), notAfter: new Date(Date.now() + 86400_000),
  }));
  const c = await issueLeafCert(foreign, {
    commonName: 'alice', organizations: ['system:masters'], usage: 'client',
    notBefore: new Date(Date.now() - 60_000), notAfter: new Date(Date.now() + 3600_000),
  });
  const r = await get(c);
  assert.equal(r.status, 401);
  assert.equal(r.body.reason, 'Unauthorized');
  assert.match(r.body.message!, /unknown authority/);
});

test('an expired cert from our CA is a 401 saying it expired', async () => {
  const c = await pki.issueClientCert({
    commonName: 'alice', organizations: [], validitySeconds: 3600, notBefore: new Date(Date.now() - 2 * 86400_000),
  });
  const r = await get(c);
  assert.equal(r.status, 401);
  assert.match(r.body.message!, /expired/);
});

test('a revoked serial is a 401 before expiry; other certs still work', async () => {
  const c = await pki.issueClientCert({ commonName: 'mallory', organizations: [], validitySeconds: 600 });
  assert.equal((await get(c)).status, 200);
  revoked.add(c.serialHex);
  const r = await get(c);
  assert.equal(r.status, 401);
  assert.equal(r.body.message, 'x509: certificate has been revoked');
  const other = await pki.issueClientCert({ commonName: 'mallory', organizations: [], validitySeconds: 600 });
  assert.equal((await get(other)).status, 200);
});

test('a serverAuth-only certificate from our CA is rejected as a client cert', async () => {
  const r = await get({ certPem: pki.serverCertPem, keyPem: pki.serverKeyPem });
  assert.equal(r.status, 401);
  assert.match(r.body.message!, /key usage/);
});

test('on a plain http socket the authenticator does not apply', async () => {
  const server = createHttpServer();
  const port = await listen(server);
  try {
    const body = await new Promise<string>((resolve, reject) => {
      httpRequest({ host: '127.0.0.1', port, path: '/', agent: false }, (res) => {
        let d = '';
        res.on('data', (c) => { d += c; });
        res.on('end', () => resolve(d));
      }).on('error', reject).end();
    });
    assert.deepEqual(JSON.parse(body), { result: null });
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
});

test('a certificate issued for clusters is honoured only there (the server here is "root")', async () => {
  const onlyRoot = await get(await pki.issueClientCert({ commonName: 'kc', organizations: [], validitySeconds: 600, clusters: ['root'] }));
  assert.equal(onlyRoot.status, 200);
  const elsewhere = await get(await pki.issueClientCert({ commonName: 'kc', organizations: [], validitySeconds: 600, clusters: ['tenant-a', 'tenant-b'] }));
  assert.equal(elsewhere.status, 401);
  assert.equal(elsewhere.body.message, 'x509: certificate is valid only for clusters "tenant-a", "tenant-b"');
});
