// Helpers for the connected-cluster suites: a free port, kubeconfigs whose server is a connected cluster's path, and
// client-certificate credentials of the front Portcullis, raw upgrade requests, and kubectl port-forward in the background.
import { spawn } from 'node:child_process';
import net from 'node:net';
import https from 'node:https';
import path from 'node:path';
import tls from 'node:tls';
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

/** Sends one upgrade request to the front server over its own TLS connection; resolves with the response's head. */
export function rawUpgrade(h: Harness, method: string, p: string, headers: Record<string, string>, who?: Cert | { token: string }): Promise<string> {
  return new Promise((resolve, reject) => {
    const lines = [`${method} ${p} HTTP/1.1`, 'Host: x', 'Connection: Upgrade', ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
    if (who && 'token' in who) lines.push(`Authorization: Bearer ${who.token}`);
    const s = tls.connect({
      host: '127.0.0.1', port: Number(new URL(h.server.url).port), ca: h.server.pki.caCertPem, ALPNProtocols: ['http/1.1'],
      ...(who && !('token' in who) ? { cert: who.certPem, key: who.keyPem } : {}),
    }, () => s.write(`${lines.join('\r\n')}\r\n\r\n`));
    let out = '';
    s.on('data', (d: Buffer) => { out += d.toString('latin1'); if (out.includes('\r\n\r\n')) { s.destroy(); resolve(out); } });
    s.on('error', reject);
    s.on('close', () => resolve(out));
  });
}

/** `kubectl port-forward pod/<pod> :<port>` running in the background; resolves once it listens, with its local port. */
export function portForward(h: Harness, kubeconfig: string, pod: string, port: number, env: Record<string, string> = {}): Promise<{ port: number; stop(): Promise<void> }> {
  const home = path.join(h.dir, 'home-port-forward');
  const child = spawn('kubectl', ['--kubeconfig', kubeconfig, '--cache-dir', path.join(home, 'cache'), 'port-forward', '-n', 'default', `pod/${pod}`, `:${port}`], {
    env: { ...process.env, ...env, HOME: home, KUBECONFIG: kubeconfig }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => { child.kill('SIGTERM'); await exited; };
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /Forwarding from 127\.0\.0\.1:(\d+) ->/.exec(out);
      if (m) resolve({ port: Number(m[1]), stop });
    });
    child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    void exited.then(() => reject(new Error(`kubectl port-forward exited: ${err}`)));
  });
}

/** Writes `text` to a local TCP port, half-closes once `expect` has come back, and resolves with all it read. */
export function tcpRoundTrip(port: number, text: string, expect: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => s.write(text));
    let out = '';
    s.on('data', (d: Buffer) => { out += d.toString(); if (out.includes(expect)) s.end(); });
    s.on('error', reject);
    s.on('close', () => resolve(out));
  });
}

/** User alice, project payments and ConnectedCluster "edge" (alice: edit there) fronting `server` with token auth. */
export async function connectEdge(h: Harness, server: string, caData: string): Promise<void> {
  await h.kubectl(['apply', '-f', '-'], { input: [
    { apiVersion: 'management.portcullis.io/v1', kind: 'User', metadata: { name: 'alice' }, spec: {} },
    { apiVersion: 'management.portcullis.io/v1', kind: 'Project', metadata: { name: 'payments' }, spec: {} },
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'portcullis-connected-clusters' } },
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'edge', namespace: 'portcullis-connected-clusters' }, stringData: { token: 'upstream-secret-token' } },
    { apiVersion: 'management.portcullis.io/v1', kind: 'ConnectedCluster', metadata: { name: 'edge' },
      spec: { project: 'payments', server, caData, access: { rules: [{ users: ['alice'], clusterRole: 'edit' }] } } },
  ].map((o) => stringify(o)).join('---\n') });
  await h.server.settle();
}
