// The per-request context shared by filters and handlers, and its typed accessors.
// Filters write fields once (cluster, info, user, ...); later code reads them through the accessors.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { AuthnResult, CredentialRestrictions, UserInfo } from './auth/types.ts';
import { internal } from './errors.ts';
import type { ClusterHandle } from './cluster-handle.ts';

/** What the request is about, as in k8s.io/apiserver RequestInfo. */
export interface RequestInfo {
  isResourceRequest: boolean;
  /** Path without the /clusters/<name> prefix. */
  path: string;
  /** Kubernetes verb for resource requests; lower-case HTTP method otherwise. */
  verb: string;
  apiPrefix: string;
  apiGroup: string;
  apiVersion: string;
  namespace: string;
  resource: string;
  subresource: string;
  name: string;
  parts: string[];
}

export interface AuditAnnotations { [key: string]: string }

export interface RequestContext {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly url: URL;
  readonly receivedAt: number;
  /** Logical cluster name (set by logical-cluster filter). */
  cluster?: string;
  /** The named cluster does not exist: answered as a cluster the caller may not access, 404 only once authorized. */
  clusterMissing?: boolean;
  /** The cluster's handle (set by logical-cluster filter when one exists): modules' per-cluster records. */
  handle?: ClusterHandle;
  /** Path with the cluster prefix removed. */
  path: string;
  info?: RequestInfo;
  /** The authenticated user (after impersonation, the impersonated one). */
  user?: UserInfo;
  /** The user who authenticated, when impersonating. */
  impersonator?: UserInfo;
  /** Identifier of the credential used (for audit and last-used tracking). */
  credentialId?: string;
  /** What the credential itself restricts (set by authentication; read with restrictionsFrom). */
  restrictions?: CredentialRestrictions;
  /** The authentication result (its credential chain and expiry: what a credential minted by this request derives from). */
  authn?: AuthnResult;
  /** Reasons collected along the chain, for audit and explain. */
  annotations: AuditAnnotations;
  /** Response code, recorded by whoever writes the response. */
  responseCode?: number;
  /** Warnings for the client (deprecated versions, admission), sent as Warning headers with the response. */
  warnings: string[];
  /**
   * Set for an HTTP/1.1 Upgrade request (WebSocket, SPDY): whoever answers 101 takes the raw socket (and the bytes
   * read past the headers); anything else answers through `res` as usual and the connection then closes.
   */
  readonly upgrade?: Upgrade;
}

export interface Upgrade { socket: Duplex; head: Buffer }

const BASE = 'https://portcullis.invalid';
/** What the URL parser would rewrite in a path: non-printable or non-ASCII bytes, its escape set, dot segments. */
const UNUSUAL_PATH = /[^\x21-\x7e]|["<>`{}\\]|\/\./;

/**
 * The context of a request arriving at the server. The WHATWG URL is parsed only when something reads
 * ctx.url (query parameters); a plain origin-form path is taken as it is, anything unusual (dot segments,
 * backslashes, absolute-form) through the URL parser, so ctx.path always equals url.pathname.
 */
class ServerContext implements RequestContext {
  readonly receivedAt = Date.now();
  readonly annotations: AuditAnnotations = {};
  readonly warnings: string[] = [];
  path: string;
  cluster?: string;
  clusterMissing?: boolean;
  handle?: ClusterHandle;
  info?: RequestInfo;
  user?: UserInfo;
  impersonator?: UserInfo;
  credentialId?: string;
  restrictions?: CredentialRestrictions;
  authn?: AuthnResult;
  responseCode?: number;
  private parsed?: URL;

  constructor(readonly req: IncomingMessage, readonly res: ServerResponse, readonly upgrade?: Upgrade) {
    const raw = req.url ?? '/';
    const end = raw.search(/[?#]/);
    const p = end < 0 ? raw : raw.slice(0, end);
    this.path = p.startsWith('/') && !UNUSUAL_PATH.test(p) ? p : this.url.pathname;
  }

  get url(): URL {
    return (this.parsed ??= new URL(this.req.url ?? '/', BASE));
  }
}

/**
 * The client's connection: the TLS socket for HTTP/1.1, the HTTP/2 session's socket for a stream (its req.socket is
 * a per-stream proxy). One object per connection, so per-connection caches (peer certificate checks, audit memos)
 * hold across the streams an HTTP/2 client multiplexes.
 */
export function connectionOf(req: IncomingMessage): Socket {
  const stream = (req as unknown as { stream?: { session?: { socket?: Socket } } }).stream;
  return stream?.session?.socket ?? req.socket;
}

/**
 * Header values by lower-case name, in arrival order (IncomingMessage.headersDistinct). HTTP/2 requests do not
 * have it; it is built from their raw headers, without the pseudo-headers.
 */
export function headersDistinct(req: IncomingMessage): Record<string, string[]> {
  if (req.headersDistinct) return req.headersDistinct as Record<string, string[]>;
  return rawHeadersDistinct(req.rawHeaders);
}

/** Raw headers (name and value alternating) by lower-case name, in arrival order, without pseudo-headers. */
export function rawHeadersDistinct(raw: readonly string[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i].toLowerCase();
    if (name.startsWith(':')) continue;
    (out[name] ??= []).push(raw[i + 1]);
  }
  return out;
}

/** The Host of the request: the Host header (HTTP/1.1) or the :authority pseudo-header (HTTP/2). */
export function requestHost(req: IncomingMessage): string {
  return String(req.headers.host ?? req.headers[':authority'] ?? '');
}

export function newContext(req: IncomingMessage, res: ServerResponse, upgrade?: Upgrade): RequestContext {
  return new ServerContext(req, res, upgrade);
}

export function clusterFrom(ctx: RequestContext): string {
  if (!ctx.cluster) throw internal('logical cluster not resolved for request');
  return ctx.cluster;
}
export function infoFrom(ctx: RequestContext): RequestInfo {
  if (!ctx.info) throw internal('request info not resolved for request');
  return ctx.info;
}
export function userFrom(ctx: RequestContext): UserInfo {
  if (!ctx.user) throw internal('request is not authenticated');
  return ctx.user;
}

const UNRESTRICTED: CredentialRestrictions = Object.freeze({});
/** What the request's credential restricts, as its authenticator established it (empty: nothing). */
export function restrictionsFrom(ctx: RequestContext): CredentialRestrictions {
  return ctx.restrictions ?? UNRESTRICTED;
}

/**
 * A filter: does its part and calls next() to continue the chain (or throws a StatusError). Filters with
 * nothing to do after the handler return next() from a plain function (no async frame, no extra promise per
 * request) and may throw synchronously; the recovery filter turns both kinds of failure into a Status.
 */
export type Filter = (ctx: RequestContext, next: () => Promise<void>) => Promise<void>;
/** The end of the chain. */
export type Handler = (ctx: RequestContext) => Promise<void>;
