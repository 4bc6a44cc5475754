// Public surface of the platform package: the server module, the resource types and what other
// capabilities (credentials' login endpoint, host-tier RBAC, explain) build on.
export { platformModule, type PlatformModuleOptions } from './module.ts';
export { verifyPassword, hashPassword, generatePassword } from './users-teams-projects/passwords.ts';
export {
  GROUP, VERSION, API_VERSION, HOST_CLUSTER, userType, teamType, projectType, tenantClusterType, templateType, platformTypes,
  MANAGED_BY_LABEL, MANAGED_LABEL, TENANT_LABEL, AUDIT_ANNOTATION, CASCADE_ANNOTATION, TENANT_FINALIZER,
  type Condition, type TenantClusterStatus, type TenantPhase, type ObjectRef,
} from './resources/types.ts';
export {
  parseDurationSeconds, parseObjects,
  type TenantClusterSpec, type TenantFields, type TemplateSpec, type UserSpec, type TeamSpec, type ProjectSpec, type ProjectRole, type AccessRule,
} from './resources/schemas.ts';
export { effectiveSpec, staticAccess, roleMapping, bindingName, templateControls, type AccessReason } from './access/access.ts';
export { AccessIndex, teamGroup, type RootAuthorizer } from './access/access-index.ts';
export { PlatformState, type Directory } from './resources/state.ts';
export { BOOTSTRAP_ADMIN } from './users-teams-projects/bootstrap.ts';
export { ROUTE_PREFIX, type ReachableTenant } from './access/routes.ts';
export {
  hostRbacPlan, desiredHostObjects, effectiveDelegation, hostObjectName, multiRoleName,
  DEFAULT_ROLE_RULES, DEFAULT_CLUSTER_RULES, MULTI_NAMESPACE_RULES, DELEGATION_RULE,
  type HostRbacPlan, type DelegationConfig, type PolicyRule,
} from './host-rbac/host-rbac-rules.ts';
export { HOST_RBAC_FINALIZER } from './host-rbac/host-rbac-controller.ts';
export { DelegationAuthorizer, applies as delegationApplies, type DelegationOutcome } from './delegation/delegation.ts';
export { explain, resolveResource, type ExplainRequest, type ExplainResult, type ExplainLayer } from './explain/explain.ts';
export { EXPLAIN_PATH } from './explain/explain-route.ts';
