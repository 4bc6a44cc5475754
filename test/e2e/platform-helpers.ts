// Helpers shared by the platform e2e suites: per-user client-certificate kubeconfigs and CLI runs.
import { execFile } from 'node:child_process';
import path from 'node:path';
import type { Harness } from '../support/harness.ts';

const BIN = path.resolve(import.meta.dirname, '../../bin/portcullis.mjs');

export interface UserCreds { kubeconfig(context: string): string; certFile: string; keyFile: string }

/** A client certificate for `name` (CN=name, no groups) and kubeconfigs that use it. */
export async function userCreds(h: Harness, name: string): Promise<UserCreds> {
  const c = await h.server.pki.issueClientCert({ commonName: name, organizations: [], validitySeconds: 3600 });
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  return {
    kubeconfig: (context) => h.kubeconfigFor({ 'client-certificate-data': b64(c.certPem), 'client-key-data': b64(c.keyPem) }, context),
    certFile: h.writeFile(`${name}.crt`, c.certPem),
    keyFile: h.writeFile(`${name}.key`, c.keyPem),
  };
}

/** Runs `portcullis <args>` as the user with the given certificate; never reads a real login config. */
export function cli(h: Harness, u: UserCreds, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const ca = h.writeFile('ca.pem', h.server.pki.caCertPem);
  const full = [BIN, ...args, '--server', h.server.url, '--ca-file', ca, '--client-cert', u.certFile, '--client-key', u.keyFile];
  return new Promise((resolve) => {
    execFile(process.execPath, full, { env: { ...process.env, PORTCULLIS_CONFIG: path.join(h.dir, 'no-config.json') }, timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

/** `kubectl auth can-i` as a user in a context: true for "yes". */
export async function canI(h: Harness, u: UserCreds, context: string, ...args: string[]): Promise<boolean> {
  const r = await h.kubectl(['auth', 'can-i', ...args], { kubeconfig: u.kubeconfig(context), allowFail: true });
  if (r.stdout.trim() === 'yes') return true;
  if (r.stdout.trim() === 'no') return false;
  throw new Error(`auth can-i ${args.join(' ')} in ${context}: ${r.stderr}${r.stdout}`);
}
