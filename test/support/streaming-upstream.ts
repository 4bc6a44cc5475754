// A small HTTPS "kube-apiserver" for the streaming suites: /version, pods/web-0, the role-mapping binding calls, and
// the streaming endpoints — exec and attach over WebSocket (v5.channel.k8s.io), logs?follow, and a raw SPDY/3.1
// upgrade that echoes bytes. It records every request's headers (impersonation, credentials) for the assertions.
import https from 'node:https';
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { AddressInfo } from 'node:net';
import { createCa, issueLeafCert, loadSigningCa } from '../../src/pki/certs.ts';

export interface StreamingUpstream { url: string; caData: string; seen: Array<{ path: string; headers: IncomingMessage['headers'] }>; close(): Promise<void> }

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const POD = {
  apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-0', namespace: 'default', uid: 'u-web-0', resourceVersion: '1' },
  spec: { containers: [{ name: 'main', image: 'busybox' }] }, status: { phase: 'Running' },
};

/** One unmasked server frame (FIN, binary unless given). */
function frame(payload: Buffer, opcode = 2): Buffer {
  const n = payload.length;
  const head = n < 126 ? Buffer.from([0x80 | opcode, n]) : n < 65536 ? Buffer.from([0x80 | opcode, 126, n >> 8, n & 255]) : (() => {
    const b = Buffer.alloc(10); b[0] = 0x80 | opcode; b[1] = 127; b.writeBigUInt64BE(BigInt(n), 2); return b;
  })();
  return Buffer.concat([head, payload]);
}

/** Parses masked client frames from `buf`; returns complete frames and the rest. */
function parseFrames(buf: Buffer): { frames: Array<{ opcode: number; payload: Buffer }>; rest: Buffer } {
  const frames: Array<{ opcode: number; payload: Buffer }> = [];
  let off = 0;
  for (;;) {
    if (buf.length - off < 2) break;
    const opcode = buf[off] & 0x0f;
    let len = buf[off + 1] & 0x7f;
    let p = off + 2;
    if (len === 126) { if (buf.length < p + 2) break; len = buf.readUInt16BE(p); p += 2; } else if (len === 127) { if (buf.length < p + 8) break; len = Number(buf.readBigUInt64BE(p)); p += 8; }
    const masked = (buf[off + 1] & 0x80) !== 0;
    const mask = masked ? buf.subarray(p, p + 4) : undefined;
    if (masked) p += 4;
    if (buf.length < p + len) break;
    const payload = Buffer.from(buf.subarray(p, p + len));
    if (mask) for (let i = 0; i < payload.length; i++) payload[i] ^= mask[i % 4];
    frames.push({ opcode, payload });
    off = p + len;
  }
  return { frames, rest: buf.subarray(off) };
}

/** exec/attach: stdin is echoed upper-cased to stdout; "err" goes to stderr; the exit code is the `exit` command arg. */
function channelSession(socket: Duplex, exitCode: number): void {
  const send = (channel: number, data: Buffer | string) => socket.write(frame(Buffer.concat([Buffer.from([channel]), Buffer.from(data)])));
  let buf: Buffer = Buffer.alloc(0);
  let finished = false;
  const finish = () => {
    if (finished) return;
    finished = true;
    send(2, 'err\n');
    const status = exitCode === 0 ? { metadata: {}, status: 'Success' } : {
      metadata: {}, status: 'Failure', message: `command terminated with non-zero exit code: ${exitCode}`, reason: 'NonZeroExitCode',
      details: { causes: [{ reason: 'ExitCode', message: String(exitCode) }] },
    };
    send(3, JSON.stringify(status));
    socket.write(frame(Buffer.from([0x03, 0xe8]), 8));
    socket.end();
  };
  socket.on('data', (d: Buffer) => {
    const r = parseFrames(Buffer.concat([buf, d]));
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

export async function startStreamingUpstream(): Promise<StreamingUpstream> {
  const now = Date.now();
  const ca = await createCa({ commonName: 'streaming-upstream-ca', notBefore: new Date(now - 60_000), notAfter: new Date(now + 3600_000) });
  const leaf = await issueLeafCert(await loadSigningCa(ca), { commonName: '127.0.0.1', usage: 'server', ips: ['127.0.0.1'], notBefore: new Date(now - 60_000), notAfter: new Date(now + 3600_000) });
  const seen: StreamingUpstream['seen'] = [];
  const json = (res: import('node:http').ServerResponse, code: number, body: unknown) => { res.writeHead(code, { 'content-type': 'application/json' }); res.end(JSON.stringify(body)); };
  const server = https.createServer({ key: leaf.keyPem, cert: leaf.certPem }, (req, res) => {
    const u = new URL(req.url ?? '/', 'https://x');
    seen.push({ path: u.pathname, headers: req.headers });
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
  });
  const upgraded = new Set<Duplex>();
  server.on('upgrade', (req: IncomingMessage, socket: Duplex) => {
    upgraded.add(socket);
    socket.on('close', () => upgraded.delete(socket));
    const u = new URL(req.url ?? '/', 'https://x');
    seen.push({ path: u.pathname, headers: req.headers });
    const upgrade = String(req.headers.upgrade ?? '').toLowerCase();
    if (upgrade === 'spdy/3.1') {
      socket.write('HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\n\r\n');
      socket.on('data', (d: Buffer) => socket.write(Buffer.concat([Buffer.from('echo:'), d])));
      socket.on('error', () => undefined);
      return;
    }
    const protocols = String(req.headers['sec-websocket-protocol'] ?? '').split(',').map((s) => s.trim());
    if (upgrade !== 'websocket' || !protocols.includes('v5.channel.k8s.io') || !/\/(exec|attach)$/.test(u.pathname)) {
      socket.end('HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n{"kind":"Status","apiVersion":"v1","status":"Failure","code":400,"message":"unsupported upgrade"}');
      return;
    }
    const accept = createHash('sha1').update(`${String(req.headers['sec-websocket-key'])}${GUID}`).digest('base64');
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\nSec-WebSocket-Protocol: v5.channel.k8s.io\r\n\r\n`);
    const commands = u.searchParams.getAll('command');
    channelSession(socket, commands[0] === 'exit' ? Number(commands[1] ?? 0) : 0);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`, caData: Buffer.from(ca.certPem).toString('base64'), seen,
    close: () => new Promise<void>((resolve) => { for (const s of upgraded) s.destroy(); server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
