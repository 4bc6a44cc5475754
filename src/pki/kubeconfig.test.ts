// buildKubeconfig writes its per-cluster entries by hand: the text must be exactly what the YAML library writes
// for the same document (names that need quoting included), and parse back to it.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { parse, stringify } from 'yaml';
import { buildKubeconfig, type KubeconfigUser } from './kubeconfig.ts';

const CA = '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQ+/x==\n-----END CERTIFICATE-----\n';

function reference(o: { baseUrl: string; caPem: string; clusters: string[]; user: KubeconfigUser; current?: string }): string {
  const ca = Buffer.from(o.caPem).toString('base64');
  return stringify({
    apiVersion: 'v1', kind: 'Config', preferences: {},
    clusters: o.clusters.map((c) => ({ name: c, cluster: { server: `${o.baseUrl}/clusters/${c}`, 'certificate-authority-data': ca } })),
    users: [o.user],
    contexts: o.clusters.map((c) => ({ name: c, context: { cluster: c, user: o.user.name } })),
    'current-context': o.current ?? o.clusters[0],
  });
}

it('writes exactly what the YAML library writes, for plain and awkward names', () => {
  const users: KubeconfigUser[] = [
    { name: 'admin', user: { 'client-certificate-data': 'QUJD', 'client-key-data': 'REVG' } },
    { name: 'true', user: { token: 'a b: c' } },
    { name: '0123', user: {} },
  ];
  const clusterSets = [
    ['root', 'tc-00001', 'host', 'a.b-c'],
    ['123', 'true', 'null', 'on', 'x:', 'with space', '#hash', '-dash', 'ünï', 'a'.repeat(120)],
    [],
  ];
  for (const baseUrl of ['https://127.0.0.1:6443', 'https://[::1]:6443', 'https://portcullis.example.com']) {
    for (const user of users) {
      for (const clusters of clusterSets) {
        const o = { baseUrl, caPem: CA, clusters, user };
        const text = buildKubeconfig(o);
        assert.equal(text, reference(o), JSON.stringify({ baseUrl, user: user.name, clusters }));
        assert.deepEqual(parse(text), parse(reference(o)));
      }
    }
  }
  assert.equal(buildKubeconfig({ baseUrl: 'https://h', caPem: CA, clusters: ['a', 'b'], user: users[0], current: 'b' }),
    reference({ baseUrl: 'https://h', caPem: CA, clusters: ['a', 'b'], user: users[0], current: 'b' }));
});
