// What goes upstream: never the client's credential, cookies or its own Impersonate-* headers; always the effective
// identity as Impersonate-* and the original user as one extra.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ORIGINAL_USER_EXTRA, responseHeaders, upstreamHeaders } from './impersonation-headers.ts';

describe('upstream headers', () => {
  const incoming = {
    authorization: 'Bearer client-secret', cookie: 'portcullis-session=abc', 'proxy-authorization': 'Basic x',
    'impersonate-user': 'system:admin', 'impersonate-group': 'system:masters', 'Impersonate-Extra-scopes': 'all',
    'x-remote-user': 'root', ':authority': 'h', host: 'portcullis', connection: 'keep-alive', accept: 'application/json',
    'content-type': 'application/json', 'user-agent': 'kubectl/v1.32',
  };
  const raw = (o: Record<string, string>) => Object.entries(o).flat();
  const alice = { username: 'alice', groups: ['devs', 'portcullis:team:ops'], uid: 'u-1', extra: { secret: ['x'] } };

  it('drops credentials, cookies, hop-by-hop and incoming impersonation; impersonates the effective user', () => {
    const h = upstreamHeaders(raw(incoming), alice, { username: 'admin', groups: ['system:masters'] }, false);
    for (const k of ['authorization', 'cookie', 'proxy-authorization', 'x-remote-user', ':authority', 'host', 'connection', 'impersonate-extra-scopes']) {
      assert.equal(h[k], undefined, k);
    }
    assert.equal(h['impersonate-user'], 'alice');
    assert.deepEqual(h['impersonate-group'], ['devs', 'portcullis:team:ops']);
    assert.equal(h['impersonate-uid'], 'u-1');
    assert.equal(h['impersonate-extra-secret'], undefined, 'the user\'s own extras stay in Portcullis');
    assert.deepEqual(JSON.parse(String(h[`impersonate-extra-${ORIGINAL_USER_EXTRA}`])), { username: 'admin', groups: ['system:masters'] });
    assert.equal(h.accept, 'application/json');
    assert.equal(h['user-agent'], 'kubectl/v1.32');
  });

  it('keeps the upgrade for streaming requests and escapes non-ASCII in the original user', () => {
    const h = upstreamHeaders(raw({ ...incoming, upgrade: 'websocket', 'sec-websocket-protocol': 'v5.channel.k8s.io' }), alice, { username: 'zoë', groups: [] }, true);
    assert.equal(h.connection, 'Upgrade');
    assert.equal(h.upgrade, 'websocket');
    assert.equal(h['sec-websocket-protocol'], 'v5.channel.k8s.io');
    assert.match(String(h[`impersonate-extra-${ORIGINAL_USER_EXTRA}`]), /^[\x20-\x7e]+$/);
  });

  it('keeps a header sent on several lines on as many lines (protocol offers are negotiated line by line)', () => {
    const lines = ['X-Stream-Protocol-Version', 'v4.channel.k8s.io', 'Upgrade', 'SPDY/3.1', 'X-Stream-Protocol-Version', 'v3.channel.k8s.io',
      'X-Stream-Protocol-Version', 'channel.k8s.io', 'Impersonate-Group', 'a', 'Impersonate-Group', 'system:masters'];
    const h = upstreamHeaders(lines, alice, alice, true);
    assert.deepEqual(h['x-stream-protocol-version'], ['v4.channel.k8s.io', 'v3.channel.k8s.io', 'channel.k8s.io']);
    assert.equal(h.upgrade, 'SPDY/3.1');
    assert.deepEqual(h['impersonate-group'], ['devs', 'portcullis:team:ops'], 'incoming Impersonate-Group lines never pass');
  });

  it('passes response headers except hop-by-hop ones', () => {
    assert.deepEqual(responseHeaders({ 'content-type': 'application/json', 'transfer-encoding': 'chunked', connection: 'close', 'audit-id': 'a' }),
      { 'content-type': 'application/json', 'audit-id': 'a' });
  });
});
