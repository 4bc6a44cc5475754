// Public file of tenant clusters: the TenantCluster controller (provisioning, objects, role-mapping bindings,
// status) and the admission of TenantClusters and Projects.
export { TenantController } from './tenant-controller.ts';
export { platformAdmission } from './admission.ts';
export { setupTenantClusters, type TenantClusterWiring } from './setup.ts';
export { typeForKind } from './tenant-objects.ts';
