// useVerbUsers asks root RBAC once per distinct set of bound names, and finds exactly the users one decision per
// user finds (direct user bindings, IdP groups, team groups, system:authenticated, resourceNames).
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { PlatformState } from '../resources/index.ts';
import { AccessIndex } from './access-index.ts';
import { RbacIndex } from '../../auth/authz/rbac/index.ts';
import type { RbacObject } from '../../auth/authz/rbac/index.ts';

const ref = (name: string) => ({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name });
const crb = (name: string, role: string, subjects: Array<{ kind: string; name: string }>) =>
  ({ metadata: { name }, roleRef: ref(role), subjects: subjects.map((s) => ({ apiGroup: 'rbac.authorization.k8s.io', ...s })) }) as unknown as RbacObject;
const use = (name: string, resourceNames?: string[]) => ({
  metadata: { name }, rules: [{ verbs: ['use'], apiGroups: ['management.portcullis.io'], resources: ['tenantclusters'], ...(resourceNames ? { resourceNames } : {}) }],
}) as unknown as RbacObject;

it('useVerbUsers: one decision per distinct set of bound names, the same users as one decision per user', async () => {
  const s = new PlatformState();
  const add = (kind: Parameters<PlatformState['apply']>[0], name: string, spec: unknown) => s.apply(kind, { type: 'ADDED', name, object: { metadata: { name }, spec } });
  for (let i = 0; i < 200; i++) add('users', `u${i}`, { groups: i % 7 === 0 ? ['idp-admins'] : i % 5 === 0 ? ['idp-other'] : [] });
  add('teams', 'ops', { members: ['u1', 'u2', 'u3'] });
  add('teams', 'devs', { members: ['u4'], groups: ['idp-other'] });
  const rbac = new RbacIndex();
  rbac.apply('root', 'ClusterRole', 'ADDED', use('use-all'));
  rbac.apply('root', 'ClusterRole', 'ADDED', use('use-dev', ['dev']));
  rbac.apply('root', 'ClusterRole', 'ADDED', use('basic-other', ['nothing-here']));
  rbac.apply('root', 'ClusterRoleBinding', 'ADDED', crb('ops', 'use-all', [{ kind: 'Group', name: 'portcullis:team:ops' }]));
  rbac.apply('root', 'ClusterRoleBinding', 'ADDED', crb('idp', 'use-dev', [{ kind: 'Group', name: 'idp-admins' }]));
  rbac.apply('root', 'ClusterRoleBinding', 'ADDED', crb('erin', 'use-dev', [{ kind: 'User', name: 'u9' }]));
  rbac.apply('root', 'ClusterRoleBinding', 'ADDED', crb('auth', 'basic-other', [{ kind: 'Group', name: 'system:authenticated' }]));
  rbac.apply('root', 'ClusterRoleBinding', 'ADDED', crb('devs', 'use-dev', [{ kind: 'Group', name: 'portcullis:team:devs' }]));
  let calls = 0;
  const authz = () => async (a: Parameters<RbacIndex['authorize']>[0]) => { calls++; return rbac.authorize(a).decision === 'allow'; };
  const each = new AccessIndex(s, authz);
  const grouped = new AccessIndex(s, authz, () => rbac.boundAtClusterScope('root'));
  for (const tenant of ['dev', 'prod']) {
    calls = 0;
    const want = await each.useVerbUsers(tenant);
    assert.equal(calls, 200);
    calls = 0;
    const got = await grouped.useVerbUsers(tenant);
    assert.ok(calls < 10, `${calls} decisions`);
    assert.deepEqual([...got].sort(), [...want].sort());
  }
  const dev = await grouped.useVerbUsers('dev');
  for (const u of ['u1', 'u4', 'u7', 'u9', 'u5']) assert.ok(dev.has(u), u); // team, team by IdP group, IdP group, user, IdP group → team
  assert.ok(!dev.has('u11'));
  assert.deepEqual([...await grouped.useVerbUsers('prod')].sort(), ['u1', 'u2', 'u3']);
});

