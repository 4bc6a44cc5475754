// Unit tests of the host-tier RBAC plan: defaults, the ClusterRole trigger, overwrite/extra, multi-namespace.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEFAULT_CLUSTER_RULES, DEFAULT_ROLE_RULES, DELEGATION_RULE, MULTI_NAMESPACE_RULES, desiredHostObjects, effectiveDelegation, hostRbacPlan,
} from './host-rbac-rules.ts';
import type { TenantClusterSpec } from '../resources/index.ts';

const spec = (s: Partial<TenantClusterSpec> = {}): TenantClusterSpec => ({ project: 'p', ...s });
const names = (s: TenantClusterSpec) => desiredHostObjects(hostRbacPlan('a', s)).map((o) => `${o.object.kind}/${o.namespace ? `${o.namespace}/` : ''}${o.object.metadata.name}`);

describe('host-tier RBAC plan', () => {
  it('defaults: SA, Role and binding in tc-<name>; a ClusterRole because nodes are delegated', () => {
    const p = hostRbacPlan('a', spec());
    assert.equal(p.hostCluster, 'host');
    assert.equal(p.serviceAccountUser, 'system:serviceaccount:tc-a:vc-a');
    assert.deepEqual(p.roleRules, DEFAULT_ROLE_RULES);
    assert.deepEqual(p.clusterRoleRules, [...DEFAULT_CLUSTER_RULES, DELEGATION_RULE]);
    assert.deepEqual(names(spec()), ['ServiceAccount/tc-a/vc-a', 'Role/tc-a/vc-a', 'RoleBinding/tc-a/vc-a', 'ClusterRole/vc-a', 'ClusterRoleBinding/vc-a']);
  });

  it('no delegation and no rules: no ClusterRole, unless enabled', () => {
    assert.equal(hostRbacPlan('a', spec({ delegation: {} })).clusterRoleRules, null);
    assert.deepEqual(hostRbacPlan('a', spec({ delegation: {}, rbac: { clusterRole: { enabled: true } } })).clusterRoleRules, DEFAULT_CLUSTER_RULES);
    assert.equal(hostRbacPlan('a', spec({ rbac: { clusterRole: { enabled: false } } })).clusterRoleRules, null);
  });

  it('overwriteRules replace, extraRules add, for both roles', () => {
    const over = [{ apiGroups: [''], resources: ['nodes'], verbs: ['get'] }];
    const extra = [{ apiGroups: ['x.io'], resources: ['things'], verbs: ['list'] }];
    const p = hostRbacPlan('a', spec({ delegation: {}, rbac: { clusterRole: { overwriteRules: over, extraRules: extra }, role: { overwriteRules: over, extraRules: extra } } }));
    assert.deepEqual(p.clusterRoleRules, [...over, ...extra]);
    assert.deepEqual(p.roleRules, [...over, ...extra]);
    assert.equal(hostRbacPlan('a', spec({ rbac: { role: { enabled: false } } })).roleRules, null);
  });

  it('multi-namespace mode: ClusterRole vc-<name>-multi instead of the Role', () => {
    const s = spec({ delegation: {}, sync: { toHost: { namespaces: { enabled: true } } } });
    assert.deepEqual(names(s), ['ServiceAccount/tc-a/vc-a', 'ClusterRole/vc-a-multi', 'ClusterRoleBinding/vc-a-multi']);
    const multi = desiredHostObjects(hostRbacPlan('a', s))[1].object as unknown as { rules: unknown[] };
    assert.deepEqual(multi.rules, [...MULTI_NAMESPACE_RULES, ...DEFAULT_ROLE_RULES]);
  });

  it('effective delegation: unset means nodes; a set config lists exactly what is delegated', () => {
    assert.deepEqual(effectiveDelegation(spec()), { resources: [{ group: '', resource: 'nodes' }], nonResourceURLs: [] });
    assert.deepEqual(effectiveDelegation(spec({ delegation: { nonResourceURLs: ['/logs/*'] } })), { resources: [], nonResourceURLs: ['/logs/*'] });
  });
});
