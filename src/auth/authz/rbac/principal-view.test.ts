// The index's lazily built principal views and merged tables: invalidated by binding and role events,
// reasons naming the allowing binding, content-addressed sharing, and correct under memory-budget resets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RbacIndex } from './index.ts';
import { G, U, clusterRole, crb, rb, res, role, rule, user } from './test-fixtures.ts';
import type { Attributes } from '../../types.ts';

const alice = user('alice', ['devs']);
const getPods = res(alice, 'get', '', 'pods', 'ns1', 'p');
const listDeploys = res(alice, 'list', 'apps', 'deployments', 'ns1');
const decide = (idx: RbacIndex, a: Attributes, cluster = 'c1'): string => idx.authorize({ ...a, cluster }).decision;

function setup(opts: ConstructorParameters<typeof RbacIndex>[0] = {}): RbacIndex {
  const idx = new RbacIndex(opts);
  idx.apply('c1', 'ClusterRole', 'ADDED', clusterRole('pods', [rule(['get'], [''], ['pods'])]));
  idx.apply('c1', 'ClusterRole', 'ADDED', clusterRole('deploys', [rule(['list'], ['apps'], ['deployments'])]));
  return idx;
}

test('a deleted or re-subjected binding stops granting at once', () => {
  const idx = setup();
  const b = crb('b', 'pods', [U('alice')]);
  idx.apply('c1', 'ClusterRoleBinding', 'ADDED', b);
  assert.equal(decide(idx, getPods), 'allow');
  idx.apply('c1', 'ClusterRoleBinding', 'MODIFIED', crb('b', 'pods', [U('bob')]));
  assert.equal(decide(idx, getPods), 'noopinion');
  assert.equal(decide(idx, { ...getPods, user: user('bob') }), 'allow');
  idx.apply('c1', 'ClusterRoleBinding', 'DELETED', b);
  assert.equal(decide(idx, { ...getPods, user: user('bob') }), 'noopinion');
});

test('a second binding of the same subject merges into its view; removing one keeps the other', () => {
  const idx = setup();
  idx.apply('c1', 'RoleBinding', 'ADDED', rb('ns1', 'b1', 'ClusterRole', 'pods', [G('devs')]));
  assert.equal(decide(idx, listDeploys), 'noopinion');
  idx.apply('c1', 'RoleBinding', 'ADDED', rb('ns1', 'b2', 'ClusterRole', 'deploys', [G('devs')]));
  assert.equal(decide(idx, listDeploys), 'allow');
  assert.equal(decide(idx, getPods), 'allow');
  assert.equal(idx.authorize(listDeploys).reason, 'RBAC: allowed by RoleBinding "b2/ns1" of ClusterRole "deploys" to Group "devs"');
  assert.equal(idx.authorize(getPods).reason, 'RBAC: allowed by RoleBinding "b1/ns1" of ClusterRole "pods" to Group "devs"');
  idx.apply('c1', 'RoleBinding', 'DELETED', rb('ns1', 'b1', 'ClusterRole', 'pods', []));
  assert.equal(decide(idx, getPods), 'noopinion');
  assert.equal(decide(idx, listDeploys), 'allow');
});

test('role changes, deletions and late arrivals reach views already built', () => {
  const idx = setup();
  idx.apply('c1', 'ClusterRoleBinding', 'ADDED', crb('b', 'pods', [U('alice')]));
  idx.apply('c1', 'RoleBinding', 'ADDED', rb('ns1', 'local', 'Role', 'later', [U('alice')]));
  assert.equal(decide(idx, getPods), 'allow');
  assert.equal(idx.authorize(listDeploys).reason, 'RBAC: role.rbac.authorization.k8s.io "later" not found');
  idx.apply('c1', 'ClusterRole', 'MODIFIED', clusterRole('pods', [rule(['get'], [''], ['secrets'])]));
  assert.equal(decide(idx, getPods), 'noopinion');
  idx.apply('c1', 'Role', 'ADDED', role('ns1', 'later', [rule(['list'], ['apps'], ['deployments'])]));
  assert.equal(idx.authorize(listDeploys).reason, 'RBAC: allowed by RoleBinding "local/ns1" of Role "later" to User "alice"');
  idx.apply('c1', 'ClusterRole', 'DELETED', clusterRole('pods', null));
  assert.equal(idx.authorize(res(alice, 'get', '', 'secrets', 'ns2', 's')).reason, 'RBAC: clusterrole.rbac.authorization.k8s.io "pods" not found');
});

