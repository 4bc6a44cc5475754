// One test per rule 1-9 and 16 of shared/design/rbac-semantics.md, each run against the scan oracle and the index.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RbacIndex } from './index.ts';
import { aggregate, affectedAggregates } from './aggregation.ts';
import { loadBootstrapPolicy } from './bootstrap.ts';
import { G, SA, U, allowed, clusterRole, crb, impls, nonRes, rb, res, role, rule, snapshot, urlRule, user } from './rbac-test-support.ts';

const alice = user('alice', ['devs']);

test('rule 1: `*` covers subresources, `*/sub` needs a subresource, `pods/*` is literal, pods does not match pods/status', () => {
  const s = snapshot({
    clusterRoles: [
      clusterRole('star', [rule(['get'], [''], ['*'])]),
      clusterRole('wild-sub', [rule(['update'], [''], ['*/status'])]),
      clusterRole('literal', [rule(['patch'], [''], ['pods/*'])]),
      clusterRole('pods', [rule(['list'], [''], ['pods'])]),
    ],
    clusterRoleBindings: ['star', 'wild-sub', 'literal', 'pods'].map((n) => crb(n, n, [U('alice')])),
  });
  for (const impl of impls(s)) {
    const m = impl.name;
    assert.ok(allowed(impl, res(alice, 'get', '', 'pods/log', 'ns', 'p')), m);
    assert.ok(allowed(impl, res(alice, 'update', '', 'deployments/status', 'ns', 'd')), m);
    assert.ok(!allowed(impl, res(alice, 'update', '', 'deployments', 'ns', 'd')), m);
    assert.ok(!allowed(impl, res(alice, 'update', '', 'status', 'ns', 'd')), m);
    assert.ok(!allowed(impl, res(alice, 'patch', '', 'pods/status', 'ns', 'p')), m);
    assert.ok(allowed(impl, res(alice, 'patch', '', 'pods/*', 'ns', 'p')), m);
    assert.ok(allowed(impl, res(alice, 'list', '', 'pods', 'ns')), m);
    assert.ok(!allowed(impl, res(alice, 'list', '', 'pods/status', 'ns')), m);
  }
});

test('rule 2: only a trailing `*` in a non-resource URL is a wildcard, as a plain string prefix', () => {
  const s = snapshot({
    clusterRoles: [clusterRole('urls', [urlRule(['get'], ['/api*', '/apis/*', '/a*/b', '/healthz'])]), clusterRole('all', [urlRule(['post'], ['*'])])],
    clusterRoleBindings: [crb('urls', 'urls', [U('alice')]), crb('all', 'all', [U('alice')])],
  });
  for (const impl of impls(s)) {
    const m = impl.name;
    for (const p of ['/api', '/apis', '/api/v1', '/apis/apps', '/apifoo', '/a*/b', '/healthz']) assert.ok(allowed(impl, nonRes(alice, 'get', p)), `${m} ${p}`);
    for (const p of ['/ap', '/ax/b', '/a/b', '/healthz/ready', '/version']) assert.ok(!allowed(impl, nonRes(alice, 'get', p)), `${m} ${p}`);
    assert.ok(allowed(impl, nonRes(alice, 'post', '/anything/at/all')), m);
    assert.ok(!allowed(impl, res(alice, 'get', '', 'pods', 'ns')), m);
  }
  const s2 = snapshot({ clusterRoles: [clusterRole('apis', [urlRule(['get'], ['/apis/*'])])], clusterRoleBindings: [crb('apis', 'apis', [U('alice')])] });
  for (const impl of impls(s2)) assert.ok(!allowed(impl, nonRes(alice, 'get', '/apis')), impl.name);
});

test('rule 3: exact case-sensitive comparisons; core group is "" and `*` matches it', () => {
  const s = snapshot({
    clusterRoles: [clusterRole('core', [rule(['get'], [''], ['pods'])]), clusterRole('any', [rule(['list'], ['*'], ['secrets'])]), clusterRole('upper', [rule(['GET'], [''], ['Pods'])])],
    clusterRoleBindings: ['core', 'any', 'upper'].map((n) => crb(n, n, [U('alice')])),
  });
  for (const impl of impls(s)) {
    const m = impl.name;
    assert.ok(allowed(impl, res(alice, 'get', '', 'pods', 'ns', 'p')), m);
    assert.ok(!allowed(impl, res(alice, 'get', 'apps', 'pods', 'ns', 'p')), m);
    assert.ok(!allowed(impl, res(alice, 'get', '', 'Pods', 'ns', 'p')), m);
    assert.ok(allowed(impl, res(alice, 'GET', '', 'Pods', 'ns', 'p')), m);
    assert.ok(!allowed(impl, res(alice, 'GET', '', 'pods', 'ns', 'p')), m);
    assert.ok(allowed(impl, res(alice, 'list', '', 'secrets', 'ns')), m);
    assert.ok(allowed(impl, res(alice, 'list', 'apps', 'secrets', 'ns')), m);
  }
});

