// Schemas of rbac.authorization.k8s.io/v1: Role, ClusterRole, RoleBinding, ClusterRoleBinding (complete).
import { atomicArr, obj, str, type Schema } from './schema-types.ts';
import { kindSchema, labelSelector } from './builtin-meta.ts';

export const policyRule: Schema = obj({
  apiGroups: atomicArr(str()), nonResourceURLs: atomicArr(str()), resourceNames: atomicArr(str()),
  resources: atomicArr(str()), verbs: atomicArr(str()),
}, { required: ['verbs'] });

const roleRef: Schema = obj({ apiGroup: str(), kind: str(), name: str() },
  { required: ['apiGroup', 'kind', 'name'], 'x-kubernetes-map-type': 'atomic' });
const subject: Schema = obj({ apiGroup: str(), kind: str(), name: str(), namespace: str() },
  { required: ['kind', 'name'], 'x-kubernetes-map-type': 'atomic' });

export const role = kindSchema({ rules: atomicArr(policyRule) });
export const clusterRole = kindSchema({
  rules: atomicArr(policyRule),
  aggregationRule: obj({ clusterRoleSelectors: atomicArr(labelSelector) }),
});
export const roleBinding = kindSchema({ roleRef, subjects: atomicArr(subject) }, ['roleRef']);
export const clusterRoleBinding = kindSchema({ roleRef, subjects: atomicArr(subject) }, ['roleRef']);

export const rbacSchemas: Record<string, Schema> = {
  Role: role, ClusterRole: clusterRole, RoleBinding: roleBinding, ClusterRoleBinding: clusterRoleBinding,
};
