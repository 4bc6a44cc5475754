// Helpers for the credentials e2e suites: a real server whose credentials module runs on a movable clock,
// bearer-token HTTPS requests, kubeconfigs for a token, and the portcullis CLI with its own login config.
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { loadConfig } from '../../src/server/config.ts';
import { startServer, type RunningServer } from '../../src/server/server.ts';
import { defaultModules } from '../../src/server/modules.ts';
import { credentialsModule, type CredentialsModule, type CredentialsModuleOptions } from '../../src/credentials/index.ts';
import { identityModule, type IdentityModule, type IdentityModuleOptions } from '../../src/identity/index.ts';
import { runKubectl, type KubectlResult } from '../support/harness.ts';

const BIN = path.resolve(import.meta.dirname, '../../bin/portcullis.mjs');

export interface Clock { now(): number; advance(ms: number): void }
export interface CredHarness {
  server: RunningServer;
  dir: string;
  dataDir: string;
  logs: string[];
  clock: Clock;
  mod: CredentialsModule;
  /** The identity module, on the same clock (no background refresh: tests call identity.api.refresher.pass()). */
  identity: IdentityModule;
  /** Stops the server (idempotent); the directory stays until close(). */
  stop(): Promise<void>;
  /** Path of the CLI config used by cli() (PORTCULLIS_CONFIG). */
  configFile: string;
  kubectl(args: string[], opts?: { kubeconfig?: string; input?: string; allowFail?: boolean }): Promise<KubectlResult>;
  request(method: string, p: string, o?: { token?: string; body?: unknown; admin?: boolean }): Promise<{ status: number; body: string; json(): any }>;
  /** A kubeconfig with a context per logical cluster using `user` (e.g. { token }). */
  kubeconfigFor(user: Record<string, unknown>, current: string): string;
  cli(args: string[], o?: { input?: string; env?: Record<string, string> }): Promise<KubectlResult>;
  writeFile(name: string, text: string): string;
  close(): Promise<void>;
}