test('rule 4: resourceNames never match a request without a name', () => {
  const s = snapshot({
    clusterRoles: [clusterRole('named', [rule(['get', 'list', 'create', 'watch', 'deletecollection', 'delete'], [''], ['configmaps'], ['cm1'])])],
    clusterRoleBindings: [crb('named', 'named', [U('alice')])],
  });
  for (const impl of impls(s)) {
    const m = impl.name;
    assert.ok(allowed(impl, res(alice, 'get', '', 'configmaps', 'ns', 'cm1')), m);
    assert.ok(allowed(impl, res(alice, 'watch', '', 'configmaps', 'ns', 'cm1')), m);
    assert.ok(allowed(impl, res(alice, 'delete', '', 'configmaps', 'ns', 'cm1')), m);
    assert.ok(!allowed(impl, res(alice, 'get', '', 'configmaps', 'ns', 'cm2')), m);
    for (const v of ['list', 'create', 'watch', 'deletecollection']) assert.ok(!allowed(impl, res(alice, v, '', 'configmaps', 'ns')), `${m} ${v}`);
  }
});

test('rule 5: RoleBindings apply only in their namespace; cluster-scoped, all-namespace and non-resource requests need ClusterRoleBindings', () => {
  const s = snapshot({
    clusterRoles: [clusterRole('everything', [rule(['*'], ['*'], ['*']), urlRule(['*'], ['*'])])],
    roleBindings: [rb('ns1', 'b', 'ClusterRole', 'everything', [U('alice')])],
    clusterRoleBindings: [crb('root', 'everything', [U('root')])],
  });
  for (const impl of impls(s)) {
    const m = impl.name;
    assert.ok(allowed(impl, res(alice, 'delete', '', 'pods', 'ns1', 'p')), m);
    assert.ok(!allowed(impl, res(alice, 'delete', '', 'pods', 'ns2', 'p')), m);
    assert.ok(!allowed(impl, res(alice, 'list', '', 'pods', '')), m);
    assert.ok(!allowed(impl, res(alice, 'get', '', 'namespaces', '', 'ns1')), m);
    assert.ok(!allowed(impl, nonRes(alice, 'get', '/version')), m);
    const root = user('root');
    assert.ok(allowed(impl, res(root, 'list', '', 'pods', '')), m);
    assert.ok(allowed(impl, res(root, 'delete', '', 'pods', 'ns9', 'p')), m);
    assert.ok(allowed(impl, nonRes(root, 'get', '/version')), m);
  }
});

