// Starts a reference server (noop-server.ts) with Portcullis' own TLS material, for side-by-side runs.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';

export interface ReferenceResponse { contentType: string; body: string; status?: number; parse?: boolean }
export interface ReferenceServer { url: string; proc: ChildProcess }

/** `pkiDir` is a Portcullis data dir's pki/ (server.key, server.crt, ca.crt); `cfgFile` is where the config goes. */
export async function startReference(pkiDir: string, cfgFile: string, responses: Record<string, ReferenceResponse>): Promise<ReferenceServer> {
  writeFileSync(cfgFile, JSON.stringify({
    key: readFileSync(path.join(pkiDir, 'server.key'), 'utf8'), cert: readFileSync(path.join(pkiDir, 'server.crt'), 'utf8'),
    ca: readFileSync(path.join(pkiDir, 'ca.crt'), 'utf8'), responses,
  }));
  const proc = spawn(process.execPath, ['--import', 'tsx', path.resolve(import.meta.dirname, 'noop-server.ts'), cfgFile], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    proc.once('exit', (code) => reject(new Error(`reference server exited (${code})`)));
    proc.stdout!.on('data', (d: Buffer) => { const m = /listening (\d+)/.exec(d.toString()); if (m) resolve(Number(m[1])); });
  });
  proc.removeAllListeners('exit');
  return { url: `https://127.0.0.1:${port}`, proc };
}

/** The client certificate and key of a Portcullis admin kubeconfig, for the load generator. */
export function adminTls(kubeconfig: string): { cert: Buffer; key: Buffer } {
  const kc = parseYaml(readFileSync(kubeconfig, 'utf8')) as { users: Array<{ user: Record<string, string> }> };
  return { cert: Buffer.from(kc.users[0].user['client-certificate-data'], 'base64'), key: Buffer.from(kc.users[0].user['client-key-data'], 'base64') };
}
