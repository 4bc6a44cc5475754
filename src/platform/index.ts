// Public surface of the platform package: the server module, the resource types and what other
// capabilities (credentials' login endpoint, host-tier RBAC, explain) build on.
export { platformModule, type PlatformModuleOptions, type PlatformModule, type PlatformApi } from './module.ts';
export { verifyPassword, hashPassword, generatePassword } from './passwords.ts';
export {
  GROUP, VERSION, API_VERSION, HOST_CLUSTER, userType, teamType, projectType, tenantClusterType, templateType, platformTypes,
  MANAGED_BY_LABEL, MANAGED_LABEL, TENANT_LABEL, AUDIT_ANNOTATION, CASCADE_ANNOTATION, TENANT_FINALIZER,
  type Condition, type TenantClusterStatus, type TenantPhase, type ObjectRef,
} from './types.ts';
export {
  parseDurationSeconds, parseObjects,
  type TenantClusterSpec, type TenantFields, type TemplateSpec, type UserSpec, type TeamSpec, type ProjectSpec, type ProjectRole, type AccessRule,
} from './schemas.ts';
export { effectiveSpec, staticAccess, roleMapping, bindingName, templateControls, type AccessReason } from './access.ts';
export { AccessIndex, teamGroup, type RootAuthorizer } from './access-index.ts';
export { PlatformState, type Directory } from './state.ts';
export { BOOTSTRAP_ADMIN } from './bootstrap.ts';
export { ROUTE_PREFIX, type ReachableTenant } from './routes.ts';
export {
  hostRbacPlan, desiredHostObjects, effectiveDelegation, hostObjectName, multiRoleName,
  DEFAULT_ROLE_RULES, DEFAULT_CLUSTER_RULES, MULTI_NAMESPACE_RULES, DELEGATION_RULE,
  type HostRbacPlan, type DelegationConfig, type PolicyRule,
} from './host-rbac-rules.ts';
export { HOST_RBAC_FINALIZER } from './host-rbac-controller.ts';
export { DelegationAuthorizer, applies as delegationApplies, type DelegationOutcome } from './delegation.ts';
export { explain, resolveResource, type ExplainRequest, type ExplainResult, type ExplainLayer } from './explain.ts';
export { EXPLAIN_PATH } from './explain-route.ts';
export { page, pageQuery, type Page, type PageQuery } from './paging.ts';
