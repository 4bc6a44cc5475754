// End-to-end harness: starts a real Portcullis server on a free port with a temporary data dir,
// and runs the real kubectl against it with its own HOME and discovery cache.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { parse as parseYaml, stringify } from 'yaml';
import os from 'node:os';
import https from 'node:https';
import path from 'node:path';
import { loadConfig, type ServerConfig } from '../../src/server/config.ts';
import { startServer, type RunningServer } from '../../src/server/server.ts';
import type { ServerModule } from '../../src/apiserver/extension.ts';

export interface Harness {
  server: RunningServer;
  dir: string;
  /** Everything the server logged so far. */
  logs: string[];
  kubeconfig: string;
  kubectl(args: string[], opts?: { input?: string; kubeconfig?: string; allowFail?: boolean; timeoutMs?: number; env?: Record<string, string> }): Promise<KubectlResult>;
  writeFile(name: string, text: string): string;
  /** An HTTPS request as the admin (client certificate), or with the given headers (e.g. a bearer token and no cert). */
  request(method: string, path: string, opts?: { headers?: Record<string, string>; body?: unknown; anonymous?: boolean }): Promise<HttpResult>;
  /** A copy of the admin kubeconfig whose user is replaced (e.g. { token }), for a context (default root). */
  kubeconfigFor(user: Record<string, unknown>, context?: string): string;
  close(): Promise<void>;
}
export interface KubectlResult { code: number; stdout: string; stderr: string }
export interface HttpResult { status: number; headers: Record<string, string | string[] | undefined>; body: string; json(): any }

export async function startHarness(opts: { dataDir?: string; config?: Partial<ServerConfig>; modules?: ServerModule[] } = {}): Promise<Harness> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'portcullis-e2e-'));
  const dataDir = opts.dataDir ?? path.join(dir, 'data');
  const logs: string[] = [];
  const server = await startServer({ ...loadConfig({ dataDir, listen: '127.0.0.1:0' }), ...opts.config }, (m) => logs.push(m), opts.modules);
  const home = path.join(dir, 'home');
  let users = 0;
  const h: Harness = {
    server, dir, logs, kubeconfig: server.adminKubeconfigPath,
    kubectl(args, o = {}) {
      return runKubectl(args, { home, kubeconfig: o.kubeconfig ?? server.adminKubeconfigPath, input: o.input, timeoutMs: o.timeoutMs, env: o.env }).then((r) => {
        if (r.code !== 0 && !o.allowFail) {
          throw new Error(`kubectl ${args.join(' ')} failed (${r.code}):\n${r.stderr}\n${r.stdout}\nserver log:\n${logs.slice(-20).join('\n')}`);
        }
        return r;
      });
    },
    writeFile(name, text) {
      const p = path.join(dir, name);
      writeFileSync(p, text);
      return p;
    },
    request(method, reqPath, o = {}) {
      const doc = parseYaml(readFileSync(server.adminKubeconfigPath, 'utf8')) as { users: Array<{ user: Record<string, string> }> };
      const u = doc.users[0].user;
      const body = o.body === undefined ? undefined : typeof o.body === 'string' ? o.body : JSON.stringify(o.body);
      return new Promise((resolve, reject) => {
        const req = https.request(`${server.url}${reqPath}`, {
          method, ca: server.pki.caCertPem,
          ...(o.anonymous ? {} : { cert: Buffer.from(u['client-certificate-data'], 'base64'), key: Buffer.from(u['client-key-data'], 'base64') }),
          // Content-Length always: Node sends DELETE bodies without any framing otherwise.
          headers: { ...(body !== undefined ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) } : {}), ...(o.headers ?? {}) },
        }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString();
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text, json: () => JSON.parse(text) });
          });
        });
        req.on('error', reject);
        req.end(body);
      });
    },
    kubeconfigFor(user, context = 'root') {
      const doc = parseYaml(readFileSync(server.adminKubeconfigPath, 'utf8')) as { users: unknown[]; contexts: Array<{ name: string; context: { user: string } }>; 'current-context': string };
      const name = `u${++users}`;
      doc.users = [{ name, user }];
      for (const c of doc.contexts) c.context.user = name;
      doc['current-context'] = context;
      return h.writeFile(`${name}.kubeconfig`, stringify(doc));
    },
    async close() {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return h;
}

/** Runs kubectl (or another kubectl binary, e.g. kubectl.1.27 beside it) with its own HOME and discovery cache. */
export function runKubectl(args: string[], o: { home: string; kubeconfig: string; input?: string; timeoutMs?: number; binary?: string; env?: Record<string, string> }): Promise<KubectlResult> {
  return new Promise((resolve) => {
    const child = execFile(o.binary ?? 'kubectl', ['--kubeconfig', o.kubeconfig, '--cache-dir', path.join(o.home, 'cache'), ...args], {
      env: { ...process.env, ...o.env, HOME: o.home, KUBECONFIG: o.kubeconfig },
      timeout: o.timeoutMs ?? 60_000,
      maxBuffer: 16 * 1024 * 1024,
    }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
    if (o.input !== undefined) child.stdin?.end(o.input);
    else child.stdin?.end();
  });
}
