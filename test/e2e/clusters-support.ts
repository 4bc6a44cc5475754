// Helpers for the connected-cluster suites: a free port, kubeconfigs whose server is a connected cluster's path, and
// client-certificate credentials of the front Portcullis.
import net from 'node:net';
import https from 'node:https';
import { stringify } from 'yaml';
import type { Harness } from '../support/harness.ts';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => { const p = (s.address() as net.AddressInfo).port; s.close(() => resolve(p)); });
  });
}

export interface Cert { certPem: string; keyPem: string }

export async function certFor(h: Harness, name: string, groups: string[] = []): Promise<Cert> {
  return h.server.pki.issueClientCert({ commonName: name, organizations: groups, validitySeconds: 3600 });
}

/** A kubeconfig reaching /clusters/<cluster> of the front server with a client certificate or a token. */
export function kubeconfigTo(h: Harness, cluster: string, user: Cert | { token: string }, file: string): string {
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  const u = 'token' in user ? { token: user.token } : { 'client-certificate-data': b64(user.certPem), 'client-key-data': b64(user.keyPem) };
  return h.writeFile(file, stringify({
    apiVersion: 'v1', kind: 'Config', 'current-context': cluster,
    clusters: [{ name: cluster, cluster: { server: `${h.server.url}/clusters/${cluster}`, 'certificate-authority-data': b64(h.server.pki.caCertPem) } }],
    users: [{ name: 'u', user: u }],
    contexts: [{ name: cluster, context: { cluster, user: 'u' } }],
  }));
}

/** An HTTPS request to the front server as a certificate user or with a bearer token. */
export function call(h: Harness, method: string, p: string, who: Cert | { token: string }, body?: unknown): Promise<{ status: number; body: string; json(): any; headers: Record<string, unknown> }> {
  const text = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = https.request(`${h.server.url}${p}`, {
      method, ca: h.server.pki.caCertPem, agent: false,
      ...('token' in who ? {} : { cert: who.certPem, key: who.keyPem }),
      headers: { ...('token' in who ? { authorization: `Bearer ${who.token}` } : {}), ...(text ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) } : {}) },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => { const t = Buffer.concat(chunks).toString(); resolve({ status: res.statusCode ?? 0, body: t, json: () => JSON.parse(t), headers: res.headers }); });
    });
    req.on('error', reject);
    req.end(text);
  });
}
