// Deterministic generators for the authorization benchmark: tenant policies (built-in policy plus custom
// roles and bindings), the "whale" cluster, and skewed request streams.
import type { Attributes, UserInfo } from '../../src/apiserver/auth/types.ts';
import { loadBootstrapPolicy } from '../../src/auth/authz/rbac/bootstrap.ts';
import { applyAggregation } from '../../src/auth/authz/rbac/aggregation.ts';
import type { ClusterRole, PolicyRule, PolicySnapshot, Role, RoleBinding, Subject } from '../../src/auth/authz/rbac/types.ts';

export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
/** Skewed pick: low indexes are much more frequent (rank ~ r^2). */
const skew = (r: () => number, n: number): number => Math.floor(n * r() * r());
const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

const bootstrap = loadBootstrapPolicy();
const builtinClusterRoles = applyAggregation(bootstrap.clusterRoles);

const RES: Array<[string, string]> = [['', 'pods'], ['', 'pods/log'], ['', 'configmaps'], ['', 'secrets'], ['', 'services'], ['apps', 'deployments'], ['apps', 'statefulsets'], ['batch', 'jobs'], ['rbac.authorization.k8s.io', 'roles']];
const VERBS = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'];

/** Custom ClusterRoles; `i` selects the content, so equal `i` means equal content across tenants. */
function customClusterRole(i: number): ClusterRole {
  const rules: PolicyRule[] = [
    { verbs: VERBS.slice(0, 3 + (i % 5)), apiGroups: ['example.com'], resources: [`widgets${i}`, `widgets${i}/status`] },
    { verbs: ['get', 'list'], apiGroups: [RES[i % RES.length]![0]], resources: [RES[i % RES.length]![1]] },
  ];
  if (i % 3 === 0) rules.push({ verbs: ['get'], apiGroups: [''], resources: ['secrets'], resourceNames: [`db-${i}`, 'tls'] });
  return { kind: 'ClusterRole', metadata: { name: `custom-${i}` }, rules };
}
function localRole(ns: string, variant: number): Role {
  return { kind: 'Role', metadata: { name: 'local', namespace: ns }, rules: [
    { verbs: VERBS.slice(0, 2 + (variant % 6)), apiGroups: ['', 'apps'], resources: ['pods', 'deployments', 'configmaps'] },
    { verbs: ['get'], apiGroups: [''], resources: ['secrets'], resourceNames: [`s${variant}`] },
  ] };
}

export interface ClusterSpec {
  namespaces: number; clusterBindings: number; roleBindingsPerNs: number;
  users: number; groups: number; customRoles: number;
}
export interface GeneratedCluster { snapshot: PolicySnapshot; users: UserInfo[]; namespaces: string[] }
/** What requests are generated from: a cluster's users and namespaces. */
export type RequestSource = Pick<GeneratedCluster, 'users' | 'namespaces'>;

const subject = (r: () => number, users: UserInfo[], groups: string[], ns: string): Subject => {
  const x = r();
  if (x < 0.7) return { kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: users[skew(r, users.length)]!.username };
  if (x < 0.9 || ns === '') return { kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: groups[skew(r, groups.length)]! };
  return { kind: 'ServiceAccount', name: `sa-${skew(r, 20)}` };
};

