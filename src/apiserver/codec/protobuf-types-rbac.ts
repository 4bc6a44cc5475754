// Protobuf descriptors of rbac.authorization.k8s.io/v1 (k8s.io/api/rbac/v1/generated.proto).
import type { KindSpec, MessageSpecs } from './protobuf-schema.ts';

export const rbacMessages: MessageSpecs = {
  PolicyRule: {
    verbs: [1, 'string', 'r'], apiGroups: [2, 'string', 'r'], resources: [3, 'string', 'r'],
    resourceNames: [4, 'string', 'r'], nonResourceURLs: [5, 'string', 'r'],
  },
  AggregationRule: { clusterRoleSelectors: [1, 'LabelSelector', 'r'] },
  Role: { metadata: [1, 'ObjectMeta', 'v'], rules: [2, 'PolicyRule', 'r'] },
  ClusterRole: {
    metadata: [1, 'ObjectMeta', 'v'], rules: [2, 'PolicyRule', 'r'], aggregationRule: [3, 'AggregationRule'],
  },
  Subject: { kind: [1, 'string'], apiGroup: [2, 'string'], name: [3, 'string'], namespace: [4, 'string'] },
  RoleRef: { apiGroup: [1, 'string'], kind: [2, 'string'], name: [3, 'string'] },
  RoleBinding: { metadata: [1, 'ObjectMeta', 'v'], subjects: [2, 'Subject', 'r'], roleRef: [3, 'RoleRef', 'v'] },
  ClusterRoleBinding: {
    metadata: [1, 'ObjectMeta', 'v'], subjects: [2, 'Subject', 'r'], roleRef: [3, 'RoleRef', 'v'],
  },
};

const v = 'rbac.authorization.k8s.io/v1';
export const rbacKinds: KindSpec[] = ['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding']
  .map((kind) => ({ apiVersion: v, kind, message: kind }));