export async function startCredHarness(o: {
  sessions?: CredentialsModuleOptions['sessions']; identity?: IdentityModuleOptions;
} = {}): Promise<CredHarness> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'portcullis-cred-'));
  const dataDir = path.join(dir, 'data');
  const logs: string[] = [];
  let offset = 0;
  const clock: Clock = { now: () => Date.now() + offset, advance: (ms) => { offset += ms; } };
  const mod = credentialsModule({ now: clock.now, lastUsedIntervalMs: 200, sessions: o.sessions });
  const identity = identityModule({ now: clock.now, refreshTickMs: 0, discoveryRetryMs: 500, jwksCooldownMs: 0, ...o.identity });
  const modules = defaultModules({ credentials: mod, identity });
  // the strictest audit level, so that the secret grep also covers request and response bodies
  const auditPolicyFile = path.join(dir, 'audit-policy.yaml');
  writeFileSync(auditPolicyFile, 'apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: RequestResponse\n');
  // debug: a structured line per request too, so the secret grep covers request logs
  const server = await startServer({ ...loadConfig({ dataDir, listen: '127.0.0.1:0' }), auditPolicyFile, logLevel: 'debug' }, (m) => logs.push(m), modules);
  let closed = false;
  const home = path.join(dir, 'home');
  const admin = server.pki.issueClientCert({ commonName: 'test-admin', organizations: ['system:masters'], validitySeconds: 3600 });
  const configFile = path.join(dir, 'portcullis', 'config.json');
  let n = 0;
  const h: CredHarness = {
    server, dir, dataDir, logs, clock, mod, identity, configFile,
    async kubectl(args, o = {}) {
      const r = await runKubectl(args, { home, kubeconfig: o.kubeconfig ?? server.adminKubeconfigPath, input: o.input });
      if (r.code !== 0 && !o.allowFail) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}):\n${r.stderr}\n${r.stdout}\nserver log:\n${logs.slice(-15).join('\n')}`);
      return r;
    },
    async request(method, p, o = {}) {
      const a = o.admin ? await admin : undefined;
      const text = o.body === undefined ? undefined : JSON.stringify(o.body);
      return new Promise((resolve, reject) => {
        const req = https.request(`${server.url}${p}`, {
          method, ca: server.pki.caCertPem, ...(a ? { cert: a.certPem, key: a.keyPem } : {}),
          headers: { ...(text ? { 'content-type': 'application/json' } : {}), ...(o.token ? { authorization: `Bearer ${o.token}` } : {}) },
        }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => { const body = Buffer.concat(chunks).toString(); resolve({ status: res.statusCode ?? 0, body, json: () => JSON.parse(body) }); });
        });
        req.on('error', reject);
        req.end(text);
      });
    },
    kubeconfigFor(user, current) {
      const ca = Buffer.from(server.pki.caCertPem).toString('base64');
      const names = server.clusters.names();
      return h.writeFile(`u${++n}.kubeconfig`, stringify({
        apiVersion: 'v1', kind: 'Config',
        clusters: names.map((c) => ({ name: c, cluster: { server: `${server.url}/clusters/${c}`, 'certificate-authority-data': ca } })),
        users: [{ name: 'u', user }],
        contexts: names.map((c) => ({ name: c, context: { cluster: c, user: 'u' } })),
        'current-context': current,
      }));
    },
    cli(args, o = {}) {
      return new Promise((resolve) => {
        const child = execFile(process.execPath, [BIN, ...args], {
          env: { ...process.env, HOME: home, PORTCULLIS_CONFIG: configFile, ...(o.env ?? {}) }, timeout: 60_000,
        }, (err, stdout, stderr) => {
          const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
          resolve({ code, stdout: String(stdout), stderr: String(stderr) });
        });
        child.stdin?.end(o.input ?? '');
      });
    },
    writeFile(name, text) {
      const p = path.join(dir, name);
      writeFileSync(p, text);
      return p;
    },
    async stop() {
      if (closed) return;
      closed = true;
      await server.close();
    },
    async close() {
      await h.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return h;
}

/** Platform users (with passwords), two projects and three tenant clusters used by the suites. */
export const PLATFORM_SETUP = `
apiVersion: management.portcullis.io/v1
kind: User
metadata: {name: alice}
spec: {displayName: Alice, password: alice-password-1}
---
apiVersion: management.portcullis.io/v1
kind: User
metadata: {name: carol}
spec: {displayName: Carol, password: carol-password-1}
---
apiVersion: management.portcullis.io/v1
kind: Project
metadata: {name: payments}
spec: {members: [{user: alice, role: admin}]}
---
apiVersion: management.portcullis.io/v1
kind: Project
metadata: {name: other}
spec: {members: [{user: alice, role: admin}]}
---
apiVersion: management.portcullis.io/v1
kind: TenantCluster
metadata: {name: payments-dev}
spec:
  project: payments
  access:
    rules:
    - users: [carol]
      clusterRole: view
---
apiVersion: management.portcullis.io/v1
kind: TenantCluster
metadata: {name: other-dev}
spec: {project: other}
---
apiVersion: management.portcullis.io/v1
kind: TenantCluster
metadata: {name: third-dev}
spec: {project: other}
`;

export async function setupPlatform(h: CredHarness): Promise<void> {
  // create, not apply: kubectl apply would copy the passwords into the last-applied annotation, which the audit
  // log (RequestResponse) records unredacted for non-Secret kinds (reported to the audit owner)
  await h.kubectl(['create', '-f', '-'], { input: PLATFORM_SETUP });
  await h.server.settle();
  for (const c of ['payments-dev', 'other-dev']) {
    await h.kubectl(['--context', c, 'create', 'namespace', 'app']);
    await h.kubectl(['--context', c, '-n', 'app', 'create', 'configmap', 'cfg', '--from-literal=a=1']);
  }
}

/**
 * Where any of `secrets` appears in clear after the server stopped: every file of the data dir (store, WAL, audit log,
 * PKI) except the bootstrap admin's password file, and the server log. Returns "secret… in place" findings.
 */
export function secretsInClear(h: CredHarness, secrets: Iterable<string>): string[] {
  const files: string[] = [];
  const walk = (d: string) => { for (const e of readdirSync(d, { withFileTypes: true })) (e.isDirectory() ? walk(path.join(d,
    e.name)) : files.push(path.join(d, e.name))); };
  walk(h.dataDir);
  const haystacks: Array<[string, string]> = [...files.filter((f) => !f.endsWith('admin.password')).map((f): [string,
    string] => [path.relative(h.dataDir, f), readFileSync(f).toString('latin1')]), ['server log', h.logs.join('\n')]];
  const found: string[] = [];
  for (const s of secrets) for (const [where, text] of haystacks) if (text.includes(s)) found.push(`${s.slice(0, 12)}… in ${where}`);
  return found;
}
