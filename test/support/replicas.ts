// Test support for multi-replica runs: starts `portcullis serve` as a child process, talks to it over HTTPS with
// its admin client certificate (requests and raw watch streams), and runs kubectl against it.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { runKubectl, type KubectlResult } from './harness.ts';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface Creds { ca: string; cert: string; key: string }
export interface HttpResult { status: number; body: Record<string, unknown> }
export interface WatchEvent { type: string; object: { metadata: { name: string; resourceVersion: string }; [k: string]: unknown } }

export interface Replica {
  name: string;
  dataDir: string;
  url: string;
  pid: number;
  kubeconfig: string;
  logs: string[];
  creds: Creds;
  exited: Promise<number | null>;
  request(method: string, urlPath: string, body?: unknown, creds?: Creds | { token: string }): Promise<HttpResult>;
  watch(urlPath: string): HttpWatch;
  kubectl(args: string[], opts?: { kubeconfig?: string; allowFail?: boolean }): Promise<KubectlResult>;
  /** SIGTERM (graceful) or SIGKILL. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** Reads the CA and client certificate from an admin kubeconfig. */
export function credsFrom(kubeconfig: string): Creds {
  const doc = parseYaml(readFileSync(kubeconfig, 'utf8')) as {
    clusters: Array<{ cluster: Record<string, string> }>; users: Array<{ user: Record<string, string> }>;
  };
  const b64 = (s: string) => Buffer.from(s, 'base64').toString('utf8');
  return {
    ca: b64(doc.clusters[0].cluster['certificate-authority-data']),
    cert: b64(doc.users[0].user['client-certificate-data']),
    key: b64(doc.users[0].user['client-key-data']),
  };
}

export async function startReplica(opts: { name: string; store: string; dataDir: string; home: string; args?: string[] }): Promise<Replica> {
  const child: ChildProcess = spawn(process.execPath, ['bin/portcullis.mjs', 'serve', '--store', opts.store, '--data-dir', opts.dataDir, '--listen', '127.0.0.1:0', ...(opts.args ?? [])], {
    cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.stderr!.on('data', (d: Buffer) => logs.push(...String(d).split('\n').filter(Boolean)));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${opts.name} did not start:\n${logs.join('\n')}`)), 60_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += String(d);
      const m = /serving on (https:\/\/\S+)/.exec(out);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    void exited.then((code) => { clearTimeout(timer); reject(new Error(`${opts.name} exited (${code}):\n${logs.join('\n')}`)); });
  });
  const kubeconfig = path.join(opts.dataDir, 'admin.kubeconfig');
  const creds = credsFrom(kubeconfig);
  const base = new URL(url);

  const request = (method: string, urlPath: string, body?: unknown, as: Creds | { token: string } = creds): Promise<HttpResult> =>
    new Promise((resolve, reject) => {
      const data = body === undefined ? undefined : JSON.stringify(body);
      const tls = 'token' in as ? { ca: creds.ca } : { ca: as.ca, cert: as.cert, key: as.key };
      const req = https.request({
        host: base.hostname, port: base.port, path: urlPath, method, ...tls, agent: false,
        headers: {
          Accept: 'application/json',
          ...(data ? { 'Content-Type': method === 'PATCH' ? 'application/merge-patch+json' : 'application/json', 'Content-Length': Buffer.byteLength(data) } : {}),
          ...('token' in as ? { Authorization: `Bearer ${as.token}` } : {}),
        },
      }, (res) => {
        let text = '';
        res.on('data', (c: Buffer) => { text += String(c); });
        res.on('end', () => {
          let parsed: Record<string, unknown> = {};
          try { parsed = text ? JSON.parse(text) as Record<string, unknown> : {}; } catch { parsed = { raw: text }; }
          resolve({ status: res.statusCode ?? 0, body: parsed });
        });
      });
      req.on('error', reject);
      req.end(data);
    });

  return {
    name: opts.name, dataDir: opts.dataDir, url, pid: child.pid!, kubeconfig, logs, creds, exited, request,
    watch: (urlPath) => new HttpWatch(base, creds, urlPath),
    kubectl(args, o = {}) {
      return runKubectl(args, { home: opts.home, kubeconfig: o.kubeconfig ?? kubeconfig }).then((r) => {
        if (r.code !== 0 && !o.allowFail) throw new Error(`kubectl ${args.join(' ')} on ${opts.name} failed (${r.code}):\n${r.stderr}\n${logs.slice(-20).join('\n')}`);
        return r;
      });
    },
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}

/** A raw watch stream (newline-delimited JSON events) over HTTPS; start it from a listed resourceVersion. */
export class HttpWatch {
  readonly events: WatchEvent[] = [];
  ended = false;
  private readonly req: ReturnType<typeof https.request>;

  constructor(base: URL, creds: Creds, urlPath: string) {
    let buf = '';
    this.req = https.request({ host: base.hostname, port: base.port, path: urlPath, ...creds, agent: false, headers: { Accept: 'application/json' } }, (res) => {
      res.on('data', (c: Buffer) => {
        buf += String(c);
        let i: number;
        while ((i = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, i).trim();
          buf = buf.slice(i + 1);
          if (line) this.events.push(JSON.parse(line) as WatchEvent);
        }
      });
      res.on('end', () => { this.ended = true; });
      res.on('error', () => { this.ended = true; });
    });
    this.req.on('error', () => { this.ended = true; });
    this.req.end();
  }

  close(): void { this.req.destroy(); }
}

export async function eventually<T>(f: () => T | undefined | false | Promise<T | undefined | false>, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
