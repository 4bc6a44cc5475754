// Rules 10-14 of rbac-semantics.md (escalation prevention and coverage), against the scan oracle and the index.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from '../../../apiserver/errors.ts';
import { checkEscalation, covers, type EscalationDeps, type EscalationRequest } from './escalation.ts';
import { U, clusterRole, crb, impls, rb, role, rule, snapshot, urlRule, user, type Impl } from './rbac-test-support.ts';
import type { UserInfo } from '../../../apiserver/auth/types.ts';
import type { ClusterRole, Role, RoleBinding } from './types.ts';

const RBAC = 'rbac.authorization.k8s.io';
const s = snapshot({
  clusterRoles: [
    clusterRole('pod-reader', [rule(['get'], [''], ['pods'])]),
    clusterRole('escalator', [rule(['escalate'], [RBAC], ['roles', 'clusterroles'])]),
    clusterRole('escalate-named', [rule(['escalate'], [RBAC], ['roles'], ['r1'])]),
    clusterRole('binder', [rule(['bind'], [RBAC], ['clusterroles'], ['powerful', 'ghost'])]),
    clusterRole('powerful', [rule(['*'], ['*'], ['*'])]),
    clusterRole('almost', [rule(['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'], ['*'], ['*'])]),
    clusterRole('full', [rule(['*'], ['*'], ['*']), urlRule(['*'], ['*'])]),
  ],
  roleBindings: [
    rb('ns1', 'reader', 'ClusterRole', 'pod-reader', [U('reader')]),
    rb('ns1', 'esc', 'ClusterRole', 'escalator', [U('esc')]),
    rb('ns1', 'esc-named', 'ClusterRole', 'escalate-named', [U('esc-named')]),
    rb('ns1', 'binder', 'ClusterRole', 'binder', [U('binder')]),
  ],
  clusterRoleBindings: [
    crb('cluster-reader', 'pod-reader', [U('cluster-reader')]),
    crb('powerful', 'powerful', [U('powerful')]),
    crb('almost', 'almost', [U('almost')]),
    crb('root', 'full', [U('root')]),
  ],
});

const deps = (impl: Impl): EscalationDeps => ({ authorize: impl.authorize, rulesFor: impl.rulesFor, roleRules: impl.roleRules });

async function outcome(impl: Impl, r: EscalationRequest): Promise<string> {
  try {
    await checkEscalation(r, deps(impl));
    return 'ok';
  } catch (e) {
    if (!(e instanceof StatusError)) throw e;
    return `${e.code} ${e.message}`;
  }
}

const roleReq = (u: UserInfo, ns: string, obj: Role, operation: 'create' | 'update' = 'create', name = operation === 'create' ? '' : obj.metadata.name): EscalationRequest =>
  ({ kind: 'Role', operation, user: u, cluster: 'c1', namespace: ns, name, object: obj, ...(operation === 'update' ? { oldObject: { ...obj, rules: [] } } : {}) });
const clusterRoleReq = (u: UserInfo, obj: ClusterRole, old?: ClusterRole): EscalationRequest =>
  ({ kind: 'ClusterRole', operation: old ? 'update' : 'create', user: u, cluster: 'c1', namespace: '', name: old ? obj.metadata.name : '', object: obj, ...(old ? { oldObject: old } : {}) });
const bindingReq = (u: UserInfo, obj: RoleBinding): EscalationRequest =>
  ({ kind: obj.kind === 'RoleBinding' ? 'RoleBinding' : 'ClusterRoleBinding', operation: 'create', user: u, cluster: 'c1', namespace: obj.metadata.namespace ?? '', name: '', object: obj });

test('rule 10: system:masters, then escalate/bind, then coverage by own rules (cluster scope: ClusterRoleBindings only)', async () => {
  const reader = user('reader', ['system:authenticated']);
  for (const impl of impls(s)) {
    const m = impl.name;
    assert.equal(await outcome(impl, roleReq(user('nobody', ['system:masters']), 'ns1', role('ns1', 'x', [rule(['*'], ['*'], ['*'])]))), 'ok', m);
    assert.equal(await outcome(impl, roleReq(reader, 'ns1', role('ns1', 'x', [rule(['get'], [''], ['pods'])]))), 'ok', m);
    assert.equal(await outcome(impl, roleReq(reader, 'ns1', role('ns1', 'x', [rule(['get', 'list', 'watch'], ['', 'apps'], ['pods'])]))),
      '403 roles.rbac.authorization.k8s.io "x" is forbidden: user "reader" (groups=["system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n' +
      '{APIGroups:[""], Resources:["pods"], Verbs:["list" "watch"]}\n{APIGroups:["apps"], Resources:["pods"], Verbs:["get" "list" "watch"]}', m);
    assert.equal((await outcome(impl, roleReq(reader, 'ns2', role('ns2', 'x', [rule(['get'], [''], ['pods'])])))).slice(0, 3), '403', m);
    assert.match(await outcome(impl, clusterRoleReq(reader, clusterRole('x', [rule(['get'], [''], ['pods'])]))), /^403 clusterroles\.rbac\.authorization\.k8s\.io "x" is forbidden: user "reader"/, m);
    assert.equal(await outcome(impl, clusterRoleReq(user('cluster-reader'), clusterRole('x', [rule(['get'], [''], ['pods'])]))), 'ok', m);
    assert.equal(await outcome(impl, roleReq(user('esc'), 'ns1', role('ns1', 'x', [rule(['*'], ['*'], ['*'])]))), 'ok', m);
    assert.equal((await outcome(impl, roleReq(user('esc'), 'ns2', role('ns2', 'x', [rule(['*'], ['*'], ['*'])])))).slice(0, 3), '403', m);
    assert.equal(await outcome(impl, bindingReq(user('binder'), rb('ns1', 'b', 'ClusterRole', 'powerful', [U('binder')]))), 'ok', m);
    assert.equal((await outcome(impl, bindingReq(user('binder'), rb('ns2', 'b', 'ClusterRole', 'powerful', [U('binder')])))).slice(0, 3), '403', m);
    assert.equal((await outcome(impl, bindingReq(user('binder'), crb('b', 'powerful', [U('binder')])))).slice(0, 3), '403', m);
    assert.equal(await outcome(impl, bindingReq(reader, rb('ns1', 'b', 'ClusterRole', 'pod-reader', [U('x')]))), 'ok', m);
    assert.match(await outcome(impl, bindingReq(reader, rb('ns1', 'b', 'ClusterRole', 'powerful', [U('x')]))),
      /^403 rolebindings\.rbac\.authorization\.k8s\.io "b" is forbidden: .*\n\{APIGroups:\["\*"\], Resources:\["\*"\], Verbs:\["\*"\]\}$/, m);
  }
});

