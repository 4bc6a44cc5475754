// Rule 15 of rbac-semantics.md: impersonation planning, with the planned checks decided by the scan oracle and the index.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planImpersonation, splitServiceAccountUsername } from './impersonation.ts';
import { G, U, allowed, clusterRole, crb, impls, rb, rule, snapshot, user, type Impl } from './rbac-test-support.ts';
import type { Attributes } from '../../../apiserver/auth/types.ts';

const admin = user('admin', ['system:authenticated']);
const brief = (c: Attributes): string => `${c.apiGroup}|${c.resource}|${c.subresource}|${c.namespace}|${c.name}|${c.verb}`;

test('rule 15: checks in order, groups added as Kubernetes does, 400 without a user', () => {
  const p = planImpersonation(admin, 'c1', { 'impersonate-user': ['bob'], 'impersonate-group': ['devs', 'a,b'], 'impersonate-extra-Scopes%2Fx': ['s1', 's2'], 'impersonate-uid': ['u-1'] });
  assert.equal(p.kind, 'impersonate');
  if (p.kind !== 'impersonate') return;
  assert.deepEqual(p.checks.map(brief), [
    '|users|||bob|impersonate', '|groups|||devs|impersonate', '|groups|||a,b|impersonate',
    'authentication.k8s.io|userextras|scopes/x||s1|impersonate', 'authentication.k8s.io|userextras|scopes/x||s2|impersonate',
    'authentication.k8s.io|uids|||u-1|impersonate',
  ]);
  assert.ok(p.checks.every((c) => c.user === admin && c.cluster === 'c1' && c.isResourceRequest));
  assert.deepEqual(p.user, { username: 'bob', uid: 'u-1', groups: ['devs', 'a,b', 'system:authenticated'], extra: { 'scopes/x': ['s1', 's2'] } });

  const sa = planImpersonation(admin, 'c1', { 'impersonate-user': 'system:serviceaccount:ns1:robot' });
  assert.ok(sa.kind === 'impersonate');
  if (sa.kind !== 'impersonate') return;
  assert.deepEqual(sa.checks.map(brief), ['|serviceaccounts||ns1|robot|impersonate']);
  assert.deepEqual(sa.user.groups, ['system:serviceaccounts', 'system:serviceaccounts:ns1', 'system:authenticated']);
  const saWithGroup = planImpersonation(admin, 'c1', { 'impersonate-user': ['system:serviceaccount:ns1:robot'], 'impersonate-group': ['ops'] });
  assert.ok(saWithGroup.kind === 'impersonate' && saWithGroup.user.groups.join() === 'ops,system:authenticated');

  const malformed = planImpersonation(admin, 'c1', { 'impersonate-user': ['system:serviceaccount:NS:robot'] });
  assert.ok(malformed.kind === 'impersonate' && brief(malformed.checks[0]!) === '|users|||system:serviceaccount:NS:robot|impersonate');
  assert.deepEqual(splitServiceAccountUsername('system:serviceaccount:a:b:c'), null);

  const anon = planImpersonation(admin, 'c1', { 'impersonate-user': ['system:anonymous'] });
  assert.ok(anon.kind === 'impersonate' && anon.user.groups.join() === 'system:unauthenticated');
  const unauth = planImpersonation(admin, 'c1', { 'impersonate-user': ['bob'], 'impersonate-group': ['system:unauthenticated'] });
  assert.ok(unauth.kind === 'impersonate' && unauth.user.groups.join() === 'system:unauthenticated');
  const authd = planImpersonation(admin, 'c1', { 'impersonate-user': ['bob'], 'impersonate-group': ['system:authenticated', 'x'] });
  assert.ok(authd.kind === 'impersonate' && authd.user.groups.join() === 'system:authenticated,x');

  assert.equal(planImpersonation(admin, 'c1', { accept: ['*/*'] }).kind, 'none');
  for (const h of [{ 'impersonate-group': ['devs'] }, { 'impersonate-uid': ['u'] }, { 'impersonate-extra-k': ['v'] }]) {
    const bad = planImpersonation(admin, 'c1', h);
    assert.equal(bad.kind, 'invalid');
    if (bad.kind === 'invalid') assert.match(bad.message, /without impersonating a user$/);
  }
});

test('rule 15: users and groups are checked cluster-wide, ServiceAccounts in their namespace; first denial stops', () => {
  const s = snapshot({
    clusterRoles: [
      clusterRole('imp-users', [rule(['impersonate'], [''], ['users'], ['bob'])]),
      clusterRole('imp-sa', [rule(['impersonate'], [''], ['serviceaccounts'])]),
      clusterRole('imp-groups', [rule(['impersonate'], [''], ['groups'])]),
    ],
    clusterRoleBindings: [crb('u', 'imp-users', [U('alice')]), crb('g', 'imp-groups', [G('group-impersonators')])],
    roleBindings: [rb('ns1', 'sa', 'ClusterRole', 'imp-sa', [U('alice')]), rb('ns1', 'u', 'ClusterRole', 'imp-users', [U('carol')])],
  });
  const alice = user('alice');
  const firstDenied = (checks: Attributes[], impl: Impl): number => checks.findIndex((c) => !allowed(impl, c));
  for (const impl of impls(s)) {
    const m = impl.name;
    const plan = (h: Record<string, string[]>, who = alice): Attributes[] => {
      const p = planImpersonation(who, 'c1', h);
      assert.equal(p.kind, 'impersonate');
      return p.kind === 'impersonate' ? p.checks : [];
    };
    assert.equal(firstDenied(plan({ 'impersonate-user': ['bob'] }), impl), -1, m);
    assert.equal(firstDenied(plan({ 'impersonate-user': ['eve'] }), impl), 0, m);
    assert.equal(firstDenied(plan({ 'impersonate-user': ['system:serviceaccount:ns1:robot'] }), impl), -1, m);
    assert.equal(firstDenied(plan({ 'impersonate-user': ['system:serviceaccount:ns2:robot'] }), impl), 0, m);
    assert.equal(firstDenied(plan({ 'impersonate-user': ['bob'], 'impersonate-group': ['devs'] }), impl), 1, m);
    assert.equal(firstDenied(plan({ 'impersonate-user': ['bob'], 'impersonate-group': ['devs'] }, user('x', ['group-impersonators'])), impl), 0, m);
    // A RoleBinding cannot grant impersonation of a user (cluster-wide check).
    assert.equal(firstDenied(plan({ 'impersonate-user': ['bob'] }, user('carol')), impl), 0, m);
  }
});
