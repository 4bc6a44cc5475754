// RBAC object shapes (plain Kubernetes rbac.authorization.k8s.io/v1 JSON) used by the authorizer,
// the aggregation controller, escalation checks and the bootstrap policy.

export const RBAC_GROUP = 'rbac.authorization.k8s.io';

export interface PolicyRule {
  verbs: string[];
  apiGroups?: string[] | null;
  resources?: string[] | null;
  resourceNames?: string[] | null;
  nonResourceURLs?: string[] | null;
}

export type ObjectMeta = {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  [key: string]: unknown;
};

export interface Subject {
  kind: string;
  apiGroup?: string;
  name: string;
  namespace?: string;
}

export interface RoleRef {
  apiGroup: string;
  kind: string;
  name: string;
}

export interface LabelSelectorRequirement {
  key: string;
  operator: string; // In | NotIn | Exists | DoesNotExist
  values?: string[] | null;
}

export interface LabelSelector {
  matchLabels?: Record<string, string> | null;
  matchExpressions?: LabelSelectorRequirement[] | null;
}

export interface AggregationRule {
  clusterRoleSelectors?: LabelSelector[] | null;
}

export type Role = {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  rules?: PolicyRule[] | null;
};

export type ClusterRole = Role & {
  aggregationRule?: AggregationRule | null;
};

export type RoleBinding = {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  subjects?: Subject[] | null;
  roleRef: RoleRef;
};

export type ClusterRoleBinding = RoleBinding;

export type RbacKind = 'Role' | 'ClusterRole' | 'RoleBinding' | 'ClusterRoleBinding';
export type RbacObject = Role | ClusterRole | RoleBinding | ClusterRoleBinding;
export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** All RBAC objects of ONE logical cluster. */
export interface PolicySnapshot {
  roles: Role[];
  clusterRoles: ClusterRole[];
  roleBindings: RoleBinding[];
  clusterRoleBindings: ClusterRoleBinding[];
}

/** Rules that apply to a user in one namespace (SelfSubjectRulesReview). */
export interface RulesForResult {
  rules: PolicyRule[];
  /** True when a binding that applies references a role that does not exist (or an unsupported kind). */
  incomplete: boolean;
  /** Kubernetes' resolution errors, e.g. `clusterrole.rbac.authorization.k8s.io "x" not found` (de-duplicated). */
  evaluationErrors: string[];
}
