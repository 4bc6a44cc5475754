// The webhook address policy: link-local (cloud metadata), unspecified and multicast addresses and Portcullis'
// own listener are refused, also when a host name resolves to them; URLs must be plain https.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { callWebhook, forbiddenAddress, urlProblems, WebhookCallError } from './webhook-client.ts';

const self = { ports: [8443], hosts: ['10.1.2.3'] };

describe('webhook address policy', () => {
  it('refuses link-local, metadata, unspecified and multicast addresses', () => {
    for (const a of ['169.254.169.254', '169.254.0.1', '::ffff:169.254.169.254', 'fe80::1', '0.0.0.0', '::', '224.0.0.1', 'ff02::1', 'fd00:ec2::254']) {
      assert.ok(forbiddenAddress(a, 443, self), a);
    }
  });
  it('refuses the Portcullis listener itself (loopback or its own addresses on its port), allows other ports', () => {
    assert.match(forbiddenAddress('127.0.0.1', 8443, self)!, /Portcullis API server itself/);
    assert.match(forbiddenAddress('::1', 8443, self)!, /Portcullis API server itself/);
    assert.match(forbiddenAddress('10.1.2.3', 8443, self)!, /Portcullis API server itself/);
    assert.equal(forbiddenAddress('127.0.0.1', 9443, self), undefined);
    assert.equal(forbiddenAddress('203.0.113.7', 443, self), undefined);
  });
  it('checks names after resolving them (localhost on the listener port is refused before connecting)', async () => {
    await assert.rejects(callWebhook({ url: 'https://localhost:8443/x', timeoutSeconds: 2 }, {}, self),
      (e: unknown) => e instanceof WebhookCallError && /refused: the Portcullis API server itself/.test(e.message));
  });
  it('requires plain https URLs', () => {
    assert.match(urlProblems('http://example.com')!, /'https' is the only allowed URL scheme/);
    assert.match(urlProblems('https://u:p@example.com')!, /user information/);
    assert.match(urlProblems('https://example.com/?a=1')!, /query parameters/);
    assert.match(urlProblems('https://example.com/#f')!, /fragments/);
    assert.match(urlProblems('https://169.254.169.254/')!, /link-local/);
    assert.equal(urlProblems('https://webhook.example.com:8443/validate'), undefined);
  });
});
