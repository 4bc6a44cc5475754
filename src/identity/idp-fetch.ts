// The only way Portcullis talks to an identity provider: HTTPS (http only where explicitly allowed, for tests), the
// IdP's own CA bundle when configured, a time limit and a response-size limit, as a fetch() for openid-client and jose.
import https from 'node:https';
import http from 'node:http';

export type IdpFetch = (url: string | URL, init?: {
  method?: string; headers?: Headers | Record<string, string> | Array<[string, string]>; body?: unknown; signal?: AbortSignal | null; redirect?: string;
}) => Promise<Response>;

export interface IdpFetchOptions {
  /** PEM bundle trusted for the IdP (default: Node's built-in roots). */
  caPem?: string;
  timeoutMs?: number;
  maxResponseBytes?: number;
  /** Plain http (tests of a loopback provider only). */
  allowHttp?: boolean;
}

function bodyBytes(body: unknown): Buffer | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string') return Buffer.from(body);
  if (body instanceof URLSearchParams) return Buffer.from(body.toString());
  if (body instanceof Uint8Array) return Buffer.from(body);
  if (body instanceof ArrayBuffer) return Buffer.from(body);
  throw new Error('unsupported request body for the identity provider');
}

/** A fetch() bound to one IdP's trust settings. Errors say which URL failed and why, never what was sent. */
export function createIdpFetch(o: IdpFetchOptions = {}): IdpFetch {
  const timeoutMs = o.timeoutMs ?? 10_000;
  const max = o.maxResponseBytes ?? 1024 * 1024;
  const agent = new https.Agent({ ca: o.caPem || undefined, keepAlive: true, maxSockets: 16, timeout: timeoutMs });
  return (input, init = {}) => new Promise<Response>((resolve, reject) => {
    const url = new URL(String(input));
    if (url.protocol !== 'https:' && !(o.allowHttp && url.protocol === 'http:')) {
      reject(new Error(`refusing to contact ${url.origin}: identity providers are reached over https only`));
      return;
    }
    const headers = new Headers(init.headers);
    const payload = bodyBytes(init.body);
    if (payload) headers.set('content-length', String(payload.length));
    const where = `${url.origin}${url.pathname}`;
    const mod = url.protocol === 'https:' ? https : http;
    const req = mod.request(url, {
      method: init.method ?? 'GET', headers: Object.fromEntries(headers.entries()),
      ...(url.protocol === 'https:' ? { agent } : {}), signal: init.signal ?? undefined,
    }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > max) { req.destroy(new Error(`response from ${where} is larger than ${max} bytes`)); return; }
        chunks.push(c);
      });
      res.on('end', () => {
        const status = res.statusCode ?? 500;
        const h = new Headers();
        for (const [k, v] of Object.entries(res.headers)) {
          if (v === undefined) continue;
          for (const one of Array.isArray(v) ? v : [v]) h.append(k, one);
        }
        const nullBody = status === 204 || status === 304 || (status >= 100 && status < 200);
        resolve(new Response(nullBody ? null : Buffer.concat(chunks), { status, statusText: res.statusMessage, headers: h }));
      });
      res.on('error', (e) => reject(new Error(`reading ${where}: ${e.message}`)));
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer from ${where} within ${timeoutMs} ms`)));
    req.on('error', (e) => reject(new Error(`cannot reach ${where}: ${e.message}`)));
    req.end(payload);
  });
}

/** A readable one-line reason for a failed IdP call (openid-client and jose wrap the network error as `cause`). */
export function describeError(e: unknown): string {
  const parts: string[] = [];
  let cur: unknown = e;
  for (let i = 0; cur instanceof Error && i < 4; i++) {
    const err = cur as Error & { error?: string; error_description?: string; status?: number };
    const oauth = err.error ? `${err.error}${err.error_description ? `: ${err.error_description}` : ''}` : undefined;
    const text = oauth ? `${oauth}${err.status ? ` (HTTP ${err.status})` : ''}` : err.message;
    if (text && !parts.includes(text) && text !== 'something went wrong') parts.push(text);
    cur = err.cause;
  }
  return parts.join(': ') || String(e);
}
