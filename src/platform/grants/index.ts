// Public file of grant checks: what a tenant's spec newly grants (pure data) and the admission that requires the
// writer of a TenantCluster or TenantClusterTemplate to be able to make each grant directly.
export { newGrants, type Grant } from './tenant-grants.ts';
export { grantAdmission } from './grant-admission.ts';
export { userGrants, teamGrants, projectGrants, type DirectoryGrant } from './directory-grants.ts';
