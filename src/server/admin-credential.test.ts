// The admin kubeconfig is read back at start through its `users:` block only (10,000 contexts are not parsed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { buildKubeconfig, buildKubeconfigYielding } from '../pki/kubeconfig.ts';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { loadOrCreatePki } from '../pki/ca.ts';
import { AdminCredential, usersSection } from './admin-credential.ts';

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

test('buildKubeconfigYielding: the same text, built in slices between which the event loop turns', async () => {
  const o = { baseUrl: 'https://x', caPem: 'ca', clusters: Array.from({ length: 2000 }, (_, i) => `c${i}`), user: { name: 'admin', user: {} } };
  let turns = 0;
  const tick = () => { turns++; if (turns < 10_000) setImmediate(tick); };
  setImmediate(tick);
  const { text } = await buildKubeconfigYielding(o, 100);
  const during = turns;
  turns = 10_000;
  assert.equal(text, buildKubeconfig(o));
  assert.ok(during >= 20, `the event loop turned ${during} times while it was built`);
});

test('clustersChanged: beyond 200 clusters a rewrite waits for a pause in the changes, or at most its max delay', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'portcullis-admin-kc-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const pki = await loadOrCreatePki(path.join(dir, 'pki'), { hostnames: [], ips: [] });
  const file = path.join(dir, 'admin.kubeconfig');
  const admin = new AdminCredential({ pki, path: file, validityDays: 1, isRevoked: () => false, log: () => undefined });
  await admin.load();
  const many = (n: number) => () => Array.from({ length: n }, (_, i) => `c${i}`);
  admin.write('https://x', many(300)());
  const contexts = () => (readFileSync(file, 'utf8').match(/^    context:$/gm) ?? []).length;
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 1_000_000 });
  // a steady stream of new clusters, one every 100 ms: no rewrite while it lasts, until the max delay (15 s)
  let n = 301;
  for (let ms = 0; ms < 14_000; ms += 100) { admin.clustersChanged(n, many(n)); n++; t.mock.timers.tick(100); }
  assert.equal(contexts(), 301, 'held back during the burst');
  for (let ms = 14_000; ms < 15_200; ms += 100) { admin.clustersChanged(n, many(n)); n++; t.mock.timers.tick(100); }
  await admin.settled();
  assert.ok(contexts() > 301, 'written once the max delay is reached');
  const written = contexts();
  // then the changes stop: written a second later with the newest names
  admin.clustersChanged(n, many(n));
  t.mock.timers.tick(999);
  await admin.settled();
  assert.equal(contexts(), written);
  t.mock.timers.tick(2);
  await admin.settled();
  assert.equal(contexts(), n + 1, 'root and the newest names');
});

test('clustersChanged: a held-back rewrite never lands after a later write (a rotated certificate stays)', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'portcullis-admin-kc-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const pki = await loadOrCreatePki(path.join(dir, 'pki'), { hostnames: [], ips: [] });
  const file = path.join(dir, 'admin.kubeconfig');
  const revoked: string[] = [];
  const admin = new AdminCredential({
    pki, path: file, validityDays: 1, isRevoked: () => false, log: () => undefined, revoke: async (s) => { revoked.push(s); },
  });
  await admin.load();
  const many = (n: number) => () => Array.from({ length: n }, (_, i) => `c${i}`);
  admin.write('https://x', many(3000)());
  const serialIn = () => {
    const doc = parse(usersSection(readFileSync(file, 'utf8'))) as { users: Array<{ user: Record<string, string> }> };
    return new X509Certificate(Buffer.from(doc.users[0]!.user['client-certificate-data']!, 'base64')).serialNumber;
  };
  const first = serialIn();
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 1_000_000 });
  admin.clustersChanged(3001, many(3001));
  t.mock.timers.tick(60_000); // the rewrite starts: it is built in slices, yielding to the event loop
  const { serial } = await admin.rotate('test'); // lands while the rewrite (with the old certificate) is in progress
  await admin.settled();
  assert.notEqual(serial, first);
  assert.equal(revoked.length, 1);
  assert.equal(serialIn().toLowerCase().replace(/^0+/, ''), serial.toLowerCase().replace(/^0+/, ''), 'the rotated certificate is the one on disk');
  assert.ok(readdirSync(dir).every((f) => !f.includes('.tmp-')), 'no temporary file left');
});
