// End-to-end: streaming through the connected-cluster proxy with the real kubectl against a small upstream that
// implements the streaming endpoints: exec and attach over WebSocket v5.channel.k8s.io (stdin, stdout, stderr and
// the exit code), logs -f, and a SPDY/3.1 upgrade (bytes both ways). The upstream sees impersonation, never the
// client's credential.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import tls from 'node:tls';
import { stringify } from 'yaml';
import { startHarness, type Harness } from '../support/harness.ts';
import { startStreamingUpstream, type StreamingUpstream } from '../support/streaming-upstream.ts';
import { certFor, kubeconfigTo, type Cert } from './clusters-support.ts';

describe('connected clusters: exec, attach, logs -f and upgrades through the proxy', () => {
  let h: Harness;
  let up: StreamingUpstream;
  let alice: Cert;
  let kc: string;

  before(async () => {
    [h, up] = await Promise.all([startHarness(), startStreamingUpstream()]);
    await h.kubectl(['apply', '-f', '-'], { input: [
      { apiVersion: 'management.portcullis.io/v1', kind: 'User', metadata: { name: 'alice' }, spec: {} },
      { apiVersion: 'management.portcullis.io/v1', kind: 'Project', metadata: { name: 'payments' }, spec: {} },
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'portcullis-connected-clusters' } },
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'edge', namespace: 'portcullis-connected-clusters' }, stringData: { token: 'upstream-secret-token' } },
      { apiVersion: 'management.portcullis.io/v1', kind: 'ConnectedCluster', metadata: { name: 'edge' },
        spec: { project: 'payments', server: up.url, caData: up.caData, access: { rules: [{ users: ['alice'], clusterRole: 'edit' }] } } },
    ].map((o) => stringify(o)).join('---\n') });
    await h.server.settle();
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

  it('a SPDY/3.1 upgrade becomes a byte pipe to the upstream; an unauthenticated one never leaves Portcullis', async () => {
    const talk = (cert: Cert | undefined) => new Promise<string>((resolve, reject) => {
      const port = new URL(h.server.url).port;
      const s = tls.connect({ host: '127.0.0.1', port: Number(port), ca: h.server.pki.caCertPem, ...(cert ? { cert: cert.certPem, key: cert.keyPem } : {}), ALPNProtocols: ['http/1.1'] }, () => {
        s.write('POST /clusters/edge/api/v1/namespaces/default/pods/web-0/portforward HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\n'
          + 'X-Stream-Protocol-Version: portforward.k8s.io\r\nContent-Length: 0\r\n\r\n');
      });
      let out = '';
      s.on('data', (d: Buffer) => {
        out += d.toString('latin1');
        if (out.includes('\r\n\r\n') && out.startsWith('HTTP/1.1 101') && !out.includes('echo:')) s.write('ping-bytes');
        if (out.includes('echo:ping-bytes') || (!out.startsWith('HTTP/1.1 101') && out.includes('}'))) { s.destroy(); resolve(out); }
      });
      s.on('error', reject);
    });
    const piped = await talk(alice);
    assert.match(piped, /^HTTP\/1.1 101/);
    assert.match(piped, /echo:ping-bytes/);
    const seen = up.seen.filter((s) => s.path.endsWith('/portforward'));
    assert.equal(seen.length, 1);
    assert.equal(seen[0].headers['impersonate-user'], 'alice');
    const anonymous = await talk(undefined);
    assert.match(anonymous, /^HTTP\/1.1 (401|403)/);
    assert.equal(up.seen.filter((s) => s.path.endsWith('/portforward')).length, 1, 'nothing reached the upstream');
  });
});
