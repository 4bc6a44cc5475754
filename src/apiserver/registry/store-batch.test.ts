// Store writes that share one transaction: createMany with a namespace and objects in it (NamespaceLifecycle counts
// the namespace as existing for the objects after it), and an update prepared with updateOp joining a batch.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../server/config.ts';
import { startServer, type RunningServer } from '../../server/server.ts';
import { StorageError, type KObject } from '../storage/interface.ts';
import { StatusError } from '../errors.ts';
import type { ResourceType } from './types.ts';

describe('store batches', () => {
  let server: RunningServer;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'portcullis-store-batch-'));
  const root = { cluster: 'root' };
  const type = (resource: string): ResourceType => server.catalog.lookup('root', '', 'v1', resource)!;
  const ns = (name: string): KObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  const cm = (name: string, namespace: string, data: Record<string, string> = {}): KObject =>
    ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace }, data });

  before(async () => { server = await startServer(loadConfig({ dataDir: dir, listen: '127.0.0.1:0' }), () => undefined, []); });
  after(async () => { await server?.close(); rmSync(dir, { recursive: true, force: true }); });

  it('creates a namespace and objects in it in one transaction', async () => {
    await server.store.createMany(root, [
      { t: type('namespaces'), namespace: '', object: ns('together') },
      { t: type('configmaps'), namespace: 'together', object: cm('inside', 'together') },
    ]);
    assert.equal((await server.store.read('root', type('configmaps'), 'together', 'inside')).metadata.namespace, 'together');
  });

  it('still refuses an object whose namespace is neither stored nor created before it in the batch', async () => {
    const refused = (items: Parameters<RunningServer['store']['createMany']>[1]) => assert.rejects(server.store.createMany(root, items),
      (e: unknown) => e instanceof StatusError && e.code === 404);
    await refused([{ t: type('configmaps'), namespace: 'nowhere', object: cm('x', 'nowhere') }]);
    await refused([
      { t: type('configmaps'), namespace: 'later', object: cm('x', 'later') },
      { t: type('namespaces'), namespace: '', object: ns('later') },
    ]);
    await assert.rejects(server.store.read('root', type('namespaces'), '', 'later'), 'nothing of a refused batch is stored');
  });

  it('joins a prepared update to a batch, and refuses it when the object changed since', async () => {
    await server.store.create(root, type('configmaps'), 'default', cm('counter', 'default', { n: '1' }));
    const bump = (n: string) => server.store.updateOp(root, type('configmaps'), 'default', 'counter', (o) => { o.data = { n }; return o; });
    const op = await bump('2');
    assert.ok(op && op.op === 'update');
    await server.store.createMany(root, [{ t: type('configmaps'), namespace: 'default', object: cm('beside', 'default') }], [op]);
    assert.deepEqual((await server.store.read('root', type('configmaps'), 'default', 'counter')).data, { n: '2' });
    assert.equal(await bump('2'), undefined, 'no change, no op');
    const stale = await bump('3');
    await server.store.update(root, type('configmaps'), 'default', 'counter', (o) => { o!.data = { n: '4' }; return o!; });
    await assert.rejects(server.store.createMany(root, [], [stale!]), (e: unknown) => e instanceof StorageError && e.code === 'Conflict');
    assert.deepEqual((await server.store.read('root', type('configmaps'), 'default', 'counter')).data, { n: '4' });
  });
  it('refuses a batch naming a terminating namespace (stored already) before an object in it: nothing is stored', async () => {
    await server.store.create(root, type('namespaces'), '', { ...ns('dying'), metadata: { name: 'dying', finalizers: ['example.com/hold'] } });
    await server.store.delete(root, type('namespaces'), '', 'dying', {});
    assert.ok((await server.store.read('root', type('namespaces'), '', 'dying')).metadata.deletionTimestamp, 'terminating');
    await assert.rejects(server.store.createMany(root, [
      { t: type('namespaces'), namespace: '', object: ns('dying') },
      { t: type('configmaps'), namespace: 'dying', object: cm('sneaked', 'dying') },
    ]), (e: unknown) => (e instanceof StatusError && e.code === 409) || (e instanceof StorageError && e.code === 'Exists'));
    await assert.rejects(server.store.read('root', type('configmaps'), 'dying', 'sneaked'), 'nothing of the refused batch is stored');
    await assert.rejects(server.store.create(root, type('configmaps'), 'dying', cm('alone', 'dying')),
      (e: unknown) => e instanceof StatusError && e.code === 403, 'alone, the object is refused by NamespaceLifecycle');
  });
});