test('a binding with several subjects names the first one that applies to the user', () => {
  const idx = setup();
  idx.apply('c1', 'ClusterRoleBinding', 'ADDED', crb('multi', 'pods', [U('bob'), G('devs'), U('alice')]));
  assert.equal(idx.authorize(getPods).reason, 'RBAC: allowed by ClusterRoleBinding "multi" of ClusterRole "pods" to Group "devs"');
  assert.equal(idx.authorize({ ...getPods, user: user('alice') }).reason, 'RBAC: allowed by ClusterRoleBinding "multi" of ClusterRole "pods" to User "alice"');
});

test('merged tables are shared by subjects with the same roles across clusters; dropCluster forgets views', () => {
  const idx = new RbacIndex({ mergeAbove: 1 });
  for (const c of ['c1', 'c2']) {
    idx.apply(c, 'ClusterRole', 'ADDED', clusterRole('pods', [rule(['get'], [''], ['pods'])]));
    idx.apply(c, 'ClusterRole', 'ADDED', clusterRole('deploys', [rule(['list'], ['apps'], ['deployments'])]));
    idx.apply(c, 'ClusterRoleBinding', 'ADDED', crb('b1', 'pods', [U('alice')]));
    idx.apply(c, 'ClusterRoleBinding', 'ADDED', crb('b2', 'deploys', [U('alice')]));
    assert.equal(decide(idx, listDeploys, c), 'allow');
  }
  assert.deepEqual({ ...idx.viewStats(), tableEntries: 0 }, { views: 2, mergedTables: 1, tableEntries: 0, resets: 0 });
  idx.dropCluster('c1');
  assert.equal(decide(idx, listDeploys, 'c1'), 'noopinion');
  assert.equal(decide(idx, listDeploys, 'c2'), 'allow');
});

test('tiny budgets force resets and role-by-role fallbacks without changing any decision', () => {
  for (const opts of [{ maxViews: 1 }, { maxTableEntries: 1, mergeAbove: 1 }, { maxTotalEntries: 1, mergeAbove: 1 }, { tables: false }]) {
    const idx = setup(opts);
    idx.apply('c1', 'ClusterRoleBinding', 'ADDED', crb('b1', 'pods', [U('alice')]));
    idx.apply('c1', 'ClusterRoleBinding', 'ADDED', crb('b2', 'deploys', [U('alice')]));
    idx.apply('c1', 'ClusterRoleBinding', 'ADDED', crb('b3', 'pods', [G('devs')]));
    for (let i = 0; i < 3; i++) {
      assert.equal(decide(idx, getPods), 'allow', JSON.stringify(opts));
      assert.equal(decide(idx, listDeploys), 'allow', JSON.stringify(opts));
      assert.equal(decide(idx, res(alice, 'delete', '', 'pods', 'ns1', 'p')), 'noopinion', JSON.stringify(opts));
      assert.equal(decide(idx, { ...getPods, user: user('bob', ['devs']) }), 'allow', JSON.stringify(opts));
      assert.equal(decide(idx, { ...listDeploys, user: user('bob', ['devs']) }), 'noopinion', JSON.stringify(opts));
    }
    if (opts.maxViews === 1 || opts.maxTotalEntries === 1) assert.ok(idx.viewStats().resets > 0, JSON.stringify(opts));
  }
});
