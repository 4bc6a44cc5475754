// Public file of delegated authorization: requests for a tenant's delegated resources are decided by a
// SubjectAccessReview in its host cluster.
export { DelegationAuthorizer, applies as delegationApplies, type DelegationOutcome } from './delegation.ts';
