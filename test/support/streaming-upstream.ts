// A small HTTPS "kube-apiserver" for the streaming suites: /version, pods/web-0, the role-mapping binding calls, and
// the streaming endpoints — exec and attach over WebSocket (v5.channel.k8s.io) and over SPDY/3.1 (remotecommand v4),
// port-forward over SPDY/3.1 and tunnelled in a WebSocket, and logs?follow. Protocol versions are negotiated as
// kube-apiserver does (each X-Stream-Protocol-Version header line is one offer). It records every request's headers
// (impersonation, credentials) for the assertions.
import http2 from 'node:http2';
import https from 'node:https';
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { AddressInfo } from 'node:net';
import { createCa, issueLeafCert, loadSigningCa } from '../../src/pki/certs.ts';
import { exitStatus, portForwardStreams, remoteCommandStreams, spdyOnSocket, spdyOverWebSocket } from './streaming-spdy.ts';
import { parseWsFrames, wsFrame as frame } from './websocket-frames.ts';

export interface StreamingUpstream {
  url: string; caData: string; seen: Array<{ path: string; headers: IncomingMessage['headers']; httpVersion: string }>; close(): Promise<void>;
}

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const POD = {
  apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-0', namespace: 'default', uid: 'u-web-0', resourceVersion: '1' },
  spec: { containers: [{ name: 'main', image: 'busybox' }] }, status: { phase: 'Running' },
};

/** exec/attach: stdin is echoed upper-cased to stdout; "err" goes to stderr; the exit code is the `exit` command arg. */
function channelSession(socket: Duplex, exitCode: number): void {
  const send = (channel: number, data: Buffer | string) => socket.write(frame(Buffer.concat([Buffer.from([channel]), Buffer.from(data)])));
  let buf: Buffer = Buffer.alloc(0);
  let finished = false;
  const finish = () => {
    if (finished) return;
    finished = true;
    send(2, 'err\n');
    send(3, JSON.stringify(exitStatus(exitCode)));
    socket.write(frame(Buffer.from([0x03, 0xe8]), 8));
    socket.end();
  };
  socket.on('data', (d: Buffer) => {
    const r = parseWsFrames(Buffer.concat([buf, d]));
    buf = r.rest;
    for (const f of r.frames) {
      if (f.opcode === 8) { finish(); return; }
      if (f.opcode === 9) { socket.write(frame(f.payload, 10)); continue; }
      if (f.opcode !== 2 || f.payload.length === 0) continue;
      const ch = f.payload[0];
      if (ch === 0 && f.payload.length > 1) send(1, f.payload.subarray(1).toString().toUpperCase());
      if (ch === 255 && f.payload[1] === 0) finish(); // v5: stdin closed
    }
  });
  socket.on('error', () => undefined);
}

