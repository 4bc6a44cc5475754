// One connected cluster's upstream: its URL, TLS trust and credential (a bearer token or a client certificate),
// a keep-alive agent whose connections pass the SSRF address policy, and the calls Portcullis makes as itself.
import https from 'node:https';
import net from 'node:net';
import type { LookupFunction } from 'node:net';
import { forbiddenAddress, guardedLookup, type SelfAddress } from '../admission/index.ts';
import { UpstreamH2 } from './upstream-h2.ts';

export interface UpstreamCredential { token?: string; certPem?: string; keyPem?: string }
export interface UpstreamConfig { name: string; server: string; caPem?: string; tlsServerName?: string; credential: UpstreamCredential }

/** Largest JSON body Portcullis reads from an upstream for its own calls (version, bindings). */
const MAX_OWN_BODY = 8 * 1024 * 1024;

export class UpstreamError extends Error {}

/**
 * The keep-alive agent of one upstream. Every request it carries has the same host, port and TLS options, so its pool
 * key is computed once: Node's https.Agent otherwise concatenates the CA, certificate and key PEMs into a new key
 * string on every request (and hashes it for the pool lookup).
 */
class UpstreamAgent extends https.Agent {
  private name?: string;
  override getName(options?: https.RequestOptions): string { return (this.name ??= super.getName(options)); }
}

export class Upstream {
  readonly base: URL;
  private readonly hostname: string;
  private readonly port: string | number;
  private readonly prefix: string;
  readonly agent: https.Agent;
  /** HTTP/2 for short requests, when the upstream offers it. */
  readonly h2: UpstreamH2;
  /** Portcullis' own credential as a header value (bearer token), if it authenticates with one. */
  private readonly authorization?: string;
  /** Why the upstream's address is refused (IP literal checked up front; names are checked on every lookup). */
  readonly refused?: string;
  private readonly lookup: LookupFunction;

  constructor(readonly cfg: UpstreamConfig, self: SelfAddress | undefined, readonly connectTimeoutMs: number) {
    this.base = new URL(cfg.server);
    const port = Number(this.base.port || 443);
    this.hostname = this.base.hostname.replace(/^\[|\]$/g, '');
    this.port = this.base.port || 443;
    this.prefix = this.base.pathname.replace(/\/+$/, '');
    const literal = this.base.hostname.replace(/^\[|\]$/g, '');
    const why = net.isIP(literal) ? forbiddenAddress(literal, port, self) : undefined;
    if (why) this.refused = `address ${literal} refused: ${why}`;
    this.lookup = guardedLookup(port, self);
    this.agent = new UpstreamAgent({ keepAlive: true, noDelay: true, ...this.tls(), lookup: this.lookup });
    if (cfg.credential.token) this.authorization = `Bearer ${cfg.credential.token}`;
    const { ALPNProtocols: _h1, ...tls } = this.tls();
    this.h2 = new UpstreamH2(this.base.origin, tls, this.lookup, connectTimeoutMs);
  }

  /** Portcullis' credential joins headers for an HTTP/2 request. */
  credentialHeaders(headers: Record<string, string | string[]>): Record<string, string | string[]> {
    if (this.authorization) headers.authorization = this.authorization;
    return headers;
  }

  /** TLS options for a connection to the upstream (the agent's, and upgrade requests' own connections). */
  tls(): { ca?: string; servername?: string; cert?: string; key?: string; ALPNProtocols: string[] } {
    const c = this.cfg.credential;
    return {
      ...(this.cfg.caPem ? { ca: this.cfg.caPem } : {}),
      ...(this.cfg.tlsServerName ? { servername: this.cfg.tlsServerName } : {}),
      ...(c.certPem && c.keyPem ? { cert: c.certPem, key: c.keyPem } : {}),
      // HTTP/1.1 here: upgrades (exec, port-forward) need it and each watch keeps its own connection (HTTP/2, for
      // short requests, is upstream-h2.ts).
      ALPNProtocols: ['http/1.1'],
    };
  }

  /** The upstream path for a path of the fronted cluster (the URL may carry a prefix, e.g. another /clusters/x). */
  path(p: string): string { return `${this.prefix}${p}`; }

  /** Options for https.request to `pathAndQuery` (already prefixed by path()); Portcullis' credential joins `headers`. */
  options(method: string, pathAndQuery: string, headers: Record<string, string | string[]>, upgrade = false): https.RequestOptions {
    if (this.authorization) headers.authorization = this.authorization;
    return {
      protocol: 'https:', hostname: this.hostname, port: this.port, method, path: pathAndQuery, headers,
      ...(upgrade ? { agent: false, ...this.tls(), lookup: this.lookup } : { agent: this.agent }),
    };
  }

  /** A call Portcullis makes as itself (status checks, role-mapping bindings): JSON in, JSON out. */
  call<T = unknown>(method: string, p: string, body?: unknown, timeoutMs = 10_000): Promise<{ status: number; body: T }> {
    if (this.refused) return Promise.reject(new UpstreamError(this.refused));
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers: Record<string, string> = { accept: 'application/json', ...(payload ? { 'content-type': 'application/json' } : {}) };
    return new Promise((resolve, reject) => {
      const req = https.request(this.options(method, this.path(p), headers), (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > MAX_OWN_BODY) { req.destroy(new UpstreamError('upstream response too large')); return; }
          chunks.push(c);
        });
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = text;
          try { parsed = text ? JSON.parse(text) : undefined; } catch { /* a non-JSON body is returned as text */ }
          resolve({ status: res.statusCode ?? 0, body: parsed as T });
        });
        res.on('error', reject);
      });
      req.setTimeout(timeoutMs, () => req.destroy(new UpstreamError(`no answer within ${timeoutMs} ms`)));
      req.on('error', (e) => reject(new UpstreamError(e.message)));
      req.end(payload);
    });
  }

  close(): void { this.agent.destroy(); this.h2.close(); }
}
