// Unit tests: the revocation list (serials normalised, jtis), what the authenticators consult, the CA-signed CRL
// listing every revoked serial, and Go-style durations.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Store } from '../../apiserver/registry/store.ts';
import type { KObject } from '../../apiserver/storage/interface.ts';
import { createCa } from '../../pki/certs.ts';
import { x509 } from '../../pki/x509-lib.ts';
import { RevocationList } from './revocation.ts';
import { formatDuration, parseDuration } from '../resources/index.ts';

describe('revocation list', () => {
  it('stores revocations in the store and answers serial and jti checks at once', async () => {
    const created: KObject[] = [];
    const store = { create: async (_c: unknown, _t: unknown, _ns: string, o: KObject) => { created.push(o); return o; } } as unknown as Store;
    const list = new RevocationList(store);
    await list.revoke({ type: 'serial', value: '00:AB:cd:01', expiresAt: '2031-01-01T00:00:00Z', credentialId: 'kubeconfig:default.susan', reason: 'test' });
    await list.revoke({ type: 'jti', value: '3f6d-jti', expiresAt: '2031-01-01T00:00:00Z', credentialId: 'platformtoken:3f6d-jti', reason: 'test' });
    assert.ok(list.isSerialRevoked('abcd01'));
    assert.ok(!list.isSerialRevoked('abcd02'));
    assert.ok(list.isJtiRevoked('3f6d-jti'));
    assert.deepEqual(created.map((o) => o.metadata.name), ['serial-abcd01', 'jti-3f6d-jti']);
    assert.deepEqual(list.expired(Date.parse('2031-01-01T02:00:00Z')).sort(), ['jti-3f6d-jti', 'serial-abcd01']);
    assert.deepEqual(list.expired(Date.parse('2030-06-01T00:00:00Z')), []);
  });

  it('publishes a CRL signed by the CA with every revoked serial', async () => {
    const store = { create: async (_c: unknown, _t: unknown, _ns: string, o: KObject) => o } as unknown as Store;
    const list = new RevocationList(store);
    const now = Date.now();
    const ca = await createCa({ commonName: 'test-ca', notBefore: new Date(now - 60_000), notAfter: new Date(now + 86_400_000) });
    await list.revoke({ type: 'serial', value: 'abc', expiresAt: '2031-01-01T00:00:00Z', credentialId: 'x', reason: 't' });
    await list.revoke({ type: 'serial', value: '1f2e3d', expiresAt: '2031-01-01T00:00:00Z', credentialId: 'y', reason: 't' });
    const crl = new x509.X509Crl(await list.crl(ca, now));
    const caCert = new x509.X509Certificate(ca.certPem);
    assert.ok(await crl.verify({ publicKey: caCert.publicKey }));
    assert.equal(crl.issuer, caCert.subject);
    assert.deepEqual(crl.entries.map((e) => e.serialNumber.replace(/^0+/, '')).sort(), ['1f2e3d', 'abc']);
  });
});

describe('durations', () => {
  it('parses and formats Go durations', () => {
    assert.equal(parseDuration('720h'), 720 * 3_600_000);
    assert.equal(parseDuration('1h30m'), 90 * 60_000);
    assert.equal(parseDuration('1.5s'), 1500);
    assert.equal(parseDuration('250ms'), 250);
    assert.throws(() => parseDuration('10 days'), /invalid duration "10 days"/);
    assert.throws(() => parseDuration(''), /invalid duration/);
    assert.equal(formatDuration(30 * 3_600_000), '30h');
    assert.equal(formatDuration(90_000), '1m30s');
  });
});
