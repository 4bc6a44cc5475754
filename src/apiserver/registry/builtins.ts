// The built-in resource types every logical cluster serves, as data; behaviour comes from their strategies.
import type { ResourceType, Strategy, SubresourceHandler } from './types.ts';
import { STORED_VERBS } from './types.ts';
import { defaultStrategy } from './strategies/default.ts';
import { configMapStrategy, namespaceStrategy, secretStrategy } from './strategies/core.ts';
import { clusterRoleBindingStrategy, clusterRoleStrategy, roleBindingStrategy, roleStrategy } from './strategies/rbac.ts';
import { crdStrategy } from './strategies/crd.ts';
import { extendStrategy } from './strategies/default.ts';

/** Pods are stored as data; like a real server, a new pod starts Pending. */
const podStrategy = extendStrategy({
  prepareForCreate(obj) { obj.status = { phase: 'Pending', ...(obj.status as object | undefined) }; },
});

interface Def {
  shortNames?: string[];
  categories?: string[];
  cluster?: boolean;
  strategy?: Strategy;
  status?: boolean;
  singular?: string;
  verbs?: string[];
  onlyInClusters?: string[];
}

export function defineType(group: string, version: string, resource: string, kind: string, d: Def = {}): ResourceType {
  const subresources: SubresourceHandler[] = d.status
    ? [{ name: 'status', kind, group, version, verbs: ['get', 'patch', 'update'] }]
    : [];
  return {
    group, version, resource, kind, listKind: `${kind}List`,
    singular: d.singular ?? kind.toLowerCase(),
    namespaced: !d.cluster,
    shortNames: d.shortNames ?? [],
    categories: d.categories ?? [],
    verbs: d.verbs ?? STORED_VERBS,
    subresources,
    strategy: d.strategy ?? defaultStrategy,
    onlyInClusters: d.onlyInClusters,
  };
}

const ALL = ['all'];
const RBAC = 'rbac.authorization.k8s.io';

/** Built-in stored types. Subresources with handlers (serviceaccounts/token) are attached by the server. */
export function builtinTypes(): ResourceType[] {
  return [
    defineType('', 'v1', 'namespaces', 'Namespace', { cluster: true, shortNames: ['ns'], strategy: namespaceStrategy, status: true }),
    defineType('', 'v1', 'serviceaccounts', 'ServiceAccount', { shortNames: ['sa'] }),
    defineType('', 'v1', 'secrets', 'Secret', { strategy: secretStrategy }),
    defineType('', 'v1', 'configmaps', 'ConfigMap', { shortNames: ['cm'], strategy: configMapStrategy }),
    defineType('', 'v1', 'events', 'Event', { shortNames: ['ev'] }),
    defineType('', 'v1', 'pods', 'Pod', { shortNames: ['po'], categories: ALL, status: true, strategy: podStrategy }),
    defineType('', 'v1', 'services', 'Service', { shortNames: ['svc'], categories: ALL, status: true }),
    defineType('', 'v1', 'endpoints', 'Endpoints', { shortNames: ['ep'], singular: 'endpoints' }),
    defineType('', 'v1', 'persistentvolumeclaims', 'PersistentVolumeClaim', { shortNames: ['pvc'], status: true }),
    defineType('', 'v1', 'persistentvolumes', 'PersistentVolume', { cluster: true, shortNames: ['pv'], status: true }),
    defineType('', 'v1', 'nodes', 'Node', { cluster: true, shortNames: ['no'], status: true }),
    defineType(RBAC, 'v1', 'roles', 'Role', { strategy: roleStrategy }),
    defineType(RBAC, 'v1', 'clusterroles', 'ClusterRole', { cluster: true, strategy: clusterRoleStrategy }),
    defineType(RBAC, 'v1', 'rolebindings', 'RoleBinding', { strategy: roleBindingStrategy }),
    defineType(RBAC, 'v1', 'clusterrolebindings', 'ClusterRoleBinding', { cluster: true, strategy: clusterRoleBindingStrategy }),
    defineType('apps', 'v1', 'deployments', 'Deployment', { shortNames: ['deploy'], categories: ALL, status: true }),
    defineType('apps', 'v1', 'statefulsets', 'StatefulSet', { shortNames: ['sts'], categories: ALL, status: true }),
    defineType('apps', 'v1', 'daemonsets', 'DaemonSet', { shortNames: ['ds'], categories: ALL, status: true }),
    defineType('apps', 'v1', 'replicasets', 'ReplicaSet', { shortNames: ['rs'], categories: ALL, status: true }),
    defineType('apiextensions.k8s.io', 'v1', 'customresourcedefinitions', 'CustomResourceDefinition', { cluster: true, shortNames: ['crd', 'crds'], strategy: crdStrategy, status: true }),
    defineType('coordination.k8s.io', 'v1', 'leases', 'Lease'),
  ];
}
