// Tests of the Project controller (cascading deletion) and the global-admins binding in root.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestPlatform, type TestPlatform } from '../platform-test-support.ts';
import { CASCADE_ANNOTATION, projectType, tenantClusterType, userType } from '../resources/index.ts';

describe('Project controller and global admins', () => {
  let p: TestPlatform;
  before(async () => { p = await startTestPlatform({ bootstrapAdmin: false }); });
  after(async () => { await p?.close(); });

  it('deletes an empty project right away', async () => {
    await p.create(projectType, 'empty', {});
    await p.server.store.delete({ cluster: 'root' }, projectType, '', 'empty');
    await p.server.settle();
    assert.equal(await p.get(projectType, 'empty'), undefined);
  });

  it('refuses to delete a project with tenants, and cascades when opted in', async () => {
    await p.create(projectType, 'full', {});
    await p.create(tenantClusterType, 'full-a', { project: 'full' });
    await p.create(tenantClusterType, 'full-b', { project: 'full' });
    await p.server.settle();
    await assert.rejects(p.server.store.delete({ cluster: 'root' }, projectType, '', 'full'), /project still has 2 tenant cluster\(s\) \(full-a, full-b\)/);
    await p.server.store.update({ cluster: 'root' }, projectType, '', 'full', (cur) => {
      cur!.metadata.annotations = { [CASCADE_ANNOTATION]: 'true' };
      return cur!;
    });
    await p.server.store.delete({ cluster: 'root' }, projectType, '', 'full');
    await assert.rejects(p.create(tenantClusterType, 'full-c', { project: 'full' }), /project "full" is being deleted/);
    await p.server.settle();
    assert.equal(await p.get(projectType, 'full'), undefined);
    assert.equal(await p.get(tenantClusterType, 'full-a'), undefined);
    assert.equal(p.server.clusters.state('full-b'), undefined);
  });

  it('binds every global admin to cluster-admin in root, and only them', async () => {
    await p.create(userType, 'boss', { globalAdmin: true });
    await p.create(userType, 'worker', {});
    await p.server.settle();
    const crbType = p.type('root', 'rbac.authorization.k8s.io', 'clusterrolebindings');
    const names = async () => ((await p.get(crbType, 'portcullis:global-admins'))?.subjects as Array<{ name: string }>).map((s) => s.name);
    assert.deepEqual(await names(), ['boss']);
    await p.server.store.update({ cluster: 'root' }, userType, '', 'boss', (cur) => { cur!.spec = {}; return cur!; });
    await p.server.settle();
    assert.deepEqual(await names(), []);
  });
});
