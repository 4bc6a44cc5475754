// Raw HTTPS requests for the security suites: any headers (bearer, cookie, origin), an optional client certificate,
// no credentials at all, and the response headers (Retry-After, Set-Cookie).
import https from 'node:https';

export interface RawResponse { status: number; headers: Record<string, string | string[] | undefined>; body: string; json(): any }
export interface RawOptions { body?: unknown; headers?: Record<string, string>; cert?: { certPem: string; keyPem: string } }

export function rawRequest(base: string, ca: string, method: string, p: string, o: RawOptions = {}): Promise<RawResponse> {
  const text = o.body === undefined ? undefined : JSON.stringify(o.body);
  return new Promise((resolve, reject) => {
    const req = https.request(`${base}${p}`, {
      method, ca, ...(o.cert ? { cert: o.cert.certPem, key: o.cert.keyPem } : {}),
      headers: { ...(text !== undefined ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) } : {}), ...o.headers },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString();
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json: () => JSON.parse(body) });
      });
    });
    req.on('error', reject);
    req.end(text);
  });
}

/** The Status message with every occurrence of `name` replaced, to compare answers about different names. */
export function shape(r: RawResponse, ...names: string[]): string {
  let m = r.body;
  for (const n of names) m = m.split(n).join('<name>');
  return `${r.status} ${m}`;
}
