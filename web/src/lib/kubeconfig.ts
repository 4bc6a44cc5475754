// Kubeconfigs the Generate Token page hands out (seed 003): one cluster with a static token, or every reachable
// cluster with the `portcullis credential-plugin` exec plugin — the same shape the CLI writes.
import { stringify } from 'yaml';

export interface KubeconfigEntry { cluster: string; context?: string; user: Record<string, unknown> }

export function buildKubeconfig(origin: string, caData: string, entries: KubeconfigEntry[]): string {
  const name = (c: string) => `portcullis-${c}`;
  return stringify({
    apiVersion: 'v1', kind: 'Config', preferences: {},
    clusters: entries.map((e) => ({ name: name(e.cluster), cluster: { server: `${origin}/clusters/${e.cluster}`, 'certificate-authority-data': caData } })),
    users: entries.map((e) => ({ name: `${name(e.cluster)}-${e.context ?? e.cluster}`, user: e.user })),
    contexts: entries.map((e) => ({ name: e.context ?? e.cluster, context: { cluster: name(e.cluster), user: `${name(e.cluster)}-${e.context ?? e.cluster}` } })),
    'current-context': entries[0] ? entries[0].context ?? entries[0].cluster : '',
  });
}

export const tokenUser = (token: string) => ({ token });

export const execUser = (cluster: string) => ({
  exec: {
    apiVersion: 'client.authentication.k8s.io/v1', command: 'portcullis', args: ['credential-plugin', '--cluster', cluster],
    interactiveMode: 'IfAvailable', provideClusterInfo: true,
  },
});

/** A context name kubectl accepts (the seed's "profile name"): letters, digits, '-', '_', '.', '@'. */
export function validProfile(name: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9_.@-]{0,62}$/.test(name);
}
