// The HTTPS listener: HTTP/2 negotiated by ALPN (h2, which kubectl and client-go prefer and over which they multiplex
// watches), HTTP/1.1 still served to clients that do not offer h2. Client certificates are requested on every
// connection (verified by the x509 authenticator). close() ends every connection, so open watches end with it.
import http2 from 'node:http2';
import { ServerResponse, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { connectionOf, newContext, type Handler } from '../apiserver/context.ts';

export interface SecureListener extends http2.Http2SecureServer {
  /** Stops listening and ends every open connection (HTTP/1.1 and HTTP/2). */
  closeAll(): Promise<void>;
  /**
   * Graceful stop: no new connections, HTTP/2 sessions get GOAWAY, idle HTTP/1.1 connections close and busy ones
   * close after their response; resolves when no request is in flight, or after timeoutMs (then everything ends).
   */
  drain(timeoutMs: number): Promise<{ unfinished: number }>;
}

/** Concurrent streams one HTTP/2 connection may open (kube-apiserver's default --http2-max-streams-per-connection). */
const MAX_STREAMS_PER_CONNECTION = 1000;
/** Idle HTTP/1.1 keep-alive connections are closed after this long (the HTTP/1.1 path reads it off the server). */
const KEEP_ALIVE_TIMEOUT_MS = 65_000;

export function listenSecure(tls: { key: string; cert: string; ca: string }, handle: Handler, log: (m: string) => void): SecureListener {
  // Requests in flight, per connection (a drain closes idle HTTP/1.1 connections and waits for busy ones).
  const busy = new Map<Socket, number>();
  let inFlight = 0;
  let draining = false;
  let drained: (() => void) | undefined;
  const server = http2.createSecureServer({
    ...tls, requestCert: true, rejectUnauthorized: false, allowHTTP1: true,
    settings: { maxConcurrentStreams: MAX_STREAMS_PER_CONNECTION },
  }, (req, res) => {
    const conn = connectionOf(req as unknown as IncomingMessage);
    const http1 = req.httpVersionMajor === 1;
    inFlight++;
    busy.set(conn, (busy.get(conn) ?? 0) + 1);
    if (draining && http1) res.setHeader('Connection', 'close');
    res.once('close', () => {
      inFlight--;
      const n = (busy.get(conn) ?? 1) - 1;
      if (n > 0) busy.set(conn, n); else busy.delete(conn);
      if (draining && http1 && n === 0) conn.end();
      if (inFlight === 0) drained?.();
    });
    // The compatibility API gives HTTP/2 streams the request/response surface of HTTP/1.1 (headers, url, write,
    // end, 'close'); code that needs the connection uses connectionOf(req).
    void handle(newContext(req as unknown as IncomingMessage, res as unknown as ServerResponse));
  }) as SecureListener;
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // HTTP/1.1 Upgrade (WebSocket, SPDY: exec, attach, port-forward). The request runs the whole chain; a filter
    // that answers 101 takes the socket, anything else answers through a response bound to it, then it closes.
    socket.on('error', () => { /* a peer that vanished mid-upgrade: nothing to answer */ });
    const res = new ServerResponse(req);
    res.shouldKeepAlive = false;
    res.assignSocket(socket as Socket);
    res.once('finish', () => { res.detachSocket(socket as Socket); socket.end(); });
    void handle(newContext(req, res, { socket, head }));
  });
  const sessions = new Set<http2.ServerHttp2Session>();
  const sockets = new Set<TLSSocket>();
  server.on('secureConnection', (socket: TLSSocket) => {
    socket.setNoDelay(true); // small responses leave at once (no Nagle wait on the client's delayed ACK)
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.on('session', (session) => {
    sessions.add(session);
    session.once('close', () => sessions.delete(session));
    if (draining) session.close();
    // A broken or hostile HTTP/2 peer ends its own session, nothing else.
    session.on('error', (e) => log(`http2 session error: ${e.message}`));
  });
  server.on('sessionError', (e) => log(`http2 session error: ${e.message}`));
  server.on('tlsClientError', () => { /* handshake failures are the client's; nothing to serve */ });
  (server as unknown as { keepAliveTimeout: number }).keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  server.closeAll = () => new Promise<void>((resolve) => {
    server.close(() => resolve());
    for (const s of sockets) s.destroy();
  });
  server.drain = async (timeoutMs) => {
    draining = true;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const session of sessions) session.close(); // GOAWAY: open streams finish, no new ones
    // Idle HTTP/1.1 connections close now (HTTP/2 ones close with their session once its streams are done).
    for (const s of sockets) if (s.alpnProtocol !== 'h2' && !busy.has(s)) s.end();
    if (inFlight > 0) {
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => { drained = resolve; timer = setTimeout(resolve, timeoutMs); });
      clearTimeout(timer);
    }
    const unfinished = inFlight;
    for (const s of sockets) s.destroy();
    await closed;
    return { unfinished };
  };
  return server;
}
