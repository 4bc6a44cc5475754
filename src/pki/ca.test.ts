// Tests for the PKI: creation, file layout and modes, reload, serving-cert re-issue, client certificate issuance.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadOrCreatePki } from './ca.ts';
import { createCa } from './certs.ts';
import { x509 } from './x509-lib.ts';

const DAY = 24 * 3600 * 1000;
const base = { hostnames: [] as string[], ips: [] as string[] };

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'pki-test-'));
  try { await fn(dir); } finally { await rm(dir, { recursive: true, force: true }); }
}

test('first run creates a CA and a serving cert with the required SANs, keys mode 0600', () => withDir(async (dir) => {
  const pki = await loadOrCreatePki(dir, { hostnames: ['api.example.test', '10.1.2.3'], ips: ['192.168.7.7'] });
  for (const f of ['ca.key', 'server.key']) assert.equal((await stat(join(dir, f))).mode & 0o777, 0o600, f);
  assert.equal(await readFile(join(dir, 'ca.crt'), 'utf8'), pki.caCertPem);
  assert.equal(await readFile(join(dir, 'server.crt'), 'utf8'), pki.serverCertPem);

  const ca = new X509Certificate(pki.caCertPem);
  assert.equal(ca.ca, true);
  const caLifetime = new Date(ca.validTo).getTime() - new Date(ca.validFrom).getTime();
  assert.ok(caLifetime > 3640 * DAY && caLifetime < 3660 * DAY);
  assert.equal(ca.publicKey.asymmetricKeyDetails?.namedCurve, 'prime256v1');

  const server = new X509Certificate(pki.serverCertPem);
  assert.equal(server.ca, false);
  assert.ok(server.checkIssued(ca) && server.verify(ca.publicKey));
  assert.equal(server.checkHost('localhost'), 'localhost');
  assert.equal(server.checkHost('api.example.test'), 'api.example.test');
  for (const ip of ['127.0.0.1', '::1', '10.1.2.3', '192.168.7.7']) assert.equal(server.checkIP(ip), ip);
  assert.equal(server.checkHost('other.example.test'), undefined);
  assert.deepEqual(server.keyUsage, ['1.3.6.1.5.5.7.3.1']);
  const life = new Date(server.validTo).getTime() - Date.now();
  assert.ok(life > 360 * DAY && life < 366 * DAY);
  assert.ok(server.checkPrivateKey((await import('node:crypto')).createPrivateKey(pki.serverKeyPem)));
}));

test('later runs load the same material; a new hostname re-issues only the serving cert', () => withDir(async (dir) => {
  const first = await loadOrCreatePki(dir, base);
  const again = await loadOrCreatePki(dir, base);
  assert.equal(again.caCertPem, first.caCertPem);
  assert.equal(again.serverCertPem, first.serverCertPem);
  assert.equal(again.serverKeyPem, first.serverKeyPem);

  const widened = await loadOrCreatePki(dir, { hostnames: ['new.example.test'], ips: [] });
  assert.equal(widened.caCertPem, first.caCertPem);
  assert.notEqual(widened.serverCertPem, first.serverCertPem);
  assert.equal(new X509Certificate(widened.serverCertPem).checkHost('new.example.test'), 'new.example.test');
  assert.equal(await readFile(join(dir, 'server.crt'), 'utf8'), widened.serverCertPem);
}));

test('a serving cert near expiry is re-issued', () => withDir(async (dir) => {
  const first = await loadOrCreatePki(dir, base);
  const notYet = await loadOrCreatePki(dir, { ...base, now: () => new Date(Date.now() + 300 * DAY) });
  assert.equal(notYet.serverCertPem, first.serverCertPem);
  const later = await loadOrCreatePki(dir, { ...base, now: () => new Date(Date.now() + 340 * DAY) });
  assert.equal(later.caCertPem, first.caCertPem);
  assert.notEqual(later.serverCertPem, first.serverCertPem);
  const life = new Date(new X509Certificate(later.serverCertPem).validTo).getTime() - Date.now();
  assert.ok(life > 700 * DAY, 'new cert runs a year from the (injected) issue time');
}));

