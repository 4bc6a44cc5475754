// End-to-end harness: starts a real Portcullis server on a free port with a temporary data dir,
// and runs the real kubectl against it with its own HOME and discovery cache.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { parse as parseYaml, stringify } from 'yaml';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/server/config.ts';
import { startServer, type RunningServer } from '../../src/server/server.ts';

export interface Harness {
  server: RunningServer;
  dir: string;
  kubeconfig: string;
  kubectl(args: string[], opts?: { input?: string; kubeconfig?: string; allowFail?: boolean; timeoutMs?: number }): Promise<KubectlResult>;
  writeFile(name: string, text: string): string;
  /** A copy of the admin kubeconfig whose user is replaced (e.g. { token }), for a context (default root). */
  kubeconfigFor(user: Record<string, unknown>, context?: string): string;
  close(): Promise<void>;
}
export interface KubectlResult { code: number; stdout: string; stderr: string }

export async function startHarness(opts: { dataDir?: string } = {}): Promise<Harness> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'portcullis-e2e-'));
  const dataDir = opts.dataDir ?? path.join(dir, 'data');
  const logs: string[] = [];
  const server = await startServer(loadConfig({ dataDir, listen: '127.0.0.1:0' }), (m) => logs.push(m));
  const home = path.join(dir, 'home');
  let users = 0;
  const h: Harness = {
    server, dir, kubeconfig: server.adminKubeconfigPath,
    kubectl(args, o = {}) {
      return runKubectl(args, { home, kubeconfig: o.kubeconfig ?? server.adminKubeconfigPath, input: o.input, timeoutMs: o.timeoutMs }).then((r) => {
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

export function runKubectl(args: string[], o: { home: string; kubeconfig: string; input?: string; timeoutMs?: number }): Promise<KubectlResult> {
  return new Promise((resolve) => {
    const child = execFile('kubectl', ['--kubeconfig', o.kubeconfig, '--cache-dir', path.join(o.home, 'cache'), ...args], {
      env: { ...process.env, HOME: o.home, KUBECONFIG: o.kubeconfig },
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