test('rule 6: a Role ref is looked up in the binding namespace; a missing role grants nothing and other bindings still apply', () => {
  const s = snapshot({
    roles: [role('ns2', 'reader', [rule(['get'], [''], ['pods'])]), role('ns1', 'lister', [rule(['list'], [''], ['pods'])])],
    roleBindings: [rb('ns1', 'uses-ns2-role', 'Role', 'reader', [U('alice')]), rb('ns1', 'ok', 'Role', 'lister', [U('alice')])],
    clusterRoleBindings: [crb('dangling', 'missing', [U('alice')]), crb('role-in-crb', 'lister', [U('alice')], 'Role')],
  });
  for (const impl of impls(s)) {
    const m = impl.name;
    assert.ok(!allowed(impl, res(alice, 'get', '', 'pods', 'ns1', 'p')), m);
    assert.ok(!allowed(impl, res(alice, 'get', '', 'pods', 'ns2', 'p')), m);
    const ok = impl.authorize(res(alice, 'list', '', 'pods', 'ns1'));
    assert.equal(ok.decision, 'allow', m);
    assert.equal(ok.reason, 'RBAC: allowed by RoleBinding "ok/ns1" of Role "lister" to User "alice"', m);
    const denied = impl.authorize(res(alice, 'get', '', 'pods', 'ns1', 'p'));
    assert.equal(denied.decision, 'noopinion', m);
    assert.match(denied.reason, /clusterrole\.rbac\.authorization\.k8s\.io "missing" not found/, m);
    assert.match(denied.reason, /role\.rbac\.authorization\.k8s\.io "reader" not found/, m);
    const rf = impl.rulesFor(alice, 'ns1');
    assert.equal(rf.incomplete, true, m);
    assert.deepEqual(rf.rules, [rule(['list'], [''], ['pods'])], m);
  }
  // The index keeps the binding: the role appearing later grants, its deletion revokes.
  const idx = new RbacIndex();
  idx.load('c1', s);
  const a = res(alice, 'get', '', 'pods', 'ns9', 'p');
  assert.equal(idx.authorize(a).decision, 'noopinion');
  idx.apply('c1', 'ClusterRole', 'ADDED', clusterRole('missing', [rule(['get'], [''], ['pods'])]));
  assert.equal(idx.authorize(a).decision, 'allow');
  assert.equal(idx.authorize(a).reason, 'RBAC: allowed by ClusterRoleBinding "dangling" of ClusterRole "missing" to User "alice"');
  idx.apply('c1', 'ClusterRole', 'MODIFIED', clusterRole('missing', [rule(['list'], [''], ['pods'])]));
  assert.equal(idx.authorize(a).decision, 'noopinion');
  idx.apply('c1', 'ClusterRole', 'MODIFIED', clusterRole('missing', [rule(['get'], [''], ['pods'])]));
  idx.apply('c1', 'ClusterRoleBinding', 'DELETED', crb('dangling', 'missing', null));
  assert.equal(idx.authorize(a).decision, 'noopinion');
  idx.dropCluster('c1');
  assert.equal(idx.authorize(res(alice, 'list', '', 'pods', 'ns1')).decision, 'noopinion');
});

test('rule 7: ServiceAccount subjects default to the RoleBinding namespace, never match in a ClusterRoleBinding without one', () => {
  const s = snapshot({
    clusterRoles: [clusterRole('get-pods', [rule(['get'], [''], ['pods'])]), clusterRole('get-cm', [rule(['get'], [''], ['configmaps'])]), clusterRole('get-sec', [rule(['get'], [''], ['secrets'])])],
    roleBindings: [rb('ns1', 'local-sa', 'ClusterRole', 'get-pods', [SA('robot')])],
    clusterRoleBindings: [
      crb('sa-no-ns', 'get-cm', [SA('robot')]),
      crb('sa-as-user', 'get-sec', [U('system:serviceaccount:ns2:bot')]),
      crb('star', 'get-cm', [U('*'), G('*'), SA('*', 'ns1')]),
    ],
  });
  const robot1 = user('system:serviceaccount:ns1:robot', ['system:serviceaccounts']);
  const robot2 = user('system:serviceaccount:ns2:robot');
  for (const impl of impls(s)) {
    const m = impl.name;
    const r = impl.authorize(res(robot1, 'get', '', 'pods', 'ns1', 'p'));
    assert.equal(r.decision, 'allow', m);
    assert.equal(r.reason, 'RBAC: allowed by RoleBinding "local-sa/ns1" of ClusterRole "get-pods" to ServiceAccount "robot/ns1"', m);
    assert.ok(!allowed(impl, res(robot2, 'get', '', 'pods', 'ns1', 'p')), m);
    assert.ok(!allowed(impl, res(robot1, 'get', '', 'configmaps', 'ns1', 'c')), m);
    assert.ok(!allowed(impl, res(user('robot'), 'get', '', 'configmaps', 'ns1', 'c')), m);
    assert.ok(allowed(impl, res(user('system:serviceaccount:ns2:bot'), 'get', '', 'secrets', 'x', 's')), m);
    assert.ok(!allowed(impl, res(user('bob', ['devs']), 'get', '', 'configmaps', 'x', 'c')), m);
    const star = impl.authorize(res(user('*'), 'get', '', 'configmaps', 'x', 'c'));
    assert.equal(star.reason, 'RBAC: allowed by ClusterRoleBinding "star" of ClusterRole "get-cm" to User "*"', m);
  }
});

test('rule 8: the authorizer uses exactly the groups it is given', () => {
  const s = snapshot({
    clusterRoles: [clusterRole('disc', [urlRule(['get'], ['/version'])])],
    clusterRoleBindings: [crb('disc', 'disc', [G('system:authenticated')])],
  });
  for (const impl of impls(s)) {
    assert.ok(!allowed(impl, nonRes(user('alice'), 'get', '/version')), impl.name);
    const r = impl.authorize(nonRes(user('alice', ['system:authenticated']), 'get', '/version'));
    assert.equal(r.reason, 'RBAC: allowed by ClusterRoleBinding "disc" of ClusterRole "disc" to Group "system:authenticated"', impl.name);
  }
});

