// Redaction: secret values, tokens, passwords, keys and access-key material never survive.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { redact, REDACTED } from './redact.ts';

const has = (v: unknown, needle: string) => JSON.stringify(v).includes(needle);

describe('audit redaction', () => {
  it('redacts secrets inside the last-applied annotation of other kinds (a User password)', () => {
    const applied = JSON.stringify({ apiVersion: 'management.portcullis.io/v1', kind: 'User', metadata: { name: 'pat' }, spec: { displayName: 'Pat', password: 'hunter2-secret' } });
    const out = redact({ kind: 'User', metadata: { name: 'pat', annotations: { 'kubectl.kubernetes.io/last-applied-configuration': applied } }, spec: { password: 'hunter2-secret' } }) as any;
    const kept = JSON.parse(out.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']);
    assert.equal(kept.spec.password, REDACTED);
    assert.equal(kept.spec.displayName, 'Pat');
    assert.equal(out.spec.password, REDACTED);
    assert.doesNotMatch(JSON.stringify(out), /hunter2-secret/);
  });

  it('redacts Secret data and stringData, keeping the keys, and the last-applied annotation', () => {
    const secret = {
      kind: 'Secret', apiVersion: 'v1', type: 'Opaque',
      metadata: { name: 's', annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"data":{"pw":"czNjcjN0"}}', keep: 'me' } },
      data: { pw: 'czNjcjN0' }, stringData: { other: 's3cr3t' },
    };
    const out = redact(secret) as typeof secret;
    assert.deepEqual(out.data, { pw: REDACTED });
    assert.deepEqual(out.stringData, { other: REDACTED });
    assert.equal(out.metadata.annotations.keep, 'me');
    assert.equal(out.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration'], REDACTED);
    assert.ok(!has(out, 'czNjcjN0') && !has(out, 's3cr3t'));
    assert.equal(secret.data.pw, 'czNjcjN0', 'the input is not mutated');
  });

  it('treats every object of a secrets request as a Secret: lists without item kinds, merge and JSON patches', () => {
    const list = { kind: 'SecretList', items: [{ metadata: { name: 'a' }, data: { k: 'dmFsdWU=' } }] };
    assert.ok(!has(redact(list, { resource: 'secrets' }), 'dmFsdWU='));
    assert.ok(has(redact(list, { resource: 'configmaps' }), 'dmFsdWU='), 'only secrets are treated as secrets');
    assert.ok(!has(redact({ data: { k: 'dmFsdWU=' } }, { resource: 'secrets' }), 'dmFsdWU='));
    const jp = redact([{ op: 'replace', path: '/data/k', value: 'dmFsdWU=' }, { op: 'remove', path: '/data/j' }], { resource: 'secrets' });
    assert.deepEqual(jp, [{ op: 'replace', path: '/data/k', value: REDACTED }, { op: 'remove', path: '/data/j' }]);
  });

  it('redacts Secrets nested anywhere (e.g. a Table row object) but not ConfigMap data', () => {
    const table = { kind: 'Table', rows: [{ cells: ['s'], object: { kind: 'Secret', metadata: { name: 's' }, data: { a: 'QUJD' } } }] };
    assert.ok(!has(redact(table), 'QUJD'));
    const cm = { kind: 'ConfigMap', data: { a: 'visible' } };
    assert.deepEqual(redact(cm), cm);
  });

  it('redacts tokens, passwords, private keys, kubeconfig keys and access keys', () => {
    const tr = { kind: 'TokenRequest', spec: { audiences: ['x'] }, status: { token: 'eyJhbGciOi.abc.def', expirationTimestamp: 't' } };
    assert.deepEqual((redact(tr) as typeof tr).status, { token: REDACTED, expirationTimestamp: 't' });
    const review = { kind: 'TokenReview', spec: { token: 'eyJ.x.y', audiences: ['a'] } };
    assert.ok(!has(redact(review), 'eyJ.x.y'));
    const nested = { a: [{ password: 'hunter2', b: { privateKey: 'PEM', 'client-key-data': 'S0VZ', Authorization: 'Bearer abc' } }] };
    const n = JSON.stringify(redact(nested));
    for (const s of ['hunter2', 'PEM', 'S0VZ', 'Bearer abc']) assert.ok(!n.includes(s), s);
    const ak = { kind: 'AccessKey', spec: { key: 'pk_live_1' }, status: { key: 'pk_live_2', keyId: 'id1' } };
    const akOut = redact(ak) as typeof ak;
    assert.equal(akOut.spec.key, REDACTED);
    assert.deepEqual(akOut.status, { key: REDACTED, keyId: 'id1' });
    const label = { metadata: { labels: { key: 'stays' } } };
    assert.deepEqual(redact(label), label, '"key" is only secret under spec/status');
  });

  it('drops managedFields when asked', () => {
    const o = { kind: 'Pod', metadata: { name: 'p', managedFields: [{ manager: 'kubectl' }] } };
    assert.deepEqual(redact(o, { omitManagedFields: true }), { kind: 'Pod', metadata: { name: 'p' } });
    assert.deepEqual(redact(o), o);
  });

  it('passes scalars and null through', () => {
    assert.equal(redact('x'), 'x');
    assert.equal(redact(null), null);
    assert.equal(redact(3), 3);
  });
  it('redacts JSON patch values by the path they target (a User password, tokens, keys, last-applied)', () => {
    const ops = [
      { op: 'replace', path: '/spec/password', value: 'hunter2-secret' },
      { op: 'add', path: '/spec/passwordHash', value: 'scrypt$hash-secret' },
      { op: 'test', path: '/status/token', value: 'tok-secret' },
      { op: 'add', path: '/spec/key', value: 'key-secret' },
      { op: 'add', path: '/users/0/user/client-key-data', value: 'pem-secret' },
      { op: 'add', path: '/spec', value: { displayName: 'Pat', password: 'nested-secret' } },
      { op: 'add', path: '/metadata/annotations/kubectl.kubernetes.io~1last-applied-configuration',
        value: JSON.stringify({ kind: 'User', spec: { password: 'applied-secret' } }) },
      { op: 'replace', path: '/spec/displayName', value: 'Pat' },
    ];
    const out = redact(ops, { resource: 'users' }) as Array<{ value: unknown }>;
    for (const s of ['hunter2', 'hash-secret', 'tok-secret', 'key-secret', 'pem-secret', 'nested-secret', 'applied-secret']) {
      assert.ok(!has(out, s), `${s} redacted`);
    }
    assert.equal(out[0].value, REDACTED);
    assert.deepEqual(out[5].value, { displayName: 'Pat', password: REDACTED });
    assert.equal(out[7].value, 'Pat', 'other values are kept');
    assert.equal(ops[0].value, 'hunter2-secret', 'the input is not mutated');
  });

  it('redacts a merge patch of a password by field name', () => {
    assert.ok(!has(redact({ spec: { password: 'merge-secret' } }, { resource: 'users' }), 'merge-secret'));
  });
});
