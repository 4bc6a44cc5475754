// Public file of host-tier RBAC: the plan of a tenant's objects in its host cluster (pure data), the
// controller that keeps them, and the admission of a TenantCluster's host.
export {
  hostRbacPlan, desiredHostObjects, effectiveDelegation, hostObjectName, multiRoleName,
  DEFAULT_ROLE_RULES, DEFAULT_CLUSTER_RULES, MULTI_NAMESPACE_RULES, DELEGATION_RULE,
  type HostRbacPlan, type DelegationConfig, type PolicyRule,
} from './host-rbac-rules.ts';
export { HostRbacController, HOST_RBAC_FINALIZER } from './host-rbac-controller.ts';
export { hostClusterAdmission } from './host-rbac-admission.ts';
export { setupHostRbac } from './setup.ts';
