// Public file of management access: who may reach a tenant cluster (the door gate and its index), the role
// mapping materialised inside tenants, and the /platform/v1 routes for reachable clusters and permissions.
export {
  effectiveSpec, staticAccess, roleMapping, bindingName, roleBindings, templateControls, referenceWarnings, type AccessReason,
} from './access.ts';
export { AccessIndex, teamGroup, type RootAuthorizer } from './access-index.ts';
export { managementAccessGate, mayEnter } from './management-access-gate.ts';
export { platformRoutes, reachableTenants, ROUTE_PREFIX, type ReachableTenant } from './routes.ts';
export { setupAccess, type AccessWiring } from './setup.ts';
