// One connected cluster's upstream: its URL, TLS trust and credential (a bearer token or a client certificate),
// a keep-alive agent whose connections pass the SSRF address policy, and the calls Portcullis makes as itself.
import https from 'node:https';
import dns from 'node:dns';
import net from 'node:net';
import type { LookupFunction } from 'node:net';
import { forbiddenAddress, type SelfAddress } from '../admission/index.ts';

export interface UpstreamCredential { token?: string; certPem?: string; keyPem?: string }
export interface UpstreamConfig { name: string; server: string; caPem?: string; tlsServerName?: string; credential: UpstreamCredential }

/** Largest JSON body Portcullis reads from an upstream for its own calls (version, bindings). */
const MAX_OWN_BODY = 8 * 1024 * 1024;

export class UpstreamError extends Error {}

export class Upstream {
  readonly base: URL;
  readonly agent: https.Agent;
  /** Why the upstream's address is refused (IP literal checked up front; names are checked on every lookup). */
  readonly refused?: string;
  private readonly lookup: LookupFunction;

  constructor(readonly cfg: UpstreamConfig, self: SelfAddress | undefined, readonly connectTimeoutMs: number) {
    this.base = new URL(cfg.server);
    const port = Number(this.base.port || 443);
    const literal = this.base.hostname.replace(/^\[|\]$/g, '');
    const why = net.isIP(literal) ? forbiddenAddress(literal, port, self) : undefined;
    if (why) this.refused = `address ${literal} refused: ${why}`;
    this.lookup = guardedLookup(port, self);
    this.agent = new https.Agent({ keepAlive: true, ...this.tls(), lookup: this.lookup });
  }

  /** TLS options for a connection to the upstream (the agent's, and upgrade requests' own connections). */
  tls(): { ca?: string; servername?: string; cert?: string; key?: string; ALPNProtocols: string[] } {
    const c = this.cfg.credential;
    return {
      ...(this.cfg.caPem ? { ca: this.cfg.caPem } : {}),
      ...(this.cfg.tlsServerName ? { servername: this.cfg.tlsServerName } : {}),
      ...(c.certPem && c.keyPem ? { cert: c.certPem, key: c.keyPem } : {}),
      // HTTP/1.1 only: upgrades (exec, port-forward) need it and each watch keeps its own connection.
      ALPNProtocols: ['http/1.1'],
    };
  }

  /** The upstream path for a path of the fronted cluster (the URL may carry a prefix, e.g. another /clusters/x). */
  path(p: string): string {
    const prefix = this.base.pathname.replace(/\/+$/, '');
    return `${prefix}${p}`;
  }

  /** Portcullis' own credential on a request to the upstream. */
  authHeaders(): Record<string, string> {
    return this.cfg.credential.token ? { authorization: `Bearer ${this.cfg.credential.token}` } : {};
  }

  /** Options for https.request to `pathAndQuery` (already prefixed by path()). */
  options(method: string, pathAndQuery: string, headers: Record<string, string | string[]>, upgrade = false): https.RequestOptions {
    return {
      protocol: 'https:', hostname: this.base.hostname.replace(/^\[|\]$/g, ''), port: this.base.port || 443, method, path: pathAndQuery,
      headers: { ...headers, ...this.authHeaders() },
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

  close(): void { this.agent.destroy(); }
}

/** DNS lookup that refuses link-local, unspecified and multicast addresses and Portcullis' own listener. */
function guardedLookup(port: number, self: SelfAddress | undefined): LookupFunction {
  return (host, opts, cb) => {
    dns.lookup(host, { ...opts, all: true }, (err, addrs) => {
      if (err) return cb(err, '', 0);
      const list = addrs as dns.LookupAddress[];
      for (const a of list) {
        const why = forbiddenAddress(a.address, port, self);
        if (why) return cb(Object.assign(new Error(`address ${a.address} refused: ${why}`), { code: 'EADDRREFUSED' }), '', 0);
      }
      if ((opts as { all?: boolean }).all) return (cb as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, list);
      cb(null, list[0].address, list[0].family);
    });
  };
}