/** `http2`: serve HTTP/2 too (ALPN h2, HTTP/1.1 for upgrades), as kube-apiserver does. */
export async function startStreamingUpstream(opts: { http2?: boolean } = {}): Promise<StreamingUpstream> {
  const now = Date.now();
  const ca = await createCa({ commonName: 'streaming-upstream-ca', notBefore: new Date(now - 60_000), notAfter: new Date(now + 3600_000) });
  const leaf = await issueLeafCert(await loadSigningCa(ca), { commonName: '127.0.0.1', usage: 'server', ips: ['127.0.0.1'], notBefore: new Date(now - 60_000), notAfter: new Date(now + 3600_000) });
  const seen: StreamingUpstream['seen'] = [];
  const json = (res: import('node:http').ServerResponse, code: number, body: unknown) => { res.writeHead(code, { 'content-type': 'application/json' }); res.end(JSON.stringify(body)); };
  const handler = (req: IncomingMessage, res: import('node:http').ServerResponse) => {
    const u = new URL(req.url ?? '/', 'https://x');
    seen.push({ path: u.pathname, headers: req.headers, httpVersion: req.httpVersion });
    if (u.pathname === '/version') return json(res, 200, { major: '1', minor: '32', gitVersion: 'v1.32.0-streaming' });
    if (u.pathname === '/api') return json(res, 200, { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] });
    if (u.pathname === '/apis') return json(res, 200, { kind: 'APIGroupList', apiVersion: 'v1', groups: [] });
    if (u.pathname === '/api/v1') {
      return json(res, 200, { kind: 'APIResourceList', groupVersion: 'v1', resources: [{ name: 'pods', singularName: 'pod', namespaced: true, kind: 'Pod', verbs: ['get', 'list'] }] });
    }
    if (u.pathname === '/api/v1/namespaces/default/pods/web-0') return json(res, 200, POD);
    if (u.pathname.startsWith('/apis/rbac.authorization.k8s.io/v1/clusterrolebindings')) {
      return req.method === 'GET' ? json(res, 200, { kind: 'ClusterRoleBindingList', items: [] }) : json(res, 201, {});
    }
    if (u.pathname === '/api/v1/namespaces/default/pods/web-0/log' && u.searchParams.get('follow') === 'true') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      let i = 0;
      const t = setInterval(() => { res.write(`line ${++i}\n`); if (i === 3) { clearInterval(t); res.end(); } }, 20);
      return undefined;
    }
    json(res, 404, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404, message: `${u.pathname} not found` });
  };
  const tlsOpts = { key: leaf.keyPem, cert: leaf.certPem };
  const server = opts.http2 ? http2.createSecureServer({ ...tlsOpts, allowHTTP1: true }, handler as never) : https.createServer(tlsOpts, handler);
  const upgraded = new Set<Duplex>();
  const sessions = new Set<http2.ServerHttp2Session>();
  server.on('session', (sess: http2.ServerHttp2Session) => { sessions.add(sess); sess.on('close', () => sessions.delete(sess)); });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex) => {
    upgraded.add(socket);
    socket.on('close', () => upgraded.delete(socket));
    const u = new URL(req.url ?? '/', 'https://x');
    seen.push({ path: u.pathname, headers: req.headers, httpVersion: req.httpVersion });
    const upgrade = String(req.headers.upgrade ?? '').toLowerCase();
    const portForward = u.pathname.endsWith('/portforward');
    const remoteCommand = /\/(exec|attach)$/.test(u.pathname);
    const commands = u.searchParams.getAll('command');
    const exitCode = commands[0] === 'exit' ? Number(commands[1] ?? 0) : 0;
    const refuse = (code: number, message: string) => socket.end(`HTTP/1.1 ${code} Refused\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n`
      + JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code, message }));
    socket.on('error', () => undefined);
    if (upgrade === 'spdy/3.1') {
      const offered = req.headersDistinct['x-stream-protocol-version'] ?? [];
      const chosen = (portForward ? ['portforward.k8s.io'] : remoteCommand ? ['v4.channel.k8s.io'] : []).find((p) => offered.includes(p));
      if (!chosen) return refuse(403, `unable to upgrade: unable to negotiate protocol: client supports ${JSON.stringify(offered)}`);
      socket.write(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: ${chosen}\r\n\r\n`);
      spdyOnSocket(socket, portForward ? portForwardStreams() : remoteCommandStreams(u.searchParams, exitCode));
      return undefined;
    }
    const protocols = String(req.headers['sec-websocket-protocol'] ?? '').split(',').map((s) => s.trim());
    const chosen = portForward ? protocols.find((p) => p === 'SPDY/3.1+portforward.k8s.io') : remoteCommand ? protocols.find((p) => p === 'v5.channel.k8s.io') : undefined;
    if (upgrade !== 'websocket' || !chosen) return refuse(400, 'unsupported upgrade');
    const accept = createHash('sha1').update(`${String(req.headers['sec-websocket-key'])}${GUID}`).digest('base64');
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\nSec-WebSocket-Protocol: ${chosen}\r\n\r\n`);
    if (portForward) spdyOverWebSocket(socket, portForwardStreams());
    else channelSession(socket, exitCode);
    return undefined;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`, caData: Buffer.from(ca.certPem).toString('base64'), seen,
    close: () => new Promise<void>((resolve) => {
      for (const s of upgraded) s.destroy();
      for (const s of sessions) s.destroy();
      if ('closeAllConnections' in server) server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
