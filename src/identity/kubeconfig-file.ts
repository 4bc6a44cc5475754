// Kubeconfig files the login pages hand out: one cluster, user and context per tenant cluster (so a token is never
// sent to a cluster it was not made for), the server's CA embedded.
import { stringify } from 'yaml';

export function userKubeconfig(server: string, caPem: string, entries: Array<{ cluster: string; user: Record<string, unknown> }>): string {
  const name = (c: string) => `portcullis-${c}`;
  const ca = Buffer.from(caPem).toString('base64');
  return stringify({
    apiVersion: 'v1', kind: 'Config', preferences: {},
    clusters: entries.map((e) => ({ name: name(e.cluster), cluster: { server: `${server}/clusters/${e.cluster}`, 'certificate-authority-data': ca } })),
    users: entries.map((e) => ({ name: name(e.cluster), user: e.user })),
    contexts: entries.map((e) => ({ name: e.cluster, context: { cluster: name(e.cluster), user: name(e.cluster) } })),
    'current-context': entries[0]?.cluster ?? '',
  });
}
