// Builds kubeconfig documents (one context per logical cluster) and writes the admin kubeconfig (0600).
import { writeFileSync, renameSync } from 'node:fs';
import { stringify } from 'yaml';

export interface KubeconfigUser {
  name: string;
  user: Record<string, unknown>;
}

/** A kubeconfig with a cluster and a context per logical cluster, all using one user entry. */
export function buildKubeconfig(opts: { baseUrl: string; caPem: string; clusters: string[]; user: KubeconfigUser; current?: string }): string {
  const ca = Buffer.from(opts.caPem).toString('base64');
  const doc = {
    apiVersion: 'v1',
    kind: 'Config',
    preferences: {},
    clusters: opts.clusters.map((c) => ({ name: c, cluster: { server: `${opts.baseUrl}/clusters/${c}`, 'certificate-authority-data': ca } })),
    users: [opts.user],
    contexts: opts.clusters.map((c) => ({ name: c, context: { cluster: c, user: opts.user.name } })),
    'current-context': opts.current ?? opts.clusters[0],
  };
  return stringify(doc);
}

export function writePrivateFile(path: string, text: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, text, { mode: 0o600 });
  renameSync(tmp, path);
}