test('rule 11: on create the escalate check sees an empty name', async () => {
  for (const impl of impls(s)) {
    const r1 = role('ns1', 'r1', [rule(['delete'], [''], ['secrets'])]);
    assert.equal(await outcome(impl, roleReq(user('esc-named'), 'ns1', r1, 'update')), 'ok', impl.name);
    assert.equal(((await outcome(impl, roleReq(user('esc-named'), 'ns1', r1, 'create')))).slice(0, 3), '403', impl.name);
  }
});

test('rule 12: coverage — `*` only by `*`, resourceNames never cover an unnamed rule', () => {
  const owner = [rule(['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'], ['', 'apps'], ['pods', 'deployments', '*/status'])];
  assert.equal(covers(owner, [rule(['*'], [''], ['pods'])]).covered, false);
  assert.equal(covers(owner, [rule(['get'], ['*'], ['pods'])]).covered, false);
  assert.equal(covers(owner, [rule(['get'], [''], ['*'])]).covered, false);
  assert.equal(covers(owner, [rule(['get', 'list'], ['apps'], ['deployments', 'pods/status'])]).covered, true);
  assert.equal(covers([rule(['*'], ['*'], ['*'])], [rule(['*'], ['*'], ['*'])]).covered, true);
  assert.equal(covers([rule(['get'], [''], ['secrets'], ['a'])], [rule(['get'], [''], ['secrets'])]).covered, false);
  assert.equal(covers([rule(['get'], [''], ['secrets'], ['a', 'b'])], [rule(['get'], [''], ['secrets'], ['b'])]).covered, true);
  assert.equal(covers([rule(['get'], [''], ['secrets'])], [rule(['get'], [''], ['secrets'], ['b'])]).covered, true);
  assert.equal(covers([urlRule(['get'], ['/api*'])], [urlRule(['get'], ['/apis/apps'])]).covered, true);
  assert.equal(covers([urlRule(['get'], ['/api/*'])], [urlRule(['get'], ['/api'])]).covered, false);
  assert.equal(covers([rule(['get'], ['*'], ['*'])], [urlRule(['get'], ['/healthz'])]).covered, false);
  const { missing } = covers(owner, [rule(['get', 'escalate'], ['apps'], ['pods'], ['p1'])]);
  assert.deepEqual(missing, [{ apiGroups: ['apps'], resources: ['pods'], verbs: ['escalate'], resourceNames: ['p1'] }]);
});

test('rule 13: setting or removing an aggregationRule needs full `*` authority', async () => {
  const agg = clusterRole('agg', [], undefined, [{ matchLabels: { a: 'true' } }]);
  const plain = clusterRole('agg', []);
  for (const impl of impls(s)) {
    const m = impl.name;
    assert.equal(await outcome(impl, clusterRoleReq(user('almost'), agg)),
      '403 clusterroles.rbac.authorization.k8s.io "agg" is forbidden: must have cluster-admin privileges to use the aggregationRule', m);
    assert.equal((await outcome(impl, clusterRoleReq(user('almost'), plain, agg))).slice(0, 3), '403', m);
    assert.equal(await outcome(impl, clusterRoleReq(user('almost'), plain, plain)), 'ok', m);
    assert.equal(await outcome(impl, clusterRoleReq(user('root'), agg)), 'ok', m);
    assert.equal(await outcome(impl, clusterRoleReq(user('root'), plain, agg)), 'ok', m);
  }
});

test('rule 14: with bind, a binding to a role that does not exist yet is accepted; without it the request fails', async () => {
  for (const impl of impls(s)) {
    const m = impl.name;
    assert.equal(await outcome(impl, bindingReq(user('binder'), rb('ns1', 'b', 'ClusterRole', 'ghost', [U('x')]))), 'ok', m);
    assert.equal(await outcome(impl, bindingReq(user('reader'), rb('ns1', 'b', 'ClusterRole', 'ghost', [U('x')]))),
      '404 clusterroles.rbac.authorization.k8s.io "ghost" not found', m);
    assert.equal(await outcome(impl, bindingReq(user('reader'), rb('ns1', 'b', 'Role', 'ghost', [U('x')]))),
      '404 roles.rbac.authorization.k8s.io "ghost" not found', m);
  }
});
