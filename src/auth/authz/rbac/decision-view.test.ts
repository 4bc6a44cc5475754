// The index's cached decision views: invalidated by binding and role events, reasons naming the allowing
// binding, shared compiled roles across clusters, and correct under memory-budget resets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RbacIndex } from './index.ts';
import { G, U, clusterRole, crb, rb, res, role, rule, user } from './rbac-test-support.ts';
import type { Attributes } from '../../../apiserver/auth/types.ts';

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

test('compiled roles are shared across clusters; views are per cluster; dropCluster forgets its views', () => {
  const idx = new RbacIndex({ mergeAbove: 1 });
  for (const c of ['c1', 'c2']) {
    idx.apply(c, 'ClusterRole', 'ADDED', clusterRole('pods', [rule(['get'], [''], ['pods'])]));
    idx.apply(c, 'ClusterRole', 'ADDED', clusterRole('deploys', [rule(['list'], ['apps'], ['deployments'])]));
    idx.apply(c, 'ClusterRoleBinding', 'ADDED', crb('b1', 'pods', [U('alice')]));
    idx.apply(c, 'ClusterRoleBinding', 'ADDED', crb('b2', 'deploys', [U('alice')]));
    assert.equal(decide(idx, listDeploys, c), 'allow');
  }
  assert.equal(idx.stats().compiledRoles, 2);
  assert.deepEqual({ ...idx.viewStats(), bytes: 0 }, { views: 2, bytes: 0, resets: 0, evictions: 0 });
  idx.dropCluster('c1');
  assert.equal(decide(idx, listDeploys, 'c1'), 'noopinion');
  assert.equal(decide(idx, listDeploys, 'c2'), 'allow');
  idx.apply('c1', 'ClusterRoleBinding', 'ADDED', crb('b1', 'pods', [U('alice')]));
  assert.equal(decide(idx, listDeploys, 'c1'), 'noopinion', 'a re-created cluster does not see the dropped one');
});

test('a subject with many roles names the role a merged table found first; a few roles, the first binding', () => {
  const idx = setup();
  idx.apply('c1', 'ClusterRole', 'ADDED', clusterRole('named', [rule(['get'], [''], ['pods'], ['p'])]));
  idx.apply('c1', 'ClusterRole', 'ADDED', clusterRole('all', [rule(['get'], [''], ['*'])]));
  idx.apply('c1', 'ClusterRoleBinding', 'ADDED', crb('b-named', 'named', [U('alice')]));
  idx.apply('c1', 'ClusterRoleBinding', 'ADDED', crb('b-pods', 'pods', [U('alice')]));
  assert.equal(idx.authorize(getPods).reason, 'RBAC: allowed by ClusterRoleBinding "b-named" of ClusterRole "named" to User "alice"');
  idx.apply('c1', 'ClusterRoleBinding', 'ADDED', crb('b-all', 'all', [U('alice')]));
  // Three roles: the grant for resource `*` is looked up before the one for `pods`.
  assert.equal(idx.authorize(getPods).reason, 'RBAC: allowed by ClusterRoleBinding "b-all" of ClusterRole "all" to User "alice"');
  const roleByRole = setup({ tables: false });
  for (const [n, r] of [['b-named', 'named'], ['b-pods', 'pods'], ['b-all', 'all']]) {
    roleByRole.apply('c1', 'ClusterRole', 'ADDED', clusterRole(r!, [r === 'named' ? rule(['get'], [''], ['pods'], ['p']) : r === 'all' ? rule(['get'], [''], ['*']) : rule(['get'], [''], ['pods'])]));
    roleByRole.apply('c1', 'ClusterRoleBinding', 'ADDED', crb(n!, r!, [U('alice')]));
  }
  assert.equal(roleByRole.authorize(getPods).reason, 'RBAC: allowed by ClusterRoleBinding "b-named" of ClusterRole "named" to User "alice"');
});

test('tiny budgets force resets without changing any decision', () => {
  for (const opts of [{ minCacheBytes: 0, cacheBytesPerBinding: 1 }, { cacheBytesPerBinding: 0 }, { mergeAbove: 1, maxTableEntries: 1 }, { tables: false }]) {
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
    if (opts.cacheBytesPerBinding === 1) assert.ok(idx.viewStats().resets > 0, JSON.stringify(opts));
    if (opts.cacheBytesPerBinding === 0) assert.equal(idx.viewStats().views, 0, JSON.stringify(opts));
  }
});

test('identities are told apart by username and whole group list, whatever characters they contain', () => {
  const idx = setup();
  idx.apply('c1', 'ClusterRoleBinding', 'ADDED', crb('b', 'pods', [U('a\u0000b')]));
  idx.apply('c1', 'ClusterRoleBinding', 'ADDED', crb('g', 'deploys', [G('x\u0000y')]));
  assert.equal(decide(idx, { ...getPods, user: user('a\u0000b') }), 'allow');
  assert.equal(decide(idx, { ...getPods, user: user('a', ['b']) }), 'noopinion');
  assert.equal(decide(idx, { ...getPods, user: user('a\u0000b') }), 'allow');
  assert.equal(decide(idx, { ...listDeploys, user: user('a', ['x\u0000y']) }), 'allow');
  assert.equal(decide(idx, { ...listDeploys, user: user('a', ['x', 'y']) }), 'noopinion');
  assert.equal(decide(idx, { ...listDeploys, user: user('a', ['x\u0000y']) }), 'allow');
  // The same username with another group list replaces its views; equal lists in new arrays hit.
  const groups = ['x\u0000y'];
  assert.equal(decide(idx, { ...listDeploys, user: user('a', [...groups]) }), 'allow');
  const views = idx.viewStats().views;
  assert.equal(decide(idx, { ...listDeploys, user: user('a', [...groups]) }), 'allow');
  assert.equal(idx.viewStats().views, views);
});

test('eviction gives recently used identities a second chance and never changes a decision', () => {
  const idx = setup({ minCacheBytes: 0, cacheBytesPerBinding: 2_000 });
  idx.apply('c1', 'ClusterRoleBinding', 'ADDED', crb('b1', 'pods', [G('devs')]));
  for (let round = 0; round < 5; round++) {
    for (let i = 0; i < 200; i++) {
      assert.equal(decide(idx, getPods), 'allow');
      const other = user(`u${round}-${i}`, i % 2 ? ['devs'] : []);
      assert.equal(decide(idx, { ...getPods, user: other }), i % 2 ? 'allow' : 'noopinion');
    }
  }
  const s = idx.viewStats();
  assert.ok(s.resets > 0 && s.evictions > 0, JSON.stringify(s));
  assert.ok(s.views < 1000, JSON.stringify(s));
  // alice is used between every two misses: a sweep clears her mark but never finds it clear, so her
  // view is still cached (deciding for her builds nothing).
  assert.equal(decide(idx, getPods), 'allow');
  assert.equal(idx.viewStats().views, s.views);
});
