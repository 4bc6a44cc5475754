// Kubeconfigs from the Generate Token page: one context per cluster, the token or the exec plugin, valid names.
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { buildKubeconfig, execUser, tokenUser, validProfile } from './kubeconfig.ts';

describe('kubeconfig', () => {
  it('points each context at its cluster with the CA and its own user', () => {
    const k = parse(buildKubeconfig('https://h:8443', 'Q0E=', [{ cluster: 'a', context: 'prof', user: tokenUser('t') }, { cluster: 'b', user: execUser('b') }]));
    expect(k.clusters[0]).toEqual({ name: 'portcullis-a', cluster: { server: 'https://h:8443/clusters/a', 'certificate-authority-data': 'Q0E=' } });
    expect(k.contexts.map((c: { name: string }) => c.name)).toEqual(['prof', 'b']);
    expect(k['current-context']).toBe('prof');
    expect(new Set(k.users.map((u: { name: string }) => u.name)).size).toBe(2);
    expect(k.users[1].user.exec.args).toEqual(['credential-plugin', '--cluster', 'b']);
  });
  it('accepts only kubectl-friendly profile names', () => {
    expect(validProfile('payments-dev_1')).toBe(true);
    expect(validProfile('a b')).toBe(false);
    expect(validProfile('')).toBe(false);
  });
});
