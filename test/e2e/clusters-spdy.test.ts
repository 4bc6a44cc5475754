// End-to-end: port-forward and exec through the connected-cluster proxy with the real kubectl, over the protocols
// kubectl really speaks: port-forward's SPDY/3.1 tunnelled in a WebSocket (kubectl >= 1.31's default) and over a plain
// SPDY upgrade (the fallback, and older kubectl), exec over SPDY/3.1 (remotecommand v4). The upstream sees
// impersonation, never the client's credential; a key scoped to another namespace never reaches it. The upstream
// offers HTTP/2 as kube-apiserver does: short requests share one HTTP/2 connection, the rest keep HTTP/1.1.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, type Harness } from '../support/harness.ts';
import { startStreamingUpstream, type StreamingUpstream } from '../support/streaming-upstream.ts';
import { POD_PORT } from '../support/streaming-spdy.ts';
import { call, certFor, connectEdge, kubeconfigTo, portForward, rawUpgrade, tcpRoundTrip, type Cert } from './clusters-support.ts';

describe('connected clusters: port-forward and exec over SPDY through the proxy', () => {
  let h: Harness;
  let up: StreamingUpstream;
  let alice: Cert;
  let kc: string;
  const seen = (suffix: string) => up.seen.filter((s) => s.path.endsWith(suffix));
  const assertImpersonated = (s: StreamingUpstream['seen'][number]) => {
    assert.equal(s.headers['impersonate-user'], 'alice');
    assert.equal(s.headers.authorization, 'Bearer upstream-secret-token', 'Portcullis\' credential, not the client\'s');
  };

  before(async () => {
    [h, up] = await Promise.all([startHarness(), startStreamingUpstream({ http2: true })]);
    await connectEdge(h, up.url, up.caData);
    alice = await certFor(h, 'alice');
    kc = kubeconfigTo(h, 'edge', alice, 'alice-edge.kubeconfig');
  });
  after(async () => { await h?.close(); await up?.close(); });

  for (const [how, env, upgrade] of [
    ['SPDY tunnelled in a WebSocket', {}, 'websocket'],
    ['a plain SPDY/3.1 upgrade', { KUBECTL_PORT_FORWARD_WEBSOCKETS: 'false' }, 'SPDY/3.1'],
  ] as const) {
    it(`kubectl port-forward over ${how}: bytes both ways and the half-close`, async () => {
      const before = seen('/portforward').length;
      const pf = await portForward(h, kc, 'web-0', POD_PORT, env);
      try {
        assert.equal(await tcpRoundTrip(pf.port, 'hello through the proxy', 'HELLO THROUGH THE PROXY'), 'HELLO THROUGH THE PROXYbye\n');
        assert.equal(await tcpRoundTrip(pf.port, 'second connection', 'SECOND CONNECTION'), 'SECOND CONNECTIONbye\n');
      } finally { await pf.stop(); }
      const pfs = seen('/portforward').slice(before);
      assert.equal(pfs.length, 1);
      assertImpersonated(pfs[0]);
      assert.equal(pfs[0].headers.upgrade, upgrade);
    });
  }

  it('kubectl exec and attach over SPDY/3.1: stdin in, stdout and stderr out, the exit code back', async () => {
    const env = { KUBECTL_REMOTE_COMMAND_WEBSOCKETS: 'false' };
    const before = seen('/exec').length;
    const ok = await h.kubectl(['exec', '-i', 'web-0', '-n', 'default', '--', 'upper'], { kubeconfig: kc, input: 'hello over spdy\n', env });
    assert.equal(ok.stdout, 'HELLO OVER SPDY\n');
    assert.equal(ok.stderr, 'err\n');
    const failed = await h.kubectl(['exec', '-i', 'web-0', '-n', 'default', '--', 'exit', '3'], { kubeconfig: kc, input: 'x\n', allowFail: true, env });
    assert.equal(failed.code, 3, failed.stderr);
    const at = await h.kubectl(['attach', '-i', 'web-0', '-n', 'default', '-c', 'main'], { kubeconfig: kc, input: 'attached over spdy\n', env });
    assert.match(at.stdout, /ATTACHED OVER SPDY/);
    assert.equal(seen('/attach').at(-1)?.headers.upgrade, 'SPDY/3.1');
    const ex = seen('/exec').slice(before);
    assert.equal(ex.length, 2);
    for (const s of ex) {
      assertImpersonated(s);
      assert.equal(s.headers.upgrade, 'SPDY/3.1');
      // kubectl offers each protocol version on its own header line; the upstream negotiates on those lines
      assert.ok((s.headers['x-stream-protocol-version'] ?? '').includes('v4.channel.k8s.io'));
    }
  });

  it('short requests go upstream over one HTTP/2 connection; logs -f and upgrades over HTTP/1.1', async () => {
    const pod = '/clusters/edge/api/v1/namespaces/default/pods/web-0';
    let overH2: StreamingUpstream['seen'][number] | undefined;
    // the HTTP/2 session is set up beside the first requests, which go over HTTP/1.1 meanwhile
    for (let i = 0; i < 100 && !overH2; i++) {
      const before = up.seen.length;
      assert.equal((await call(h, 'GET', pod, alice)).status, 200);
      overH2 = up.seen.slice(before).find((s) => s.httpVersion === '2.0');
    }
    assert.ok(overH2, 'a GET went over HTTP/2');
    assertImpersonated(overH2);
    assert.match(String(overH2.headers['impersonate-extra-original-user-info.portcullis.io']), /"username":"alice"/);
    const logs = await h.kubectl(['logs', '-f', 'web-0', '-n', 'default', '-c', 'main'], { kubeconfig: kc });
    assert.equal(logs.stdout, 'line 1\nline 2\nline 3\n');
    assert.equal(seen('/log').at(-1)?.httpVersion, '1.1');
    for (const s of [...seen('/portforward'), ...seen('/exec'), ...seen('/attach')]) assert.equal(s.httpVersion, '1.1');
  });

  it('an access key scoped to another namespace cannot port-forward or exec: 403 from Portcullis, nothing upstream', async () => {
    await h.kubectl(['create', 'namespace', 'team-a'], { allowFail: true });
    const created = await h.request('POST', '/apis/management.portcullis.io/v1/accesskeys', { body: {
      apiVersion: 'management.portcullis.io/v1', kind: 'AccessKey', metadata: { generateName: 'alice-' },
      spec: { user: 'alice', displayName: 'ci', scope: { namespaces: [{ cluster: 'edge', namespace: 'team-a' }] } },
    } });
    assert.equal(created.status, 201, created.body);
    const key = { token: created.json().status.key as string };
    const count = up.seen.length;
    const pod = '/clusters/edge/api/v1/namespaces/default/pods/web-0';
    const spdy = { Upgrade: 'SPDY/3.1', 'X-Stream-Protocol-Version': 'portforward.k8s.io' };
    const ws = { Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==' };
    for (const [method, p, headers] of [
      ['POST', `${pod}/portforward`, spdy],
      ['GET', `${pod}/portforward?ports=80`, { ...ws, 'Sec-WebSocket-Protocol': 'SPDY/3.1+portforward.k8s.io' }],
      ['POST', `${pod}/exec?command=sh&stdin=true&stdout=true`, { Upgrade: 'SPDY/3.1', 'X-Stream-Protocol-Version': 'v4.channel.k8s.io' }],
      ['GET', `${pod}/exec?command=sh&stdout=true`, { ...ws, 'Sec-WebSocket-Protocol': 'v5.channel.k8s.io' }],
    ] as const) {
      const head = await rawUpgrade(h, method, p, headers, key);
      assert.match(head, /^HTTP\/1.1 403/, `${method} ${p}`);
      assert.match(head, /outside its scope/);
    }
    const byKubectl = await h.kubectl(['exec', '-i', 'web-0', '-n', 'default', '--', 'upper'], {
      kubeconfig: kubeconfigTo(h, 'edge', key, 'key-edge.kubeconfig'), input: 'x\n', allowFail: true, env: { KUBECTL_REMOTE_COMMAND_WEBSOCKETS: 'false' },
    });
    assert.notEqual(byKubectl.code, 0);
    assert.match(byKubectl.stderr, /forbidden|outside its scope/i);
    assert.equal(up.seen.length, count, 'nothing reached the upstream');
  });
});
