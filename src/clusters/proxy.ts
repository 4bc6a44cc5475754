// The `remote` filter: a request for a connected cluster, having passed authentication, audit, impersonation,
// management access and credential scope, goes upstream as the effective user (Impersonate-* headers, Portcullis'
// own credential). Responses and watches stream through unbuffered; WebSocket and SPDY upgrades become byte pipes.
import http2 from 'node:http2';
import https from 'node:https';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Filter, RequestContext, Upgrade } from '../apiserver/context.ts';
import { StatusError } from '../apiserver/errors.ts';
import type { UserInfo } from '../apiserver/auth/types.ts';
import type { ConnectedClusters } from './registry.ts';
import type { Upstream } from './upstream.ts';
import { responseHeaders, upstreamHeaders } from './impersonation-headers.ts';
import { GROUP, RESOURCE } from './types.ts';

export interface ProxyDeps {
  clusters: ConnectedClusters;
  servedLocally: (name: string) => boolean;
  /** The identity impersonated upstream for the effective user. */
  upstreamUser: (u: UserInfo) => UserInfo;
  /** Told when a request could not reach the upstream (the status checker re-checks at once). */
  unreachable: (name: string, why: string) => void;
}

const unavailable = (cluster: string, why: string): StatusError => new StatusError(503, 'ServiceUnavailable',
  `connected cluster "${cluster}" is unavailable: ${why}`, { name: cluster, group: GROUP, kind: RESOURCE });

export function withConnectedClusterProxy(d: ProxyDeps): Filter {
  return (ctx, next) => {
    const cluster = ctx.cluster;
    if (!cluster || d.servedLocally(cluster) || !d.clusters.has(cluster)) return next();
    const up = d.clusters.upstream(cluster);
    if (typeof up === 'string') throw unavailable(cluster, up);
    if (up.refused) throw unavailable(cluster, up.refused);
    const effective = d.upstreamUser(ctx.user!);
    const original = ctx.impersonator ?? ctx.user!;
    ctx.annotations['clusters.portcullis.io/upstream-user'] = JSON.stringify({ username: effective.username, groups: effective.groups });
    ctx.annotations['clusters.portcullis.io/original-user'] = JSON.stringify({ username: original.username, groups: original.groups });
    const headers = upstreamHeaders(ctx.req.rawHeaders, effective, original, !!ctx.upgrade);
    const raw = ctx.req.url ?? '/';
    const q = raw.indexOf('?');
    const target = up.path(ctx.path) + (q >= 0 ? raw.slice(q) : '');
    const failed = (why: string) => { d.unreachable(cluster, why); return unavailable(cluster, why); };
    if (ctx.upgrade) return forwardUpgrade(ctx, ctx.upgrade, up, target, headers, failed);
    const session = longLived(ctx.path, q >= 0 ? raw.slice(q) : '') ? undefined : up.h2.ready();
    const overH1 = () => forward(ctx, up, target, headers, failed);
    return session ? forwardH2(ctx, session, target, up.credentialHeaders({ ...headers }), failed, overH1) : overH1();
  };
}

/** Watches and followed logs stay open: they go over HTTP/1.1 connections of their own, not the shared HTTP/2 session. */
function longLived(path: string, query: string): boolean {
  return /[?&](watch|follow)=(1|true)(&|$)/i.test(query) || path.includes('/watch/');
}

/** Fails the request if the TCP/TLS connection to the upstream is not up within the upstream's connect timeout. */
function connectDeadline(req: ReturnType<typeof https.request>, ms: number, onTimeout: () => void): void {
  req.on('socket', (s: Socket) => {
    if (!s.connecting) return;
    const t = setTimeout(onTimeout, ms);
    s.once('connect', () => clearTimeout(t));
    s.once('close', () => clearTimeout(t));
  });
}

function forward(ctx: RequestContext, up: Upstream, target: string, headers: Record<string, string | string[]>,
  failed: (why: string) => StatusError): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let answered = false;
    const req = https.request(up.options(ctx.req.method ?? 'GET', target, headers), (res: IncomingMessage) => {
      answered = true;
      ctx.responseCode = res.statusCode ?? 502;
      ctx.res.writeHead(ctx.responseCode, responseHeaders(res.headers));
      // a stream (watch, logs -f) starts now; a sized body leaves with its headers
      if (res.headers['content-length'] === undefined) ctx.res.flushHeaders();
      res.pipe(ctx.res);
      res.on('error', () => ctx.res.destroy());
      ctx.res.on('close', () => { if (!res.complete) req.destroy(); resolve(); });
      res.on('end', () => resolve());
    });
    connectDeadline(req, up.connectTimeoutMs, () => req.destroy(new Error(`no connection within ${up.connectTimeoutMs} ms`)));
    req.on('error', (e: Error) => {
      if (!answered) reject(failed(e.message));
      else { ctx.res.destroy(); resolve(); }
    });
    // The client going away before the upstream answers ends the upstream request too.
    ctx.res.on('close', () => { if (!answered) { req.destroy(); resolve(); } });
    if (bodiless(ctx.req)) req.end(); else ctx.req.pipe(req);
  });
}

