// Helpers shared by the credential commands (login, access-keys, kubeconfig, credential-plugin, credentials):
// writing the 0600 login config, reading a password, tables, and running an action with a readable error.
import { chmodSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { configPath, type CliConfig } from './client.ts';

export function writeConfig(config: CliConfig, file = configPath()): void {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
}

/** Where the exec plugin caches tokens: <config dir>/cache (~/.portcullis/cache by default). */
export function cacheDir(): string {
  return path.join(path.dirname(configPath()), 'cache');
}

/** The absolute path of bin/portcullis.mjs (for exec-plugin entries in kubeconfigs). */
export function portcullisBin(): string {
  return fileURLToPath(new URL('../../bin/portcullis.mjs', import.meta.url));
}

export function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : (c ?? '').padEnd(widths[i] + 3))).join('').trimEnd()).join('\n');
}

export async function run(action: () => Promise<void>): Promise<void> {
  try { await action(); } catch (e) {
    console.error(`error: ${(e as Error).message}`);
    process.exitCode = 1;
  }
}

export async function readAllStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Asks for a line on the terminal (stderr prompt); `secret` hides the typed characters. */
export function prompt(question: string, secret = false): Promise<string> {
  const input = process.stdin;
  if (!input.isTTY) return Promise.reject(new Error(`cannot ask for ${question.replace(/:\s*$/, '').toLowerCase()}: stdin is not a terminal`));
  process.stderr.write(question);
  return new Promise((resolve, reject) => {
    let value = '';
    input.setRawMode(true);
    input.resume();
    input.setEncoding('utf8');
    const done = (err?: Error) => {
      input.setRawMode(false);
      input.pause();
      input.removeListener('data', onData);
      process.stderr.write('\n');
      if (err) reject(err); else resolve(value);
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') return done();
        if (ch === '\u0003') return done(new Error('interrupted'));
        if (ch === '\u007f' || ch === '\b') { value = value.slice(0, -1); continue; }
        value += ch;
        if (!secret) process.stderr.write(ch);
      }
    };
    input.on('data', onData);
  });
}

export interface Scope { projects?: string[]; tenantClusters?: string[]; namespaces?: Array<{ cluster: string; namespace: string }>; hostClusters?: string[] }

export const scopeText = (s: Scope | undefined): string => {
  if (!s) return '(unscoped)';
  return [...(s.projects ?? []).map((p) => `project=${p}`), ...(s.tenantClusters ?? []).map((c) => `cluster=${c}`),
    ...(s.namespaces ?? []).map((n) => `namespace=${n.cluster}/${n.namespace}`), ...(s.hostClusters ?? []).map((h) => `host=${h}`)].join(',');
};
