// HTTP/2 to an upstream that offers it (ALPN h2, as kube-apiserver and Portcullis do): one session carries the short
// requests of all users, so concurrent requests share one TLS connection. Until the session is up, and for upstreams
// that answer with HTTP/1.1, callers use HTTP/1.1; long-lived requests (watches, follows, upgrades) always do, so they
// never hold the session's stream slots.
import http2 from 'node:http2';
import type { LookupFunction } from 'node:net';

/** How long a failed attempt keeps HTTP/2 off before the next one. */
const RETRY_MS = 30_000;

export class UpstreamH2 {
  private session?: http2.ClientHttp2Session;
  private connecting = false;
  /** The upstream answered with HTTP/1.1: no further attempts for this upstream. */
  private http1Only = false;
  private retryAt = 0;
  private closed = false;

  constructor(private readonly origin: string, private readonly tls: Record<string, unknown>, private readonly lookup: LookupFunction,
    private readonly connectTimeoutMs: number) {}

  /** The session when HTTP/2 is up; otherwise undefined (and, when allowed, an attempt starts in the background). */
  ready(): http2.ClientHttp2Session | undefined {
    const s = this.session;
    if (s && !s.closed && !s.destroyed) return s;
    this.session = undefined;
    if (!this.connecting && !this.http1Only && !this.closed && Date.now() >= this.retryAt) this.connect();
    return undefined;
  }

  close(): void {
    this.closed = true;
    this.session?.close();
    this.session = undefined;
  }

  private connect(): void {
    this.connecting = true;
    const s = http2.connect(this.origin, { ...this.tls, lookup: this.lookup });
    const give = (ok: boolean) => {
      if (!this.connecting) return;
      this.connecting = false;
      clearTimeout(timer);
      if (ok && !this.closed) { this.session = s; return; }
      if (!ok) this.retryAt = Date.now() + RETRY_MS;
      s.destroy();
    };
    const timer = setTimeout(() => give(false), this.connectTimeoutMs);
    s.once('connect', () => {
      if (s.alpnProtocol !== 'h2') this.http1Only = true;
      give(s.alpnProtocol === 'h2');
    });
    s.on('error', (e: NodeJS.ErrnoException) => {
      // The upstream does not offer h2 (Node's own HTTPS servers answer the h2-only offer with this alert).
      if (e.code === 'ERR_SSL_TLSV1_ALERT_NO_APPLICATION_PROTOCOL') this.http1Only = true;
      give(false);
    });
    // A GOAWAY or a closed connection ends this session; the next request starts another.
    s.once('goaway', () => { if (this.session === s) this.session = undefined; s.close(); });
    s.once('close', () => { if (this.session === s) this.session = undefined; give(false); });
    s.unref();
  }
}
