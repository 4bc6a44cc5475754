// Randomized equivalence: over generated policies, requests and watch-event sequences, the index
// (every matching mode, reason order and cache budget) decides exactly as the Kubernetes-style scan, names a
// binding that grants, and rulesFor agrees.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { RbacIndex } from './index.ts';
import { describeSource, PolicyScan } from './scan-oracle.ts';
import { ruleAllows } from './rule-match.ts';
import { allowedReason } from './describe.ts';
import { normalizeRule, ruleKey } from './compiled-role.ts';
import type { Attributes, UserInfo } from '../../../apiserver/auth/types.ts';
import type { ClusterRole, PolicyRule, PolicySnapshot, RbacKind, Role, RoleBinding, RulesForResult, Subject } from './types.ts';

const VERBS = ['get', 'list', 'watch', 'create', 'delete', '*', 'GET'];
const GROUPS = ['', 'apps', '*', 'Apps'];
const RESOURCES = ['pods', 'pods/status', 'pods/log', '*', '*/status', 'pods/*', 'deployments', 'secrets'];
const NAMES = ['a', 'b', ''];
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

/**
 * Requests aimed at the policy (most random requests are denied): a binding's subject as the user, one of
 * its role's rules made concrete, then, one time in three, one field changed (near misses).
 */
function derivedRequests(s: PolicySnapshot, picks: number[]): Attributes[] {
  const roleOf = (b: RoleBinding): Role | undefined => (b.roleRef.kind === 'Role'
    ? s.roles.find((r) => r.metadata.name === b.roleRef.name && r.metadata.namespace === b.metadata.namespace)
    : b.roleRef.kind === 'ClusterRole' ? s.clusterRoles.find((r) => r.metadata.name === b.roleRef.name) : undefined);
  const all = [...s.clusterRoleBindings, ...s.roleBindings];
  const usable = all.filter((b) => b.subjects?.length && roleOf(b)?.rules?.length);
  const bindings = usable.length ? usable : all;
  const out: Attributes[] = [];
  if (bindings.length === 0) return out;
  for (let i = 0; i + 8 <= picks.length; i += 8) {
    const p = picks.slice(i, i + 8);
    const of = <T>(xs: readonly T[] | null | undefined, k: number): T | undefined => (xs?.length ? xs[p[k]! % xs.length] : undefined);
    const b = of(bindings, 0)!;
    const ns = b.metadata.namespace ?? '';
    const subj = of(b.subjects, 1);
    const groups = USER_GROUPS.filter((_g, j) => (p[2]! >> j) & 1);
    let u: UserInfo = { username: of(USERS, 2)!, groups };
    if (subj?.kind === 'User') u = { username: subj.name, groups };
    else if (subj?.kind === 'Group') u = { username: of(USERS, 2)!, groups: [...new Set([...groups, subj.name])] };
    else if (subj?.kind === 'ServiceAccount') u = { username: `system:serviceaccount:${subj.namespace || ns}:${subj.name}`, groups };
    const r = of(roleOf(b)?.rules, 3);
    if (!r) continue;
    const concrete = (x: string | undefined, pool: string[]): string => (x === undefined || x === '*' ? of(pool, 5)! : x);
    const verb = concrete(of(r.verbs, 4), VERBS);
    let a: Attributes;
    if (r.nonResourceURLs?.length && !(p[6]! % 2 && r.resources?.length)) {
      const url = of(r.nonResourceURLs, 6)!;
      const path = url === '*' ? '/anything' : url.endsWith('*') ? url.replace(/\*+$/, '') + (p[7]! % 2 ? 'x' : '') : url;
      a = { ...base, user: u, verb, isResourceRequest: false, path, apiGroup: '', resource: '', subresource: '', namespace: '', name: '' };
    } else {
      const full = of(r.resources, 6) ?? 'pods';
      const res = full === '*' ? 'pods' : full.startsWith('*/') ? 'pods' + full.slice(1) : full;
      const [resource, subresource = ''] = res.split(/\/(.*)/s);
      const name = of(r.resourceNames, 7) ?? (p[7]! % 2 ? 'a' : '');
      const namespace = ns !== '' ? ns : of(['', ...NAMESPACES], 7)!;
      a = { ...base, user: u, verb, isResourceRequest: true, path: '', apiGroup: concrete(of(r.apiGroups, 5), GROUPS), resource: resource!, subresource, namespace, name };
    }
    if (p[7]! % 3 === 0) {
      const field = (['verb', 'apiGroup', 'resource', 'subresource', 'name', 'namespace', 'path'] as const)[p[1]! % 7]!;
      a = { ...a, [field]: of(field === 'verb' ? VERBS : ['', 'a', 'pods', 'status', 'ns1', '/api', 'apps'], 4)! };
    }
    out.push(a);
  }
  return out;
}
const arbPicks = fc.array(fc.array(fc.nat(), { minLength: 8, maxLength: 8 }), { minLength: 4, maxLength: 20 }).map((xs) => xs.flat());