/** One logical cluster: the built-in policy plus custom roles and skewed bindings. */
export function generateCluster(name: string, seed: number, spec: ClusterSpec): GeneratedCluster {
  const r = prng(seed);
  const groups = Array.from({ length: spec.groups }, (_, i) => `${name}:team-${i}`);
  const users: UserInfo[] = Array.from({ length: spec.users }, (_, i) => ({
    username: `${name}:user-${i}`, groups: [groups[i % groups.length]!, ...(i % 3 === 0 ? [groups[(i * 7 + 1) % groups.length]!] : []), 'system:authenticated'],
  }));
  const namespaces = Array.from({ length: spec.namespaces }, (_, i) => `ns-${i}`);
  const customs = Array.from({ length: spec.customRoles }, (_, i) => customClusterRole((seed + i) % 64));
  const clusterRoles = [...builtinClusterRoles, ...customs];
  const roleNames = ['view', 'edit', 'admin', ...customs.map((c) => c.metadata.name)];
  const clusterRoleBindings: RoleBinding[] = [...bootstrap.clusterRoleBindings];
  for (let i = 0; i < spec.clusterBindings; i++) {
    const roleName = i === 0 ? 'cluster-admin' : pick(r, ['view', ...customs.map((c) => c.metadata.name)]);
    clusterRoleBindings.push({ kind: 'ClusterRoleBinding', metadata: { name: `crb-${i}` },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: roleName }, subjects: [subject(r, users, groups, '')] });
  }
  const roles: Role[] = [...bootstrap.roles];
  const roleBindings: RoleBinding[] = [...bootstrap.roleBindings];
  for (const ns of namespaces) {
    roles.push(localRole(ns, Math.floor(r() * 8)));
    for (let i = 0; i < spec.roleBindingsPerNs; i++) {
      const local = r() < 0.25;
      const subjects = [subject(r, users, groups, ns)];
      if (r() < 0.2) subjects.push(subject(r, users, groups, ns));
      roleBindings.push({ kind: 'RoleBinding', metadata: { name: `rb-${i}`, namespace: ns },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: local ? 'Role' : 'ClusterRole', name: local ? 'local' : pick(r, roleNames) }, subjects });
    }
  }
  for (let i = 0; i < 20; i++) users.push({ username: `system:serviceaccount:${pick(r, namespaces)}:sa-${i}`, groups: ['system:serviceaccounts', 'system:authenticated'] });
  return { snapshot: { clusterRoles, roles, clusterRoleBindings, roleBindings }, users, namespaces };
}

export const bindingCount = (s: PolicySnapshot): number => s.clusterRoleBindings.length + s.roleBindings.length;

/** A random request of a (skew-picked) user of the cluster. */
export function randomRequest(r: () => number, cluster: string, g: RequestSource): Attributes {
  const user = g.users[skew(r, g.users.length)]!;
  if (r() < 0.05) {
    return { user, cluster, verb: 'get', isResourceRequest: false, path: pick(r, ['/api', '/apis/apps/v1', '/version', '/metrics', '/healthz', '/logs/x']),
      apiGroup: '', apiVersion: '', resource: '', subresource: '', namespace: '', name: '' };
  }
  const custom = r() < 0.3;
  const [group, full] = custom ? ['example.com', `widgets${Math.floor(r() * 64)}${r() < 0.2 ? '/status' : ''}`] : pick(r, RES);
  const [resource, subresource = ''] = full.split('/');
  const namespace = r() < 0.1 ? '' : pick(r, g.namespaces);
  const verb = pick(r, VERBS);
  const name = verb === 'list' || verb === 'watch' || verb === 'create' ? '' : pick(r, ['x', 'tls', 's1', 'db-3', 'web']);
  return { user, cluster, verb, isResourceRequest: true, path: '', apiGroup: group, apiVersion: 'v1', resource: resource!, subresource, namespace, name };
}

/** `count` requests, half allowed and half denied according to `decide`. */
export function balancedRequests(count: number, seed: number, next: (r: () => number) => Attributes, decide: (a: Attributes) => boolean): Attributes[] {
  const r = prng(seed);
  const yes: Attributes[] = [], no: Attributes[] = [];
  for (let tries = 0; (yes.length < count / 2 || no.length < count / 2) && tries < count * 200; tries++) {
    const a = next(r);
    const bucket = decide(a) ? yes : no;
    if (bucket.length < count / 2) bucket.push(a);
  }
  const out: Attributes[] = [];
  for (let i = 0; i < Math.max(yes.length, no.length); i++) {
    if (i < yes.length) out.push(yes[i]!);
    if (i < no.length) out.push(no[i]!);
  }
  return out;
}