/** `overH1` resends a bodiless request the upstream refused unprocessed (a session closing: GOAWAY, REFUSED_STREAM). */
function forwardH2(ctx: RequestContext, session: http2.ClientHttp2Session, target: string, headers: Record<string, string | string[]>,
  failed: (why: string) => StatusError, overH1: () => Promise<void>): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let answered = false;
    let stream: http2.ClientHttp2Stream;
    try {
      stream = session.request({ ...headers, ':method': ctx.req.method ?? 'GET', ':path': target }, { endStream: false });
    } catch { // a session closing under us, or a header HTTP/2 allows once sent on two lines: HTTP/1.1 as before
      overH1().then(resolve, reject);
      return;
    }
    stream.on('response', (h: http2.IncomingHttpHeaders & http2.IncomingHttpStatusHeader) => {
      answered = true;
      ctx.responseCode = Number(h[':status'] ?? 502);
      ctx.res.writeHead(ctx.responseCode, responseHeaders(h));
      if (h['content-length'] === undefined) ctx.res.flushHeaders();
      stream.pipe(ctx.res);
    });
    stream.on('end', () => resolve());
    stream.on('error', (e: Error) => { if (answered) ctx.res.destroy(); }); // the outcome is decided on 'close'
    stream.on('close', () => {
      if (!answered && stream.rstCode === http2.constants.NGHTTP2_REFUSED_STREAM && bodiless(ctx.req)) { overH1().then(resolve, reject); return; }
      if (!answered) reject(failed(`stream closed (code ${stream.rstCode})`));
      else if (!stream.readableEnded) ctx.res.destroy();
      resolve();
    });
    ctx.res.on('close', () => { if (!stream.closed) stream.close(http2.constants.NGHTTP2_CANCEL); resolve(); });
    if (bodiless(ctx.req)) stream.end(); else ctx.req.pipe(stream);
  });
}

/** An HTTP/1.x request without Content-Length (or with 0) and without Transfer-Encoding has no body (RFC 9112 6.3). */
function bodiless(req: IncomingMessage): boolean {
  if (req.httpVersionMajor !== 1) return false; // HTTP/2 marks the end of a body on its frames, not in headers
  const h = req.headers;
  return h['transfer-encoding'] === undefined && (h['content-length'] === undefined || h['content-length'] === '0');
}

function forwardUpgrade(ctx: RequestContext, u: Upgrade, up: Upstream, target: string, headers: Record<string, string | string[]>,
  failed: (why: string) => StatusError): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let answered = false;
    const req = https.request(up.options(ctx.req.method ?? 'GET', target, headers, true));
    req.on('upgrade', (res: IncomingMessage, upSocket: Socket, upHead: Buffer) => {
      answered = true;
      ctx.responseCode = res.statusCode ?? 101;
      const lines = [`HTTP/1.1 ${res.statusCode} ${res.statusMessage ?? 'Switching Protocols'}`];
      for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) lines.push(`${res.rawHeaders[i]}: ${res.rawHeaders[i + 1]}`);
      u.socket.write(`${lines.join('\r\n')}\r\n\r\n`);
      if (upHead.length) u.socket.write(upHead);
      if (u.head.length) upSocket.write(u.head);
      const done = () => { upSocket.destroy(); u.socket.destroy(); resolve(); };
      upSocket.on('error', done);
      u.socket.on('error', done);
      upSocket.on('close', done);
      u.socket.on('close', done);
      upSocket.pipe(u.socket);
      u.socket.pipe(upSocket);
    });
    // The upstream refused the upgrade: its answer (a Status, usually) goes back as a plain response.
    req.on('response', (res: IncomingMessage) => {
      answered = true;
      ctx.responseCode = res.statusCode ?? 502;
      ctx.res.writeHead(ctx.responseCode, responseHeaders(res.headers));
      res.pipe(ctx.res);
      res.on('end', () => resolve());
      res.on('error', () => { ctx.res.destroy(); resolve(); });
    });
    connectDeadline(req, up.connectTimeoutMs, () => req.destroy(new Error(`no connection within ${up.connectTimeoutMs} ms`)));
    req.on('error', (e: Error) => { if (!answered) reject(failed(e.message)); else resolve(); });
    req.end(); // an upgrade request has no body: what follows its headers is the new protocol (u.head)
  });
}
