// The HTTPS listener: HTTP/2 negotiated by ALPN (h2, which kubectl and client-go prefer and over which they multiplex
// watches), HTTP/1.1 still served to clients that do not offer h2. Client certificates are requested on every
// connection (verified by the x509 authenticator). close() ends every connection, so open watches end with it.
import http2 from 'node:http2';
import { ServerResponse, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { newContext, type Handler } from '../apiserver/context.ts';

export interface SecureListener extends http2.Http2SecureServer {
  /** Stops listening and ends every open connection (HTTP/1.1 and HTTP/2). */
  closeAll(): Promise<void>;
}

/** Concurrent streams one HTTP/2 connection may open (kube-apiserver's default --http2-max-streams-per-connection). */
const MAX_STREAMS_PER_CONNECTION = 1000;
/** Idle HTTP/1.1 keep-alive connections are closed after this long (the HTTP/1.1 path reads it off the server). */
const KEEP_ALIVE_TIMEOUT_MS = 65_000;

export function listenSecure(tls: { key: string; cert: string; ca: string }, handle: Handler, log: (m: string) => void): SecureListener {
  const server = http2.createSecureServer({
    ...tls, requestCert: true, rejectUnauthorized: false, allowHTTP1: true,
    settings: { maxConcurrentStreams: MAX_STREAMS_PER_CONNECTION },
  }, (req, res) => {
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
  const sockets = new Set<TLSSocket>();
  server.on('secureConnection', (socket: TLSSocket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.on('session', (session) => {
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
  return server;
}
