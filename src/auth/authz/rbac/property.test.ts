// Randomized equivalence: over generated policies, requests and watch-event sequences, the index
// (both matching modes) decides exactly as the Kubernetes-style scan, and rulesFor agrees.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { RbacIndex } from './index.ts';
import { PolicyScan } from './scan.ts';
import { normalizeRule, ruleKey } from './compiled-role.ts';
import type { Attributes, UserInfo } from '../../types.ts';
import type { ClusterRole, PolicyRule, PolicySnapshot, RbacKind, Role, RoleBinding, RulesForResult, Subject } from './types.ts';

const VERBS = ['get', 'list', 'watch', 'create', 'delete', '*', 'GET'];
const GROUPS = ['', 'apps', '*', 'Apps'];
const RESOURCES = ['pods', 'pods/status', 'pods/log', '*', '*/status', 'pods/*', 'deployments', 'secrets'];
const NAMES = ['a', 'b'];
const URLS = ['/api', '/api*', '/apis/*', '/healthz', '*', '/a*/b', '/ap**'];
const NAMESPACES = ['ns1', 'ns2', 'ns3'];
const ROLE_NAMES = ['r1', 'r2', 'r3', 'r4', 'r5'];
const USERS = ['alice', 'bob', 'system:serviceaccount:ns1:sa', 'system:serviceaccount:ns2:sa', 'system:serviceaccount:ns1:*', '*'];
const USER_GROUPS = ['devs', 'ops', 'system:authenticated', '*'];

const sub = (xs: string[], min: number, max: number) => fc.subarray(xs, { minLength: min, maxLength: max });
const arbRule: fc.Arbitrary<PolicyRule> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ verbs: sub(VERBS, 1, 4), apiGroups: sub(GROUPS, 1, 2), resources: sub(RESOURCES, 1, 4), resourceNames: sub(NAMES, 1, 2) }, { requiredKeys: ['verbs', 'apiGroups', 'resources'] }) },
  { weight: 1, arbitrary: fc.record({ verbs: sub(VERBS, 1, 2), nonResourceURLs: sub(URLS, 1, 3) }) },
);
const arbRules = fc.array(arbRule, { maxLength: 4 });
const arbSubject: fc.Arbitrary<Subject> = fc.oneof(
  fc.constantFrom(...USERS).map((name) => ({ kind: 'User', name })),
  fc.constantFrom(...USER_GROUPS).map((name) => ({ kind: 'Group', name })),
  fc.record({ kind: fc.constant('ServiceAccount'), name: fc.constantFrom('sa', '*'), namespace: fc.constantFrom('ns1', 'ns2') }, { requiredKeys: ['kind', 'name'] }),
  fc.constant({ kind: 'Bogus', name: 'alice' }),
);
const arbClusterRole = fc.record({ name: fc.constantFrom(...ROLE_NAMES.slice(0, 4)), rules: arbRules })
  .map(({ name, rules }): ClusterRole => ({ kind: 'ClusterRole', metadata: { name }, rules }));
const arbRole = fc.record({ ns: fc.constantFrom('ns1', 'ns2'), name: fc.constantFrom('r1', 'r2', 'r5'), rules: arbRules })
  .map(({ ns, name, rules }): Role => ({ kind: 'Role', metadata: { name, namespace: ns }, rules }));
const arbRef = fc.record({ kind: fc.constantFrom('ClusterRole', 'ClusterRole', 'Role', 'Other'), name: fc.constantFrom(...ROLE_NAMES) })
  .map((r) => ({ apiGroup: 'rbac.authorization.k8s.io', ...r }));
const arbRoleBinding = fc.record({ ns: fc.constantFrom(...NAMESPACES), name: fc.constantFrom('b1', 'b2', 'b3', 'b4'), ref: arbRef, subjects: fc.array(arbSubject, { maxLength: 3 }) })
  .map(({ ns, name, ref, subjects }): RoleBinding => ({ kind: 'RoleBinding', metadata: { name, namespace: ns }, roleRef: ref, subjects }));
const arbClusterRoleBinding = fc.record({ name: fc.constantFrom('c1', 'c2', 'c3', 'c4'), ref: arbRef, subjects: fc.array(arbSubject, { maxLength: 3 }) })
  .map(({ name, ref, subjects }): RoleBinding => ({ kind: 'ClusterRoleBinding', metadata: { name }, roleRef: ref, subjects }));

const arbUser: fc.Arbitrary<UserInfo> = fc.record({ username: fc.constantFrom(...USERS), groups: sub(USER_GROUPS, 0, 3) });
const base = { cluster: 'c1', apiVersion: 'v1' };
const arbRequest: fc.Arbitrary<Attributes> = fc.oneof(
  { weight: 4, arbitrary: fc.record({
    user: arbUser, verb: fc.constantFrom(...VERBS, 'update'), apiGroup: fc.constantFrom(...GROUPS), resource: fc.constantFrom('pods', 'deployments', 'secrets', 'Pods', '*'),
    subresource: fc.constantFrom('', '', 'status', 'log', '*'), namespace: fc.constantFrom('', ...NAMESPACES), name: fc.constantFrom('', 'a', 'b', 'c'),
  }).map((r) => ({ ...base, ...r, isResourceRequest: true, path: '' })) },
  { weight: 1, arbitrary: fc.record({ user: arbUser, verb: fc.constantFrom('get', 'post', '*'), path: fc.constantFrom('/api', '/apis', '/apis/apps', '/healthz', '/a*/b', '/ax/b', '/ap', '/version') })
    .map((r) => ({ ...base, ...r, isResourceRequest: false, apiGroup: '', resource: '', subresource: '', namespace: '', name: '' })) },
);

