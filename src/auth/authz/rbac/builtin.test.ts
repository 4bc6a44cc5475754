// The built-in bootstrap policy after aggregation, decided by the scan oracle and the index.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyAggregation, aggregate } from './aggregation.ts';
import { loadBootstrapPolicy } from './bootstrap.ts';
import { rulesAllow } from './rule-match.ts';
import { allowed, impls, nonRes, res, snapshot, user, rb } from './rbac-test-support.ts';
import type { PolicyRule } from './types.ts';

const policy = loadBootstrapPolicy();
const clusterRoles = applyAggregation(policy.clusterRoles);
const s = snapshot({ clusterRoles, clusterRoleBindings: [...policy.clusterRoleBindings], roles: [...policy.roles], roleBindings: [...policy.roleBindings] });
const can = (rules: readonly PolicyRule[], verb: string, group: string, resource: string): boolean =>
  rulesAllow({ verb, isResourceRequest: true, path: '', apiGroup: group, resource: resource.split('/')[0]!, subresource: resource.split('/')[1] ?? '', name: '' }, rules);

test('bootstrap data loads once, frozen, with the two newer bindings', () => {
  assert.equal(loadBootstrapPolicy(), policy);
  assert.ok(Object.isFrozen(policy.clusterRoles[0]!.metadata));
  assert.equal(policy.clusterRoles.length, 31);
  const byName = new Map(policy.clusterRoleBindings.map((b) => [b.metadata.name, b]));
  assert.deepEqual(byName.get('system:monitoring')?.subjects, [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'system:monitoring' }]);
  assert.deepEqual(byName.get('system:service-account-issuer-discovery')?.subjects?.map((x) => x.name), ['system:serviceaccounts']);
  assert.equal(byName.get('cluster-admin')?.subjects?.[0]?.name, 'system:masters');
});

test('view, edit and admin contain the expected aggregated rules', () => {
  const agg = aggregate(policy.clusterRoles);
  const view = agg.get('view')!, edit = agg.get('edit')!, admin = agg.get('admin')!;
  assert.ok(can(view, 'get', '', 'pods') && can(view, 'list', 'apps', 'deployments') && can(view, 'watch', '', 'pods/log'));
  assert.ok(!can(view, 'get', '', 'secrets') && !can(view, 'create', '', 'pods'));
  assert.ok(can(edit, 'get', '', 'pods') && can(edit, 'create', 'apps', 'deployments') && can(edit, 'get', '', 'secrets') && can(edit, 'create', '', 'pods/exec'));
  assert.ok(!can(edit, 'create', 'rbac.authorization.k8s.io', 'rolebindings'));
  assert.ok(can(admin, 'create', 'rbac.authorization.k8s.io', 'rolebindings') && can(admin, 'delete', 'apps', 'deployments') && can(admin, 'get', '', 'pods'));
  assert.ok(can(admin, 'create', 'authorization.k8s.io', 'localsubjectaccessreviews'));
  assert.ok(!can(admin, 'create', 'rbac.authorization.k8s.io', 'clusterrolebindings'));
  for (const rules of [view, edit, admin]) assert.equal(new Set(rules.map((r) => JSON.stringify(r))).size, rules.length);
});

test('built-in bindings: masters may do everything, authenticated users discovery and self reviews', () => {
  const withEdit = snapshot({ ...s, roleBindings: [...s.roleBindings, rb('team', 'edit', 'ClusterRole', 'edit', [{ kind: 'User', name: 'dev' }])] });
  for (const impl of impls(withEdit)) {
    const m = impl.name;
    const master = user('root', ['system:masters', 'system:authenticated']);
    assert.ok(allowed(impl, res(master, 'delete', 'apps', 'deployments', 'x', 'd')), m);
    assert.ok(allowed(impl, res(master, 'escalate', 'rbac.authorization.k8s.io', 'clusterroles', '', 'c')), m);
    assert.ok(allowed(impl, nonRes(master, 'get', '/metrics')), m);
    assert.equal(impl.authorize(nonRes(master, 'get', '/metrics')).reason,
      'RBAC: allowed by ClusterRoleBinding "cluster-admin" of ClusterRole "cluster-admin" to Group "system:masters"', m);
    const alice = user('alice', ['system:authenticated']);
    for (const p of ['/version', '/api', '/apis', '/apis/apps/v1', '/healthz', '/openapi/v2']) assert.ok(allowed(impl, nonRes(alice, 'get', p)), `${m} ${p}`);
    assert.ok(allowed(impl, res(alice, 'create', 'authorization.k8s.io', 'selfsubjectaccessreviews')), m);
    assert.ok(allowed(impl, res(alice, 'create', 'authorization.k8s.io', 'selfsubjectrulesreviews')), m);
    assert.ok(!allowed(impl, res(alice, 'list', '', 'pods', 'default')), m);
    assert.ok(!allowed(impl, nonRes(alice, 'get', '/metrics')), m);
    const anon = user('system:anonymous', ['system:unauthenticated']);
    assert.ok(allowed(impl, nonRes(anon, 'get', '/version')), m);
    assert.ok(!allowed(impl, nonRes(anon, 'get', '/api')), m);
    const dev = user('dev', ['system:authenticated']);
    assert.ok(allowed(impl, res(dev, 'create', 'apps', 'deployments', 'team')), m);
    assert.ok(!allowed(impl, res(dev, 'create', 'apps', 'deployments', 'other')), m);
    assert.ok(!allowed(impl, res(dev, 'create', 'rbac.authorization.k8s.io', 'roles', 'team')), m);
    const dns = user('system:serviceaccount:kube-system:kube-dns', ['system:serviceaccounts', 'system:authenticated']);
    assert.ok(allowed(impl, res(dns, 'list', '', 'services', '')), m);
  }
});
