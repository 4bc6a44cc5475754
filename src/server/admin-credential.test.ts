// The admin kubeconfig is read back at start through its `users:` block only (10,000 contexts are not parsed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { buildKubeconfig } from '../pki/kubeconfig.ts';
import { usersSection } from './admin-credential.ts';

test('usersSection: the users block of a kubeconfig as written, or the whole text', () => {
  const user = { name: 'admin', user: { 'client-certificate-data': 'Y2VydA==', 'client-key-data': 'a2V5' } };
  const text = buildKubeconfig({ baseUrl: 'https://x', caPem: 'ca', clusters: ['root', 'a', 'b'], user, current: 'root' });
  const section = usersSection(text);
  assert.ok(section.length < text.length / 2, 'clusters and contexts are left out');
  assert.deepEqual(parse(section), { users: [user] });
  assert.deepEqual(parse(usersSection('users:\n- name: admin\n')), { users: [{ name: 'admin' }] }, 'users last, unindented');
  assert.equal(usersSection('{"users": [{"name": "x"}]}'), '{"users": [{"name": "x"}]}', 'JSON: parsed whole');
});

test('buildKubeconfig: written line by line, read back as the document it describes', () => {
  const user = { name: 'admin', user: { exec: { command: 'x', args: ['a: b', '#c'], env: [{ name: 'N', value: '"q"' }] } } };
  const o = { baseUrl: 'https://[::1]:6443', caPem: 'ca\n', clusters: ['root', 'a-b'], user, current: 'a-b' };
  const ca = Buffer.from(o.caPem).toString('base64');
  assert.deepEqual(parse(buildKubeconfig(o)), {
    apiVersion: 'v1', kind: 'Config', preferences: {},
    clusters: o.clusters.map((c) => ({ name: c, cluster: { server: `https://[::1]:6443/clusters/${c}`, 'certificate-authority-data': ca } })),
    users: [user],
    contexts: o.clusters.map((c) => ({ name: c, context: { cluster: c, user: 'admin' } })),
    'current-context': 'a-b',
  });
  assert.deepEqual(parse(buildKubeconfig({ ...o, clusters: [], current: undefined })),
    { apiVersion: 'v1', kind: 'Config', preferences: {}, clusters: [], users: [user], contexts: [] });
});
