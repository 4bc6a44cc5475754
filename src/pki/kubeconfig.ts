// Builds kubeconfig documents (one context per logical cluster) and writes the admin kubeconfig (0600).
import { writeFileSync, renameSync } from 'node:fs';
import { stringify } from 'yaml';

export interface KubeconfigUser {
  name: string;
  user: Record<string, unknown>;
}

/**
 * A kubeconfig with a cluster and a context per logical cluster, all using one user entry. The per-cluster entries
 * (10,000 for an admin of 10,000 tenant clusters) are written line by line rather than through the YAML library,
 * which is ~20 times slower at that size; the text is the library's (scalars it would quote are rendered by it).
 */
export function buildKubeconfig(opts: { baseUrl: string; caPem: string; clusters: string[]; user: KubeconfigUser; current?: string }): string {
  const ca = scalar(Buffer.from(opts.caPem).toString('base64'));
  const user = scalar(opts.user.name);
  const out: string[] = [stringify({ apiVersion: 'v1', kind: 'Config', preferences: {} })];
  if (opts.clusters.length === 0) out.push('clusters: []\n');
  else {
    out.push('clusters:\n');
    for (const c of opts.clusters) {
      out.push(`  - name: ${scalar(c)}\n    cluster:\n      server: ${scalar(`${opts.baseUrl}/clusters/${c}`)}\n      certificate-authority-data: ${ca}\n`);
    }
  }
  out.push(stringify({ users: [opts.user] }));
  if (opts.clusters.length === 0) out.push('contexts: []\n');
  else {
    out.push('contexts:\n');
    for (const c of opts.clusters) out.push(`  - name: ${scalar(c)}\n    context:\n      cluster: ${scalar(c)}\n      user: ${user}\n`);
  }
  const current = opts.current ?? opts.clusters[0];
  if (current !== undefined) out.push(stringify({ 'current-context': current }));
  return out.join('');
}

/** Characters of a plain scalar that needs no quoting (not starting with a digit, sign, dot or indicator). */
const PLAIN = /^[A-Za-z][A-Za-z0-9._/:+=-]*$/;
const RESERVED = /^(true|false|null|yes|no|on|off|y|n)$/i;

/** A string as the YAML library writes it as a block mapping value: plain when safe, else the library's rendering. */
function scalar(v: string): string {
  if (PLAIN.test(v) && !v.endsWith(':') && !RESERVED.test(v)) return v;
  return stringify(v).replace(/\n$/, '');
}

export function writePrivateFile(path: string, text: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, text, { mode: 0o600 });
  renameSync(tmp, path);
}
