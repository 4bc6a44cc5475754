// End-to-end: streaming through the connected-cluster proxy with the real kubectl against a small upstream that
// implements the streaming endpoints: exec and attach over WebSocket v5.channel.k8s.io (stdin, stdout, stderr and
// the exit code) and logs -f; unauthenticated upgrades stop at Portcullis. The upstream sees impersonation, never the
// client's credential. SPDY (port-forward, exec) is in clusters-spdy.test.ts.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, type Harness } from '../support/harness.ts';
import { startStreamingUpstream, type StreamingUpstream } from '../support/streaming-upstream.ts';
import { certFor, connectEdge, kubeconfigTo, rawUpgrade, type Cert } from './clusters-support.ts';

describe('connected clusters: exec, attach, logs -f and upgrades through the proxy', () => {
  let h: Harness;
  let up: StreamingUpstream;
  let alice: Cert;
  let kc: string;

  before(async () => {
    [h, up] = await Promise.all([startHarness(), startStreamingUpstream()]);
    await connectEdge(h, up.url, up.caData);
    alice = await certFor(h, 'alice');
    kc = kubeconfigTo(h, 'edge', alice, 'alice-edge.kubeconfig');
  });
  after(async () => { await h?.close(); await up?.close(); });

  it('kubectl exec: stdin in, stdout and stderr out, the exit code back', async () => {
    const ok = await h.kubectl(['exec', '-i', 'web-0', '-n', 'default', '--', 'upper'], { kubeconfig: kc, input: 'hello through the proxy\n' });
    assert.equal(ok.stdout, 'HELLO THROUGH THE PROXY\n');
    assert.match(ok.stderr, /err/);
    const failed = await h.kubectl(['exec', '-i', 'web-0', '-n', 'default', '--', 'exit', '3'], { kubeconfig: kc, input: 'x\n', allowFail: true });
    assert.equal(failed.code, 3, failed.stderr);
    const ex = up.seen.filter((s) => s.path.endsWith('/exec'));
    assert.ok(ex.length >= 2);
    for (const s of ex) {
      assert.equal(s.headers['impersonate-user'], 'alice');
      assert.equal(s.headers.authorization, 'Bearer upstream-secret-token', 'Portcullis\' credential, not the client\'s');
      assert.equal(s.headers.upgrade, 'websocket');
    }
  });

  it('kubectl attach and logs -f stream through', async () => {
    const at = await h.kubectl(['attach', '-i', 'web-0', '-n', 'default', '-c', 'main'], { kubeconfig: kc, input: 'attached\n' });
    assert.match(at.stdout, /ATTACHED/);
    const logs = await h.kubectl(['logs', '-f', 'web-0', '-n', 'default', '-c', 'main'], { kubeconfig: kc });
    assert.equal(logs.stdout, 'line 1\nline 2\nline 3\n');
  });

  it('an unauthenticated upgrade (SPDY or WebSocket) never leaves Portcullis', async () => {
    const count = up.seen.length;
    const pod = '/clusters/edge/api/v1/namespaces/default/pods/web-0';
    const spdy = await rawUpgrade(h, 'POST', `${pod}/portforward`, { Upgrade: 'SPDY/3.1', 'X-Stream-Protocol-Version': 'portforward.k8s.io' });
    assert.match(spdy, /^HTTP\/1.1 (401|403)/);
    const ws = await rawUpgrade(h, 'GET', `${pod}/exec?command=sh&stdout=true`, {
      Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==', 'Sec-WebSocket-Protocol': 'v5.channel.k8s.io',
    });
    assert.match(ws, /^HTTP\/1.1 (401|403)/);
    assert.equal(up.seen.length, count, 'nothing reached the upstream');
  });
});
