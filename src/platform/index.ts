// Public surface of the platform package: the server module, the resource types and what other
// capabilities (credentials' login endpoint, host-tier RBAC, explain) build on.
export { platformModule, platformApi, type PlatformModuleOptions, type PlatformApi, type PlatformModule } from './module.ts';
export {
  GROUP, VERSION, API_VERSION, HOST_CLUSTER, userType, teamType, projectType, tenantClusterType, templateType, platformTypes,
  MANAGED_BY_LABEL, MANAGED_LABEL, TENANT_LABEL, AUDIT_ANNOTATION, CASCADE_ANNOTATION, TENANT_FINALIZER,
  type Condition, type TenantClusterStatus, type TenantPhase, type ObjectRef,
  parseDurationSeconds, parseObjects, zodCauses, tenantFieldsSchema, tenantClusterSpecSchema,
  type TenantClusterSpec, type TenantFields, type TemplateSpec, type UserSpec, type TeamSpec, type ProjectSpec,
  type ProjectRole, type AccessRule,
  PlatformState, type Directory, page, pageQuery, type Page, type PageQuery,
} from './resources/index.ts';
export { verifyPassword, hashPassword, generatePassword, BOOTSTRAP_ADMIN } from './users-teams-projects/index.ts';
export {
  effectiveSpec, staticAccess, roleMapping, bindingName, roleBindings, templateControls, type AccessReason,
  AccessIndex, teamGroup, type RootAuthorizer, ROUTE_PREFIX, type ReachableTenant,
} from './access/index.ts';
export {
  hostRbacPlan, desiredHostObjects, effectiveDelegation, hostObjectName, multiRoleName,
  DEFAULT_ROLE_RULES, DEFAULT_CLUSTER_RULES, MULTI_NAMESPACE_RULES, DELEGATION_RULE,
  type HostRbacPlan, type DelegationConfig, type PolicyRule, HOST_RBAC_FINALIZER,
} from './host-rbac/index.ts';
export { newGrants, type Grant } from './grants/index.ts';
export { DelegationAuthorizer, delegationApplies, type DelegationOutcome } from './delegation/index.ts';
export { explain, resolveResource, type ExplainRequest, type ExplainResult, type ExplainLayer, EXPLAIN_PATH } from './explain/index.ts';