it('useVerbUsers: the grouping of users is kept across tenants and rebuilt when root bindings or membership change', async () => {
  const s = new PlatformState();
  const add = (kind: Parameters<PlatformState['apply']>[0], name: string, spec: unknown, type: 'ADDED' | 'MODIFIED' = 'ADDED') =>
    s.apply(kind, { type, name, object: { metadata: { name }, spec } });
  for (let i = 0; i < 50; i++) add('users', `u${i}`, {});
  add('teams', 'ops', { members: ['u1'] });
  const rbac = new RbacIndex();
  rbac.apply('root', 'ClusterRole', 'ADDED', use('use-all'));
  rbac.apply('root', 'ClusterRoleBinding', 'ADDED', crb('ops', 'use-all', [{ kind: 'Group', name: 'portcullis:team:ops' }]));
  const authz = () => async (a: Parameters<RbacIndex['authorize']>[0]) => rbac.authorize(a).decision === 'allow';
  let version = 0;
  const index = new AccessIndex(s, authz, () => rbac.boundAtClusterScope('root'), () => version);
  assert.deepEqual([...await index.useVerbUsers('a')], ['u1']);
  assert.deepEqual([...await index.useVerbUsers('b')], ['u1']);
  // a user named by a new binding: decided on its own once root bindings changed
  rbac.apply('root', 'ClusterRoleBinding', 'ADDED', crb('u7', 'use-all', [{ kind: 'User', name: 'u7' }]));
  version++;
  assert.deepEqual([...await index.useVerbUsers('a')].sort(), ['u1', 'u7']);
  // a new team member: membership changed, no root change needed
  add('teams', 'ops', { members: ['u1', 'u12'] }, 'MODIFIED');
  assert.deepEqual([...await index.useVerbUsers('b')].sort(), ['u1', 'u12', 'u7']);
});

it('reasons follow the tenant, its template, users, teams and projects, whatever else changes between calls', async () => {
  const s = new PlatformState();
  const add = (kind: Parameters<PlatformState['apply']>[0], name: string, spec: unknown) => s.apply(kind, { type: 'ADDED', name, object: { metadata: { name }, spec } });
  for (const u of ['ann', 'bob', 'cid']) add('users', u, {});
  add('teams', 'ops', { members: ['bob'] });
  add('projects', 'p', {});
  add('tenantclusters', 'dev', { project: 'p', access: { rules: [{ users: ['ann'], clusterRole: 'view' }] } });
  add('tenantclusters', 'other', { project: 'p' });
  const index = new AccessIndex(s, () => undefined);
  const who = async () => (await Promise.all(['ann', 'bob', 'cid'].map((u) => index.reasons(u, [], 'dev')))).map((r) => r.join());
  assert.deepEqual(await who(), ['access-rule', '', '']);
  add('tenantclusters', 'other', { project: 'p', owner: { user: 'cid' } }); // another tenant: dev unchanged
  assert.deepEqual(await who(), ['access-rule', '', '']);
  add('tenantclusters', 'dev', { project: 'p', access: { rules: [{ teams: ['ops'], clusterRole: 'view' }] } });
  assert.deepEqual(await who(), ['', 'access-rule', '']);
  add('teams', 'ops', { members: ['bob', 'cid'] });
  assert.deepEqual(await who(), ['', 'access-rule', 'access-rule']);
  add('projects', 'p', { members: [{ user: 'ann', role: 'admin' }] });
  assert.deepEqual(await who(), ['project-admin', 'access-rule', 'access-rule']);
  add('users', 'cid', { globalAdmin: true });
  assert.deepEqual(await who(), ['project-admin', 'access-rule', 'global-admin,access-rule']);
  add('tenantclustertemplates', 'locked', { template: { access: { rules: [] } } });
  add('tenantclusters', 'dev', { project: 'p', templateRef: { name: 'locked' }, access: { rules: [{ teams: ['ops'], clusterRole: 'view' }] } });
  assert.deepEqual(await who(), ['project-admin', '', 'global-admin']);
  add('tenantclustertemplates', 'locked', { template: { owner: { user: 'bob' } } });
  assert.deepEqual(await who(), ['project-admin', 'owner,access-rule', 'global-admin,access-rule']);
  s.apply('users', { type: 'DELETED', name: 'cid', object: { metadata: { name: 'cid' } } });
  assert.deepEqual(await who(), ['project-admin', 'owner,access-rule', 'access-rule']);
});
