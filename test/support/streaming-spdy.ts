// The kubelet's side of Kubernetes' SPDY streaming protocols, for the streaming test upstream: port-forward
// (portforward.k8s.io: a data and an error stream per connection, paired by `requestid`) and exec/attach
// (remotecommand v4: stdin/stdout/stderr/resize streams, the exit code as a Status on the error stream), over a raw
// SPDY/3.1 upgrade or tunnelled in WebSocket binary messages (subprotocol SPDY/3.1+portforward.k8s.io, KEP-4006).
import type { Duplex } from 'node:stream';
import { RST, SpdySession, type SpdyStream } from './spdy.ts';
import { parseWsFrames, wsFrame } from './websocket-frames.ts';

/** The one open port of pod web-0: each chunk comes back upper-cased; "bye\n" follows the client's half-close. */
export const POD_PORT = 80;

/** The Status a v4 remotecommand error stream (or v5 channel 3) carries for an exit code. */
export function exitStatus(code: number): object {
  return code === 0 ? { metadata: {}, status: 'Success' } : {
    metadata: {}, status: 'Failure', message: `command terminated with non-zero exit code: ${code}`, reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(code) }] },
  };
}

export function portForwardStreams(): (s: SpdyStream) => void {
  const pending = new Map<string, { data?: SpdyStream; error?: SpdyStream }>();
  return (s) => {
    const type = s.header('streamtype');
    const id = s.header('requestid') ?? '';
    if (type !== 'data' && type !== 'error') { s.reset(RST.PROTOCOL_ERROR); return; }
    const pair = pending.get(id) ?? {};
    if (pair[type]) { s.reset(RST.PROTOCOL_ERROR); return; }
    pair[type] = s;
    pending.set(id, pair);
    const { data, error } = pair;
    if (!data || !error) return;
    pending.delete(id);
    const port = Number(data.header('port'));
    if (port !== POD_PORT) {
      error.end(`error forwarding port ${port} to pod web-0: connection refused`);
      data.end();
      return;
    }
    data.onData((b) => data.write(b.toString().toUpperCase()));
    data.onEnd(() => { data.end('bye\n'); error.end(); });
  };
}

/** exec/attach as the streaming upstream's WebSocket session does it: stdin upper-cased to stdout, "err" on stderr. */
export function remoteCommandStreams(q: URLSearchParams, exitCode: number): (s: SpdyStream) => void {
  const tty = q.get('tty') === 'true';
  const expected = new Set(['error']);
  if (q.get('stdin') === 'true') expected.add('stdin');
  if (q.get('stdout') === 'true') expected.add('stdout');
  if (q.get('stderr') === 'true' && !tty) expected.add('stderr');
  if (tty) expected.add('resize');
  const got = new Map<string, SpdyStream>();
  return (s) => {
    const type = s.header('streamtype') ?? '';
    if (!expected.has(type) || got.has(type)) { s.reset(RST.PROTOCOL_ERROR); return; }
    got.set(type, s);
    if (got.size < expected.size) return;
    const stdout = got.get('stdout');
    const stderr = got.get('stderr');
    const finish = () => {
      stderr?.write('err\n');
      got.get('error')!.end(JSON.stringify(exitStatus(exitCode)));
      stdout?.end();
      stderr?.end();
    };
    const stdin = got.get('stdin');
    if (!stdin) { finish(); return; }
    stdin.onData((b) => stdout?.write(b.toString().toUpperCase()));
    stdin.onEnd(finish);
  };
}

/** A SPDY session straight on an upgraded socket. */
export function spdyOnSocket(socket: Duplex, onStream: (s: SpdyStream) => void): SpdySession {
  const session = new SpdySession({ write: (b) => socket.write(b), end: () => socket.end() }, onStream);
  socket.on('data', (d: Buffer) => session.receive(d));
  socket.on('end', () => session.close());
  socket.on('error', () => session.close());
  return session;
}

/** A SPDY session inside a WebSocket: every write one binary message; incoming binary messages are one byte stream. */
export function spdyOverWebSocket(socket: Duplex, onStream: (s: SpdyStream) => void): SpdySession {
  const session = new SpdySession({
    write: (b) => socket.write(wsFrame(b)),
    end: () => { socket.write(wsFrame(Buffer.from([0x03, 0xe8]), 8)); socket.end(); },
  }, onStream);
  let buf: Buffer = Buffer.alloc(0);
  socket.on('data', (d: Buffer) => {
    const r = parseWsFrames(Buffer.concat([buf, d]));
    buf = r.rest;
    for (const f of r.frames) {
      if (f.opcode === 2 || f.opcode === 0) session.receive(f.payload);
      else if (f.opcode === 9) socket.write(wsFrame(f.payload, 10));
      else if (f.opcode === 8) session.close();
    }
  });
  socket.on('end', () => session.close());
  socket.on('error', () => session.close());
  return session;
}