type Keyed = { kind: RbacKind; obj: ClusterRole | Role | RoleBinding };
const keyOf = (k: Keyed): string => `${k.kind}/${k.obj.metadata.namespace ?? ''}/${k.obj.metadata.name}`;
function toSnapshot(objects: Iterable<Keyed>): PolicySnapshot {
  const s: PolicySnapshot = { roles: [], clusterRoles: [], roleBindings: [], clusterRoleBindings: [] };
  for (const { kind, obj } of objects) {
    if (kind === 'Role') s.roles.push(obj as Role);
    else if (kind === 'ClusterRole') s.clusterRoles.push(obj as ClusterRole);
    else if (kind === 'RoleBinding') s.roleBindings.push(obj as RoleBinding);
    else s.clusterRoleBindings.push(obj as RoleBinding);
  }
  return s;
}
const arbKeyed: fc.Arbitrary<Keyed> = fc.oneof(
  arbClusterRole.map((obj) => ({ kind: 'ClusterRole' as const, obj })),
  arbRole.map((obj) => ({ kind: 'Role' as const, obj })),
  arbRoleBinding.map((obj) => ({ kind: 'RoleBinding' as const, obj })),
  arbClusterRoleBinding.map((obj) => ({ kind: 'ClusterRoleBinding' as const, obj })),
);

const ruleSet = (r: RulesForResult): string[] => [...new Set(r.rules.map((x) => ruleKey(normalizeRule(x))))].sort();

function assertSame(scan: PolicyScan, indexes: RbacIndex[], requests: Attributes[]): void {
  for (const a of requests) {
    const want = scan.authorize(a);
    for (const idx of indexes) {
      const got = idx.authorize(a);
      assert.equal(got.decision, want.decision, `decision for ${JSON.stringify(a)}`);
      if (got.decision === 'allow') assert.match(got.reason, /^RBAC: allowed by (Cluster)?RoleBinding "/);
      else assert.equal([...new Set(got.reason.split(/, |\[|\]/))].sort().join(), [...new Set(want.reason.split(/, |\[|\]/))].sort().join());
      const wantRules = scan.rulesFor(a.user, a.namespace);
      const gotRules = idx.rulesFor('c1', a.user, a.namespace);
      assert.deepEqual(ruleSet(gotRules), ruleSet(wantRules));
      assert.equal(gotRules.incomplete, wantRules.incomplete);
      assert.deepEqual([...gotRules.evaluationErrors].sort(), [...wantRules.evaluationErrors].sort());
    }
  }
}

test('index decides exactly as the scan over random policies and requests', () => {
  fc.assert(fc.property(fc.array(arbKeyed, { maxLength: 24 }), fc.array(arbRequest, { minLength: 1, maxLength: 30 }), (objects, requests) => {
    const unique = new Map(objects.map((o) => [keyOf(o), o]));
    const s = toSnapshot(unique.values());
    const indexes = [new RbacIndex(), new RbacIndex({ linearLimit: -1 })];
    for (const idx of indexes) idx.load('c1', s);
    assertSame(new PolicyScan(s), indexes, requests);
  }), { numRuns: 1500 });
});

test('index stays equal to the scan through random ADDED / MODIFIED / DELETED sequences', () => {
  const arbEvent = fc.record({ type: fc.constantFrom('ADDED', 'MODIFIED', 'DELETED', 'DELETED'), item: arbKeyed });
  fc.assert(fc.property(fc.array(arbKeyed, { maxLength: 16 }), fc.array(arbEvent, { maxLength: 30 }), fc.array(arbRequest, { minLength: 1, maxLength: 8 }), (initial, events, requests) => {
    const model = new Map(initial.map((o) => [keyOf(o), o]));
    const indexes = [new RbacIndex(), new RbacIndex({ linearLimit: -1 })];
    for (const idx of indexes) idx.load('c1', toSnapshot(model.values()));
    for (const [i, ev] of events.entries()) {
      const type = ev.type as 'ADDED' | 'MODIFIED' | 'DELETED';
      if (type === 'DELETED') model.delete(keyOf(ev.item)); else model.set(keyOf(ev.item), ev.item);
      for (const idx of indexes) idx.apply('c1', ev.item.kind, type, ev.item.obj);
      if (i % 5 === 4 || i === events.length - 1) assertSame(new PolicyScan(toSnapshot(model.values())), indexes, requests);
    }
    for (const idx of indexes) {
      idx.dropCluster('c1');
      assert.deepEqual(idx.stats(), { clusters: 0, bindings: 0, compiledRoles: 0 });
    }
  }), { numRuns: 400 });
});
