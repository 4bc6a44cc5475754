// Tests of the store-backed CA and SA signing keys: replicas opening at once agree on one CA and one key set,
// rotation and retirement on one replica reach the other, and concurrent rotations lose nothing.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { X509Certificate } from 'node:crypto';
import { openSqliteStorage } from '../apiserver/storage/sqlite.ts';
import { openPki } from '../pki/ca.ts';
import { CA_SECRET_KEY, SIGNING_KEYS_SECRET_KEY, retryOnRaceLost, secretData, storePkiMaterialSource } from './shared-secrets.ts';
import { openSharedSigningKeys } from './shared-signing-keys.ts';

const dirs: string[] = [];
const tmp = () => { const d = mkdtempSync(path.join(os.tmpdir(), 'portcullis-secrets-')); dirs.push(d); return d; };
after(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });
const quiet = () => undefined;

async function eventually(pred: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!pred()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('shared secrets in the store', () => {
  it('two replicas opening at once agree on one CA; each keeps its own serving certificate', async () => {
    const storage = openSqliteStorage({ path: ':memory:' });
    const [da, db] = [tmp(), tmp()];
    const open = (dir: string, host: string) => retryOnRaceLost(() => openPki(storePkiMaterialSource(storage, dir), { hostnames: [host], ips: [] }));
    const [a, b] = await Promise.all([open(da, 'a.example'), open(db, 'b.example')]);
    assert.equal(a.caCertPem, b.caCertPem);
    const ca = new X509Certificate(a.caCertPem);
    for (const p of [a, b]) assert.ok(new X509Certificate(p.serverCertPem).verify(ca.publicKey));
    assert.ok(new X509Certificate(a.serverCertPem).checkHost('a.example'));
    assert.ok(new X509Certificate(b.serverCertPem).checkHost('b.example'));
    assert.equal(statSync(path.join(da, 'server.key')).mode & 0o777, 0o600);
    // A client certificate issued by one replica chains to the CA the other serves.
    const client = await b.issueClientCert({ commonName: 'alice', organizations: ['dev'], validitySeconds: 3600 });
    assert.ok(new X509Certificate(client.certPem).verify(ca.publicKey));
    // The CA is a Secret in root's kube-system; reopening reuses it.
    const stored = await storage.get(CA_SECRET_KEY);
    assert.equal(stored?.object.kind, 'Secret');
    assert.equal(secretData(stored!)['tls.crt'], a.caCertPem);
    const again = await open(tmp(), 'c.example');
    assert.equal(again.caCertPem, a.caCertPem);
    await storage.close();
  });

  it('signing keys: one set for both replicas, rotation and retirement reach the other replica', async () => {
    const storage = openSqliteStorage({ path: ':memory:' });
    const [a, b] = await Promise.all([openSharedSigningKeys(storage, quiet), openSharedSigningKeys(storage, quiet)]);
    assert.equal(a.activeKid, b.activeKid);
    const first = a.activeKid;
    const rotated = await a.rotate();
    assert.notEqual(rotated, first);
    await eventually(() => b.activeKid === rotated, 'b sees the rotation');
    assert.ok(b.verificationKey(first), 'the old key still verifies on b');
    assert.equal(b.signingKey().kid, rotated);
    await b.retire(first);
    await eventually(() => a.verificationKey(first) === undefined, 'a drops the retired key');
    assert.deepEqual(a.jwks().keys.map((k) => k.kid), [rotated]);
    a.stop(); b.stop();
    await storage.close();
  });

  it('concurrent rotations on two replicas keep both new keys', async () => {
    const storage = openSqliteStorage({ path: ':memory:' });
    const a = await openSharedSigningKeys(storage, quiet);
    const b = await openSharedSigningKeys(storage, quiet);
    const [ka, kb] = await Promise.all([a.rotate(), b.rotate()]);
    assert.notEqual(ka, kb);
    await eventually(() => a.activeKid === b.activeKid, 'both agree on the active key');
    const stored = JSON.parse(secretData((await storage.get(SIGNING_KEYS_SECRET_KEY))!)['keys.json']) as { keys: Array<{ kid: string }> };
    const kids = stored.keys.map((k) => k.kid);
    assert.ok(kids.includes(ka) && kids.includes(kb));
    for (const kid of [ka, kb]) {
      await eventually(() => a.verificationKey(kid) !== undefined && b.verificationKey(kid) !== undefined, `both know ${kid}`);
    }
    a.stop(); b.stop();
    await storage.close();
  });
});