/**
 * Defaults; grant-by-grant order for every subject with rule-by-rule matching; role-by-role order; tiny view
 * budgets (constant resets); group segments always shared, with evictions; no view cache, rule-by-rule matching (must name the same binding as the default).
 */
const variants = (): RbacIndex[] => [
  new RbacIndex(), new RbacIndex({ byRule: true, mergeAbove: 1 }), new RbacIndex({ tables: false }),
  new RbacIndex({ mergeAbove: 1, maxTableEntries: 6, minCacheBytes: 0, cacheBytesPerBinding: 1 }),
  new RbacIndex({ shareGroupsAbove: 0, minCacheBytes: 0, cacheBytesPerBinding: 200 }),
  new RbacIndex({ byRule: true, cacheBytesPerBinding: 0 }),
];

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

/** Every reason the scan could give for allowing `a`: one per granting rule of every binding that applies. */
function allowReasons(scan: PolicyScan, a: Attributes): Set<string> {
  const out = new Set<string>();
  scan.visitRulesFor(a.user, a.namespace, (src, rule) => {
    if (src && rule && ruleAllows(a, rule)) out.add(allowedReason(describeSource(src)));
    return true;
  });
  return out;
}

function assertSame(scan: PolicyScan, indexes: RbacIndex[], requests: Attributes[]): void {
  for (const a of requests) {
    const want = scan.authorize(a);
    const reasons = want.decision === 'allow' ? allowReasons(scan, a) : null;
    for (const idx of indexes) {
      const got = idx.authorize(a);
      assert.equal(got.decision, want.decision, `decision for ${JSON.stringify(a)}`);
      if (got.decision === 'allow') assert.ok(reasons!.has(got.reason), `${got.reason} names a binding that grants ${JSON.stringify(a)}`);
      else assert.equal([...new Set(got.reason.split(/, |\[|\]/))].sort().join(), [...new Set(want.reason.split(/, |\[|\]/))].sort().join());
      const wantRules = scan.rulesFor(a.user, a.namespace);
      const gotRules = idx.rulesFor('c1', a.user, a.namespace);
      assert.deepEqual(ruleSet(gotRules), ruleSet(wantRules));
      assert.equal(gotRules.incomplete, wantRules.incomplete);
      assert.deepEqual([...gotRules.evaluationErrors].sort(), [...wantRules.evaluationErrors].sort());
    }
    // Permission ids and rule-by-rule matching name the same binding.
    assert.equal(indexes[0]!.authorize(a).reason, indexes[indexes.length - 1]!.authorize(a).reason, JSON.stringify(a));
  }
}

test('index decides exactly as the scan over random policies and requests', () => {
  fc.assert(fc.property(fc.array(arbKeyed, { maxLength: 24 }), fc.array(arbRequest, { minLength: 1, maxLength: 30 }), arbPicks, (objects, random, picks) => {
    const unique = new Map(objects.map((o) => [keyOf(o), o]));
    const s = toSnapshot(unique.values());
    const indexes = variants();
    for (const idx of indexes) idx.load('c1', s);
    assertSame(new PolicyScan(s), indexes, [...random, ...derivedRequests(s, picks)]);
  }), { numRuns: 1500 });
});

test('index stays equal to the scan through random ADDED / MODIFIED / DELETED sequences', () => {
  // `existing`: a DELETED event usually removes an object that is there (views built for it must go).
  const arbEvent = fc.record({ type: fc.constantFrom('ADDED', 'MODIFIED', 'DELETED', 'DELETED'), item: arbKeyed, existing: fc.nat() });
  fc.assert(fc.property(fc.array(arbKeyed, { maxLength: 16 }), fc.array(arbEvent, { maxLength: 30 }), fc.array(arbRequest, { minLength: 1, maxLength: 10 }), arbPicks, (initial, events, random, picks) => {
    const model = new Map(initial.map((o) => [keyOf(o), o]));
    const requests = [...random, ...derivedRequests(toSnapshot([...initial, ...events.map((e) => e.item)]), picks)];
    const indexes = variants();
    for (const idx of indexes) idx.load('c1', toSnapshot(model.values()));
    assertSame(new PolicyScan(toSnapshot(model.values())), indexes, requests);
    for (const ev of events) {
      const type = ev.type as 'ADDED' | 'MODIFIED' | 'DELETED';
      const present = [...model.values()];
      const item = type === 'DELETED' && ev.existing % 4 !== 0 && present.length > 0 ? present[ev.existing % present.length]! : ev.item;
      if (type === 'DELETED') model.delete(keyOf(item)); else model.set(keyOf(item), item);
      for (const idx of indexes) idx.apply('c1', item.kind, type, item.obj);
      assertSame(new PolicyScan(toSnapshot(model.values())), indexes, requests);
    }
    for (const idx of indexes) {
      idx.dropCluster('c1');
      assert.deepEqual(idx.stats(), { clusters: 0, bindings: 0, compiledRoles: 0 });
    }
  }), { numRuns: 400 });
});