test('rule 9: aggregation is a de-duplicated, transitive union over ClusterRoles; selectors ORed, labels ANDed', () => {
  const podsGet = rule(['get'], [''], ['pods']);
  const cms = rule(['list'], [''], ['configmaps']);
  const secrets = rule(['get'], [''], ['secrets']);
  const roles = [
    clusterRole('view', [rule(['delete'], ['*'], ['*'])], { 'agg-edit': 'true' }, [{ matchLabels: { 'agg-view': 'true' } }]),
    clusterRole('edit', null, { 'agg-admin': 'true' }, [{ matchLabels: { 'agg-edit': 'true' } }]),
    clusterRole('admin', null, {}, [{ matchLabels: { 'agg-admin': 'true' } }, { matchLabels: { extra: 'x', tier: 'gold' } }]),
    clusterRole('v1', [podsGet], { 'agg-view': 'true' }),
    clusterRole('v2', [podsGet, cms], { 'agg-view': 'true' }),
    clusterRole('not-true', [secrets], { 'agg-view': 'yes' }),
    clusterRole('only-one-label', [secrets], { extra: 'x' }),
    clusterRole('both-labels', [rule(['watch'], [''], ['nodes'])], { extra: 'x', tier: 'gold' }),
    clusterRole('expr', [rule(['get'], ['apps'], ['deployments'])], { team: 'a' }),
    clusterRole('by-expr', null, {}, [{ matchExpressions: [{ key: 'team', operator: 'In', values: ['a', 'b'] }, { key: 'gone', operator: 'DoesNotExist' }] }]),
  ];
  const agg = aggregate(roles);
  assert.deepEqual(agg.get('view'), [podsGet, cms]);
  assert.deepEqual(agg.get('edit'), [podsGet, cms]);
  assert.deepEqual(agg.get('admin'), [podsGet, cms, rule(['watch'], [''], ['nodes'])]);
  assert.deepEqual(agg.get('by-expr'), [rule(['get'], ['apps'], ['deployments'])]);
  assert.ok(!agg.has('v1'));
  assert.deepEqual(affectedAggregates(roles, roles[3], { ...roles[3]!, rules: [secrets] }), ['admin', 'edit', 'view']);
  assert.deepEqual(affectedAggregates(roles, null, clusterRole('new', [], { extra: 'x', tier: 'gold' })), ['admin']);
  assert.deepEqual(affectedAggregates(roles, roles[5], roles[5]), []);
  // A Role carrying the label is not aggregated, and the aggregated rules are what the authorizers use.
  const aggregated = roles.map((r) => (agg.has(r.metadata.name) ? { ...r, rules: agg.get(r.metadata.name)! } : r));
  const s = snapshot({
    clusterRoles: aggregated,
    roles: [{ ...role('ns1', 'r', [secrets]), metadata: { name: 'r', namespace: 'ns1', labels: { 'agg-view': 'true' } } }],
    roleBindings: [rb('ns1', 'b', 'ClusterRole', 'view', [U('alice')])],
  });
  for (const impl of impls(s)) {
    assert.ok(allowed(impl, res(alice, 'list', '', 'configmaps', 'ns1')), impl.name);
    assert.ok(!allowed(impl, res(alice, 'get', '', 'secrets', 'ns1', 's')), impl.name);
    assert.ok(!allowed(impl, res(alice, 'delete', '', 'pods', 'ns1', 'p')), impl.name);
  }
});

test('rule 16: the built-in system:node ClusterRoleBinding has no subjects', () => {
  const p = loadBootstrapPolicy();
  const node = p.clusterRoleBindings.find((b) => b.metadata.name === 'system:node');
  assert.ok(node);
  assert.equal(node.subjects ?? null, null);
  const s = snapshot({ clusterRoles: [...p.clusterRoles], clusterRoleBindings: [...p.clusterRoleBindings] });
  const kubelet = user('system:node:n1', ['system:nodes', 'system:authenticated']);
  for (const impl of impls(s)) assert.ok(!allowed(impl, res(kubelet, 'get', '', 'nodes', '', 'n1')), impl.name);
});
