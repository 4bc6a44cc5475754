// End-to-end: kill -9 while 50 tenant clusters are being created; after a restart every one converges
// to Ready with exactly one logical cluster, one set of bindings and one copy of its objects.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { startChildServer, type ChildServer } from '../support/child-server.ts';

const N = 50;
const API = '/apis/management.portcullis.io/v1';
const OBJECTS = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: platform-info, namespace: default}\ndata: {tier: dev}\n';

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

const tenant = (i: number) => ({
  apiVersion: 'management.portcullis.io/v1', kind: 'TenantCluster', metadata: { name: `t-${String(i).padStart(2, '0')}` },
  spec: { project: 'bulk', objects: OBJECTS, access: { rules: [{ users: ['viewer'], clusterRole: 'view' }] } },
});

describe('platform: restart in the middle of provisioning', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'portcullis-platform-restart-'));
  let server: ChildServer | undefined;
  after(async () => { await server?.kill(); rmSync(dir, { recursive: true, force: true }); });

  it('converges after kill -9 without duplicates', { timeout: 300_000 }, async () => {
    const args = ['--data-dir', path.join(dir, 'data'), '--listen', `127.0.0.1:${await freePort()}`];
    server = await startChildServer(args);
    const s1 = server;
    assert.equal((await s1.request('POST', `${API}/users`, { apiVersion: 'management.portcullis.io/v1', kind: 'User', metadata: { name: 'viewer' }, spec: {} })).status, 201);
    assert.equal((await s1.request('POST', `${API}/projects`, { apiVersion: 'management.portcullis.io/v1', kind: 'Project', metadata: { name: 'bulk' }, spec: {} })).status, 201);
    // Create the tenants one after another and kill the server half-way, while the controller is busy.
    let sent = 0;
    for (let i = 0; i < N / 2; i++, sent++) assert.equal((await s1.request('POST', `${API}/tenantclusters`, tenant(i))).status, 201);
    await s1.kill('SIGKILL');

    server = await startChildServer(args);
    const s2 = server;
    for (let i = 0; i < N; i++) {
      const r = await s2.request('POST', `${API}/tenantclusters`, tenant(i));
      assert.ok(r.status === 201 || (i < sent && r.status === 409), `create t-${i}: ${r.status} ${r.body}`);
    }
    let items: Array<{ metadata: { name: string }; status?: { phase?: string } }> = [];
    for (;;) { // converge (the test's own timeout bounds this)
      items = (await s2.request('GET', `${API}/tenantclusters`)).json().items;
      if (items.length === N && items.every((t) => t.status?.phase === 'Ready')) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    const lcs = (await s2.request('GET', '/apis/tenancy.portcullis.io/v1alpha1/logicalclusters')).json().items.map((o: { metadata: { name: string } }) => o.metadata.name).sort();
    assert.deepEqual(lcs, ['host', ...items.map((t) => t.metadata.name).sort()]);
    for (const t of items) {
      const base = `/clusters/${t.metadata.name}`;
      const crbs = (await s2.request('GET', `${base}/apis/rbac.authorization.k8s.io/v1/clusterrolebindings?labelSelector=management.portcullis.io%2Fmanaged%3Dtrue`)).json().items
        .map((o: { metadata: { name: string } }) => o.metadata.name).sort();
      assert.deepEqual(crbs, ['portcullis:access:cluster-admin', 'portcullis:access:view'], t.metadata.name);
      const cms = (await s2.request('GET', `${base}/api/v1/configmaps?labelSelector=management.portcullis.io%2Fmanaged-by%3Dplatform`)).json().items;
      assert.equal(cms.length, 1, t.metadata.name);
      assert.deepEqual(cms[0].data, { tier: 'dev' });
    }
  });
});
