// Runs `portcullis serve` as a child process (for kill -9 and multi-replica tests) and talks to it over
// HTTPS with the admin client certificate from its kubeconfig.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';

const BIN = path.resolve(import.meta.dirname, '../../bin/portcullis.mjs');

export interface ChildServer {
  proc: ChildProcess;
  url: string;
  kubeconfig: string;
  output(): string;
  request(method: string, p: string, body?: unknown): Promise<{ status: number; body: string; json(): any }>;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export async function startChildServer(args: string[], opts: { timeoutMs?: number; env?: Record<string, string>; nodeArgs?: string[] } = {}): Promise<ChildServer> {
  const proc = spawn(process.execPath, [...(opts.nodeArgs ?? []), BIN, 'serve', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...(opts.env ?? {}) } });
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
  proc.stderr!.on('data', (d: Buffer) => { out += d.toString(); });
  const started = await new Promise<{ url: string; kubeconfig: string }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), opts.timeoutMs ?? 30_000);
    const check = () => {
      const url = /Portcullis is serving on (\S+)/.exec(out)?.[1];
      const kc = /Admin kubeconfig: (\S+)/.exec(out)?.[1];
      if (url && kc) { clearTimeout(timer); resolve({ url, kubeconfig: kc }); }
    };
    proc.stdout!.on('data', check);
    proc.on('exit', (code) => { clearTimeout(timer); reject(new Error(`server exited (${code}):\n${out}`)); });
  });
  const doc = parseYaml(readFileSync(started.kubeconfig, 'utf8')) as { users: Array<{ user: Record<string, string> }>; clusters: Array<{ cluster: Record<string, string> }> };
  const u = doc.users[0].user;
  const ca = Buffer.from(doc.clusters[0].cluster['certificate-authority-data'], 'base64');
  const agent = new https.Agent({ keepAlive: true, ca, cert: Buffer.from(u['client-certificate-data'], 'base64'), key: Buffer.from(u['client-key-data'], 'base64') });
  return {
    proc, url: started.url, kubeconfig: started.kubeconfig,
    output: () => out,
    request(method, p, body) {
      const text = body === undefined ? undefined : JSON.stringify(body);
      return new Promise((resolve, reject) => {
        const req = https.request(`${started.url}${p}`, { method, agent, headers: text ? { 'content-type': 'application/json' } : {} }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => { const t = Buffer.concat(chunks).toString(); resolve({ status: res.statusCode ?? 0, body: t, json: () => JSON.parse(t) }); });
        });
        req.on('error', reject);
        req.end(text);
      });
    },
    kill(signal = 'SIGKILL') {
      agent.destroy();
      if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
      return new Promise((resolve) => { proc.once('exit', () => resolve()); proc.kill(signal); });
    },
  };
}
