// Test-only helpers: compact builders of RBAC objects and attributes, and the two authorizers
// (scan oracle and index) behind one interface so every semantic test runs against both.
import type { Attributes, AuthorizerResult, UserInfo } from '../../../apiserver/auth/types.ts';
import { RbacIndex } from './index.ts';
import { PolicyScan } from './scan-oracle.ts';
import type { ClusterRole, LabelSelector, PolicyRule, PolicySnapshot, Role, RoleBinding, RoleRef, RulesForResult, Subject } from './types.ts';

export const U = (name: string): Subject => ({ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name });
export const G = (name: string): Subject => ({ kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name });
export const SA = (name: string, namespace?: string): Subject => (namespace === undefined ? { kind: 'ServiceAccount', name } : { kind: 'ServiceAccount', name, namespace });

export const rule = (verbs: string[], apiGroups: string[], resources: string[], resourceNames?: string[]): PolicyRule =>
  (resourceNames ? { verbs, apiGroups, resources, resourceNames } : { verbs, apiGroups, resources });
export const urlRule = (verbs: string[], nonResourceURLs: string[]): PolicyRule => ({ verbs, nonResourceURLs });

export const clusterRole = (name: string, rules: PolicyRule[] | null, labels?: Record<string, string>, selectors?: LabelSelector[]): ClusterRole => ({
  apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: labels ? { name, labels } : { name }, rules,
  ...(selectors ? { aggregationRule: { clusterRoleSelectors: selectors } } : {}),
});
export const role = (namespace: string, name: string, rules: PolicyRule[]): Role =>
  ({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name, namespace }, rules });
const ref = (kind: string, name: string): RoleRef => ({ apiGroup: 'rbac.authorization.k8s.io', kind, name });
export const crb = (name: string, roleName: string, subjects: Subject[] | null, roleKind = 'ClusterRole'): RoleBinding =>
  ({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name }, roleRef: ref(roleKind, roleName), subjects });
export const rb = (namespace: string, name: string, roleKind: string, roleName: string, subjects: Subject[]): RoleBinding =>
  ({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name, namespace }, roleRef: ref(roleKind, roleName), subjects });

export const snapshot = (p: Partial<PolicySnapshot>): PolicySnapshot =>
  ({ roles: p.roles ?? [], clusterRoles: p.clusterRoles ?? [], roleBindings: p.roleBindings ?? [], clusterRoleBindings: p.clusterRoleBindings ?? [] });

export const user = (username: string, groups: string[] = []): UserInfo => ({ username, groups });

/** A resource request; `resource` may be "pods/status". */
export function res(u: UserInfo, verb: string, group: string, resource: string, namespace = '', name = ''): Attributes {
  const [r, sub = ''] = resource.split(/\/(.*)/s);
  return { user: u, cluster: 'c1', verb, isResourceRequest: true, path: '', apiGroup: group, apiVersion: 'v1', resource: r!, subresource: sub, namespace, name };
}
export function nonRes(u: UserInfo, verb: string, path: string): Attributes {
  return { user: u, cluster: 'c1', verb, isResourceRequest: false, path, apiGroup: '', apiVersion: '', resource: '', subresource: '', namespace: '', name: '' };
}

export interface Impl {
  name: string;
  authorize(a: Attributes): AuthorizerResult;
  rulesFor(u: UserInfo, namespace: string): RulesForResult;
  roleRules(r: RoleRef, namespace: string): readonly PolicyRule[] | null;
}

/** The authorizers over the same snapshot (cluster "c1"): scan, index, index matching rule by rule with grant-by-grant order, index without merged tables. */
export function impls(s: PolicySnapshot): Impl[] {
  const scan = new PolicyScan(s);
  const index = new RbacIndex();
  index.load('c1', s);
  const compiled = new RbacIndex({ byRule: true, mergeAbove: 1 });
  compiled.load('c1', s);
  const roleByRole = new RbacIndex({ tables: false });
  roleByRole.load('c1', s);
  const roleRules = (r: RoleRef, namespace: string): readonly PolicyRule[] | null => {
    const res = scan.roleReferenceRules(r, namespace);
    return 'rules' in res ? res.rules : null;
  };
  return [
    { name: 'scan', authorize: (a) => scan.authorize(a), rulesFor: (u, ns) => scan.rulesFor(u, ns), roleRules },
    { name: 'index', authorize: (a) => index.authorize(a), rulesFor: (u, ns) => index.rulesFor('c1', u, ns), roleRules },
    { name: 'index(maps)', authorize: (a) => compiled.authorize(a), rulesFor: (u, ns) => compiled.rulesFor('c1', u, ns), roleRules },
    { name: 'index(role by role)', authorize: (a) => roleByRole.authorize(a), rulesFor: (u, ns) => roleByRole.rulesFor('c1', u, ns), roleRules },
  ];
}

export const allowed = (impl: Impl, a: Attributes): boolean => impl.authorize(a).decision === 'allow';