test('a serving cert not signed by the current CA is re-issued', () => withDir(async (dir) => {
  const first = await loadOrCreatePki(dir, base);
  const other = await createCa({ commonName: 'replacement', notBefore: new Date(), notAfter: new Date(Date.now() + 365 * DAY) });
  await writeFile(join(dir, 'ca.crt'), other.certPem);
  await writeFile(join(dir, 'ca.key'), other.keyPem);
  const next = await loadOrCreatePki(dir, base);
  assert.notEqual(next.serverCertPem, first.serverCertPem);
  assert.ok(new X509Certificate(next.serverCertPem).checkIssued(new X509Certificate(other.certPem)));
}));

test('a serving key that does not match its cert causes a re-issue', () => withDir(async (dir) => {
  const first = await loadOrCreatePki(dir, base);
  const stray = await first.issueClientCert({ commonName: 'x', organizations: [], validitySeconds: 60 });
  await writeFile(join(dir, 'server.key'), stray.keyPem);
  const next = await loadOrCreatePki(dir, base);
  assert.notEqual(next.serverCertPem, first.serverCertPem);
  assert.ok(new X509Certificate(next.serverCertPem).checkPrivateKey((await import('node:crypto')).createPrivateKey(next.serverKeyPem)));
}));

test('incomplete material is an error, not silently replaced', () => withDir(async (dir) => {
  await loadOrCreatePki(dir, base);
  await rm(join(dir, 'ca.key'));
  await assert.rejects(loadOrCreatePki(dir, base), /incomplete PKI material/);
}));

test('issueClientCert: CN, O, clientAuth, random 128-bit serial, validity', () => withDir(async (dir) => {
  const pki = await loadOrCreatePki(dir, base);
  const before = Date.now();
  const issued = await pki.issueClientCert({ commonName: 'alice', organizations: ['devs', 'admins'], validitySeconds: 3600 });
  const cert = new X509Certificate(issued.certPem);
  assert.ok(cert.checkIssued(new X509Certificate(pki.caCertPem)));
  assert.equal(cert.subject, 'CN=alice\nO=devs\nO=admins');
  assert.deepEqual(cert.keyUsage, ['1.3.6.1.5.5.7.3.2']);
  assert.equal(cert.serialNumber.toLowerCase().replace(/^0+/, ''), issued.serialHex);
  assert.match(issued.serialHex, /^[0-9a-f]{1,32}$/);
  assert.ok(issued.serialHex.length >= 20, 'serial carries ~128 random bits');
  assert.ok(Math.abs(issued.notAfter.getTime() - (before + 3600_000)) < 5000);
  assert.equal(new Date(cert.validTo).getTime(), issued.notAfter.getTime());
  assert.ok(new Date(cert.validFrom).getTime() <= before - 4 * 60_000, 'backdated for clock skew');
  assert.ok(cert.checkPrivateKey((await import('node:crypto')).createPrivateKey(issued.keyPem)));

  const other = await pki.issueClientCert({ commonName: 'alice', organizations: [], validitySeconds: 3600 });
  assert.notEqual(other.serialHex, issued.serialHex);
  assert.equal(new X509Certificate(other.certPem).subject, 'CN=alice');

  const nb = new Date(Date.now() - 10 * DAY);
  const old = await pki.issueClientCert({ commonName: 'bob', organizations: ['x'], validitySeconds: 86400, notBefore: nb });
  assert.equal(old.notAfter.getTime(), nb.getTime() - (nb.getTime() % 1000) + 86400_000);
  assert.ok(old.notAfter.getTime() < Date.now(), 'expired certificate can be made for tests');

  const long = await pki.issueClientCert({ commonName: 'carol', organizations: [], validitySeconds: 20 * 365 * 86400 });
  assert.equal(long.notAfter.getTime(), new x509.X509Certificate(pki.caCertPem).notAfter.getTime(), 'clamped to CA expiry');

  await assert.rejects(pki.issueClientCert({ commonName: ' ', organizations: [], validitySeconds: 60 }), /common name/);
  await assert.rejects(pki.issueClientCert({ commonName: 'a', organizations: [], validitySeconds: 0 }), /validity/);
}));
