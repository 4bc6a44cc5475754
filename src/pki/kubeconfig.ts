// Builds kubeconfig documents (one context per logical cluster) and writes the admin kubeconfig (0600).
import { writeFileSync, renameSync } from 'node:fs';
import { stringify } from 'yaml';

export interface KubeconfigUser {
  name: string;
  user: Record<string, unknown>;
}

/**
 * A kubeconfig with a cluster and a context per logical cluster, all using one user entry. The per-cluster entries
 * are written line by line (strings as JSON, which YAML reads as double-quoted scalars): a YAML library takes about
 * a second for 10,000 clusters, and the admin kubeconfig is rewritten at every start.
 */
export function buildKubeconfig(opts: { baseUrl: string; caPem: string; clusters: string[]; user: KubeconfigUser; current?: string }): string {
  const ca = JSON.stringify(Buffer.from(opts.caPem).toString('base64'));
  const q = JSON.stringify;
  const lines = ['apiVersion: v1', 'kind: Config', 'preferences: {}', opts.clusters.length ? 'clusters:' : 'clusters: []'];
  for (const c of opts.clusters) {
    lines.push(`  - name: ${q(c)}`, '    cluster:', `      server: ${q(`${opts.baseUrl}/clusters/${c}`)}`, `      certificate-authority-data: ${ca}`);
  }
  lines.push(stringify({ users: [opts.user] }).trimEnd(), opts.clusters.length ? 'contexts:' : 'contexts: []');
  for (const c of opts.clusters) lines.push(`  - name: ${q(c)}`, '    context:', `      cluster: ${q(c)}`, `      user: ${q(opts.user.name)}`);
  const current = opts.current ?? opts.clusters[0];
  if (current !== undefined) lines.push(`current-context: ${q(current)}`);
  lines.push('');
  return lines.join('\n');
}

export function writePrivateFile(path: string, text: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, text, { mode: 0o600 });
  renameSync(tmp, path);
}
