// RBAC escalation admission sees every object of a batch (Store.createMany and CreateBatch, one transaction): a user
// holding no permissions cannot create a ClusterRole granting '*' nor bind cluster-admin by putting it in a batch,
// including behind a namespace created earlier in the same batch; a refused batch stores nothing.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../server/config.ts';
import { startServer, type RunningServer } from '../../server/server.ts';
import { StatusError } from '../../apiserver/errors.ts';
import { CreateBatch } from '../../apiserver/registry/create-batch.ts';
import type { KObject } from '../../apiserver/storage/interface.ts';
import type { ResourceType } from '../../apiserver/registry/types.ts';

const RBAC = 'rbac.authorization.k8s.io';

describe('escalation admission in batches', () => {
  let server: RunningServer;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'portcullis-escalation-batch-'));
  const mallory = { cluster: 'root', user: { username: 'mallory', groups: ['system:authenticated'] } };
  const type = (group: string, resource: string): ResourceType =>
    server.catalog.lookup('root', group, 'v1', resource)!;
  const star: KObject = { apiVersion: `${RBAC}/v1`, kind: 'ClusterRole', metadata: { name: 'evil-star' },
    rules: [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }] } as KObject;
  const bindAdmin = (ns: string): KObject => ({ apiVersion: `${RBAC}/v1`, kind: 'RoleBinding', metadata: { name: 'evil', namespace: ns },
    roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: 'cluster-admin' }, subjects: [{ kind: 'User', apiGroup: RBAC, name: 'mallory' }] } as KObject);
  const cm = (name: string): KObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' } });
  const forbidden = (e: unknown) => e instanceof StatusError && e.code === 403;
  const absent = async (t: ResourceType, ns: string, name: string) =>
    assert.rejects(server.store.read('root', t, ns, name), (e: unknown) => e instanceof StatusError && e.code === 404);

  before(async () => { server = await startServer(loadConfig({ dataDir: dir, listen: '127.0.0.1:0' }), () => undefined); });
  after(async () => { await server?.close(); rmSync(dir, { recursive: true, force: true }); });

  it('refuses a ClusterRole granting more than its creator holds, after a harmless object in the same batch', async () => {
    await assert.rejects(server.store.createMany(mallory, [
      { t: type('', 'configmaps'), namespace: 'default', object: cm('first') },
      { t: type(RBAC, 'clusterroles'), namespace: '', object: star },
    ]), forbidden);
    await absent(type(RBAC, 'clusterroles'), '', 'evil-star');
    await absent(type('', 'configmaps'), 'default', 'first');
  });

  it('refuses binding cluster-admin in a namespace created earlier in the same batch', async () => {
    await assert.rejects(server.store.createMany(mallory, [
      { t: type('', 'namespaces'), namespace: '', object: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'fresh' } } },
      { t: type(RBAC, 'rolebindings'), namespace: 'fresh', object: bindAdmin('fresh') },
    ]), forbidden);
    await absent(type(RBAC, 'rolebindings'), 'fresh', 'evil');
    await absent(type('', 'namespaces'), '', 'fresh');
  });

  it('lets an administrator write the same batch (the check is the user\'s, not a blanket refusal)', async () => {
    const admin = { cluster: 'root', user: { username: 'admin', groups: ['system:masters'] } };
    await server.store.createMany(admin, [
      { t: type('', 'namespaces'), namespace: '', object: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'fresh2' } } },
      { t: type(RBAC, 'rolebindings'), namespace: 'fresh2', object: bindAdmin('fresh2') },
    ]);
    assert.equal((await server.store.read('root', type(RBAC, 'rolebindings'), 'fresh2', 'evil')).metadata.name, 'evil');
  });

  it('a CreateBatch refused as a whole leaves nothing half-written and each object is then admitted alone', async () => {
    const batch = new CreateBatch(server.store, 'root');
    const alone: string[] = [];
    batch.add(type('', 'configmaps'), 'default', cm('batched'), async () => { alone.push('batched'); });
    batch.add(type('', 'configmaps'), 'default', cm('Not_Valid'), async () => { alone.push('invalid'); });
    assert.equal(await batch.commit(), 2, 'refused as a whole: each object took its own path');
    assert.deepEqual(alone, ['batched', 'invalid']);
    await absent(type('', 'configmaps'), 'default', 'batched');
  });
});
